package dev.cfrun.client.internal.trust;

import dev.cfrun.client.keys.KeyFixtures;
import dev.cfrun.client.internal.keys.RsaKeys;

import dev.cfrun.client.KeyFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Optional;

import static dev.cfrun.client.keys.KeyFixtures.mode;
import static dev.cfrun.client.keys.KeyFixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrustStoreTest {
    private static final String CF = KeyFixtures.CFKEY_MD5;
    private static final String E35 = KeyFixtures.E35_MD5;

    @TempDir
    Path ppkeys;

    /** Somewhere outside ppkeys, for symlink targets. */
    @TempDir
    Path outside;

    private void put(String name, String fixture) throws Exception {
        Files.write(ppkeys.resolve(name), bytes(fixture));
    }

    private Path record() {
        return ppkeys.resolve(TrustStore.RECORD_FILE);
    }

    @Test
    void trustedKeyByMd5Name() throws Exception {
        put("root-" + CF + ".pub", "cfkey.pub");
        TrustStore ts = new TrustStore(ppkeys, "root");
        RSAPublicKey k = ts.trustedKey(CF).orElseThrow();
        assertTrue(RsaKeys.sameKey(KeyFixtures.cfkeyPublic(), k));
        assertTrue(ts.trustedKey(CF.toUpperCase().replace("MD5=", "md5=")).isPresent(), "digest normalised");
        assertTrue(ts.trustedKey(" " + CF + "\n").isPresent());
        assertTrue(ts.isTrusted(KeyFixtures.cfkeyPublic()));
        assertFalse(ts.isTrusted(KeyFixtures.e35Public()));
        assertTrue(ts.trustedKey(E35).isEmpty());
        assertTrue(ts.trustedKey("not a digest").isEmpty());
        assertTrue(ts.trustedKey(null).isEmpty());
    }

    @Test
    void trustedKeyCfKeyWroteWithMinusT() throws Exception {
        put("root-" + E35 + ".pub", "cfkey-trusted-e35.pub");
        assertTrue(new TrustStore(ppkeys, "root").isTrusted(KeyFixtures.e35Public()));
    }

    @Test
    void trustedKeyBySha256Name() throws Exception {
        put("root-" + KeyFixtures.CFKEY_SHA + ".pub", "cfkey.pub");
        TrustStore ts = new TrustStore(ppkeys, "root");
        assertTrue(RsaKeys.sameKey(KeyFixtures.cfkeyPublic(), ts.trustedKey(KeyFixtures.CFKEY_SHA).orElseThrow()));
        assertTrue(ts.trustedKey(CF).isEmpty(), "only the SHA name exists");
        assertTrue(ts.isTrusted(KeyFixtures.cfkeyPublic()));
    }

    @Test
    void ownerFallsBackToRoot() throws Exception {
        put("root-" + CF + ".pub", "cfkey.pub");
        put("alice-" + E35 + ".pub", "e35.pub");
        TrustStore alice = new TrustStore(ppkeys, "alice");
        assertTrue(alice.trustedKey(CF).isPresent(), "root- keys count for every owner");
        assertTrue(alice.trustedKey(E35).isPresent());
        TrustStore root = new TrustStore(ppkeys, "root");
        assertTrue(root.trustedKey(CF).isPresent());
        assertTrue(root.trustedKey(E35).isEmpty(), "alice's keys are not root's");
        assertTrue(new TrustStore(ppkeys, "bob").trustedKey(E35).isEmpty());
    }

    @Test
    void fileWhoseContentDoesNotMatchItsNameIsIgnored() throws Exception {
        put("root-" + CF + ".pub", "e35.pub");
        put("root-" + KeyFixtures.E35_SHA + ".pub", "cfkey.pub");
        TrustStore ts = new TrustStore(ppkeys, "root");
        assertTrue(ts.trustedKey(CF).isEmpty());
        assertTrue(ts.trustedKey(KeyFixtures.E35_SHA).isEmpty());
        assertFalse(ts.isTrusted(KeyFixtures.cfkeyPublic()));
        assertFalse(ts.isTrusted(KeyFixtures.e35Public()));
        // an unreadable one likewise, and a wrong one under alice does not hide root's right one
        Files.writeString(ppkeys.resolve("root-" + E35 + ".pub"), "garbage");
        assertTrue(ts.trustedKey(E35).isEmpty());
        put("alice-" + E35 + ".pub", "cfkey.pub");
        put("root-" + E35 + ".pub", "e35.pub");
        assertTrue(new TrustStore(ppkeys, "alice").trustedKey(E35).isPresent());
    }

    @Test
    void expectedAtFromTheRecord() throws Exception {
        put("root-" + CF + ".pub", "cfkey.pub");
        Files.writeString(record(), "# comment\n10.0.0.1 5308 " + CF + "\n10.0.0.1 5309 " + E35 + "\n");
        TrustStore ts = new TrustStore(ppkeys, "root");
        TrustStore.Expected x = ts.expectedAt("10.0.0.1", 5308).orElseThrow();
        assertEquals(CF, x.digest());
        assertEquals(TrustStore.RECORD_FILE, x.source());
        assertTrue(RsaKeys.sameKey(KeyFixtures.cfkeyPublic(), x.key().orElseThrow()));
        // recorded, but the key file is not there: digest without key
        TrustStore.Expected y = ts.expectedAt("10.0.0.1", 5309).orElseThrow();
        assertEquals(E35, y.digest());
        assertTrue(y.key().isEmpty());
        assertTrue(ts.expectedAt("10.0.0.2", 5308).isEmpty());
        assertTrue(ts.expectedAt("10.0.0.1", 1).isEmpty());
    }

    @Test
    void expectedAtFromACfEngine2StyleFile() throws Exception {
        put("root-192.168.1.5.pub", "e35.pub");
        put("root-::1.pub", "cfkey.pub");
        TrustStore ts = new TrustStore(ppkeys, "alice");
        TrustStore.Expected x = ts.expectedAt("192.168.1.5", 5308).orElseThrow();
        assertEquals(E35, x.digest());
        assertEquals("root-192.168.1.5.pub", x.source());
        assertTrue(RsaKeys.sameKey(KeyFixtures.e35Public(), x.key().orElseThrow()));
        assertEquals(CF, ts.expectedAt("::1", 5308).orElseThrow().digest());
        assertTrue(ts.expectedAt("192.168.1.6", 5308).isEmpty());
        // the record wins over the old-style file
        Files.writeString(record(), "192.168.1.5 5308 " + CF + "\n");
        assertEquals(CF, ts.expectedAt("192.168.1.5", 5308).orElseThrow().digest());
        // an unreadable old-style file is ignored
        Files.writeString(ppkeys.resolve("root-10.1.1.1.pub"), "junk");
        assertTrue(ts.expectedAt("10.1.1.1", 5308).isEmpty());
    }

    @Test
    void cfengine2HostNameFileComesBeforeTheAddressFileAndAfterTheRecord() throws Exception {
        put("root-web1.example.com.pub", "cfkey.pub");
        put("root-10.0.0.5.pub", "e35.pub");
        TrustStore ts = new TrustStore(ppkeys, "root");
        assertEquals(CF, ts.expectedAt("10.0.0.5", 5308, "web1.example.com").orElseThrow().digest());
        assertEquals(E35, ts.expectedAt("10.0.0.5", 5308, null).orElseThrow().digest());
        assertEquals(E35, ts.expectedAt("10.0.0.5", 5308, "10.0.0.5").orElseThrow().digest());
        assertTrue(ts.expectedAt("10.0.0.6", 5308, "../etc/passwd").isEmpty(), "no path tricks");
        ts.record("10.0.0.5", 5308, E35);
        assertEquals(E35, ts.expectedAt("10.0.0.5", 5308, "web1.example.com").orElseThrow().digest(),
                "our record is the latest decision");
    }

    @Test
    void malformedRecordLinesIgnored() throws Exception {
        Files.writeString(record(), String.join("\n",
                "# header",
                "",
                "   ",
                "10.0.0.1 5308",                         // no digest
                "10.0.0.2 port " + CF,                   // port not numeric
                "10.0.0.3 123456 " + CF,                 // port too long
                "10.0.0.4 5308 MD5=zz",                  // bad digest
                "10.0.0.5 5308 " + CF + " extra",        // extra field
                "10.0.0.6\t5308\t" + E35.toUpperCase().replace("MD5=", "md5="), // tabs and case: fine
                "   10.0.0.7   5308   " + CF + "   ",    // surrounding blanks: fine
                "\u0000\u00ff garbage",
                ""));
        TrustStore ts = new TrustStore(ppkeys, "root");
        assertEquals(List.of("10.0.0.6 5308 " + E35, "10.0.0.7 5308 " + CF), ts.recordLines());
        for (int i = 1; i <= 5; i++) {
            assertTrue(ts.expectedAt("10.0.0." + i, 5308).isEmpty(), "10.0.0." + i);
        }
        assertEquals(E35, ts.expectedAt("10.0.0.6", 5308).orElseThrow().digest());
    }

    @Test
    void recordFileThatIsASymlinkIsNotRead() throws Exception {
        Path elsewhere = Files.writeString(outside.resolve("other"), "10.0.0.1 5308 " + CF + "\n");
        Files.createSymbolicLink(record(), elsewhere);
        TrustStore ts = new TrustStore(ppkeys, "root");
        assertTrue(ts.expectedAt("10.0.0.1", 5308).isEmpty());
        ts.record("10.0.0.9", 5308, E35);
        assertEquals("10.0.0.1 5308 " + CF + "\n", Files.readString(elsewhere), "link target untouched");
        assertFalse(Files.isSymbolicLink(record()));
        assertEquals(List.of("10.0.0.9 5308 " + E35), ts.recordLines());
    }

    @Test
    void trustWritesTheKeyFileAndTheRecord() throws Exception {
        Path dir = ppkeys.resolve("new-ppkeys");
        TrustStore ts = new TrustStore(dir, "root");
        ts.trust(KeyFixtures.e35Public(), "10.0.0.1", 5308);
        Path f = dir.resolve("root-" + E35 + ".pub");
        assertArrayEquals(bytes("cfkey-trusted-e35.pub"), Files.readAllBytes(f), "the same bytes cf-key -t writes");
        assertEquals("rw-------", mode(f));
        assertEquals("rwx------", mode(dir));
        assertEquals("rw-------", mode(dir.resolve(TrustStore.RECORD_FILE)));
        assertEquals(List.of("10.0.0.1 5308 " + E35), ts.recordLines());
        assertTrue(ts.isTrusted(KeyFixtures.e35Public()));
        assertEquals(Optional.of(E35), ts.expectedAt("10.0.0.1", 5308).map(TrustStore.Expected::digest));

        // a new store on the same directory sees it
        assertTrue(new TrustStore(dir, "root").expectedAt("10.0.0.1", 5308).orElseThrow().key().isPresent());

        // trusting again is fine; a second address is added
        ts.trust(KeyFixtures.e35Public(), "10.0.0.1", 5308);
        ts.trust(KeyFixtures.e35Public(), "::1", 5308);
        assertEquals(List.of("10.0.0.1 5308 " + E35, "::1 5308 " + E35), ts.recordLines());
    }

    @Test
    void trustFilesUnderTheOwner() throws Exception {
        TrustStore ts = new TrustStore(ppkeys, "alice");
        ts.trust(KeyFixtures.cfkeyPublic(), "h1", 5308);
        assertTrue(Files.isRegularFile(ppkeys.resolve("alice-" + CF + ".pub")));
        assertFalse(Files.exists(ppkeys.resolve("root-" + CF + ".pub")));
        assertTrue(new TrustStore(ppkeys, "root").trustedKey(CF).isEmpty());
    }

    @Test
    void trustRefusesToReplaceAFileHoldingAnotherKey() throws Exception {
        Path f = ppkeys.resolve("root-" + CF + ".pub");
        Files.write(f, bytes("e35.pub"));
        TrustStore ts = new TrustStore(ppkeys, "root");
        KeyFileException e = assertThrows(KeyFileException.class, () -> ts.trust(KeyFixtures.cfkeyPublic(), "10.0.0.1", 5308));
        assertEquals(f, e.path().orElseThrow());
        assertArrayEquals(bytes("e35.pub"), Files.readAllBytes(f));
        assertFalse(Files.exists(record()), "nothing recorded");

        // nor through a symlink planted at the name
        Path victim = Files.writeString(outside.resolve("victim"), "precious");
        Path link = Files.createSymbolicLink(ppkeys.resolve("root-" + E35 + ".pub"), victim);
        assertThrows(KeyFileException.class, () -> ts.trust(KeyFixtures.e35Public(), "10.0.0.1", 5308));
        assertEquals("precious", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(link));
    }

    @Test
    void recordIsIdempotentAndUpdatesInPlace() throws Exception {
        TrustStore ts = new TrustStore(ppkeys, "root");
        ts.record("10.0.0.1", 5308, CF);
        ts.record("10.0.0.2", 5308, E35);
        Object before = Files.readAttributes(record(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        String text = Files.readString(record());
        ts.record("10.0.0.1", 5308, CF);
        assertEquals(text, Files.readString(record()));
        assertEquals(before, Files.readAttributes(record(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey(),
                "an unchanged record is not rewritten");
        assertEquals(List.of("10.0.0.1 5308 " + CF, "10.0.0.2 5308 " + E35), ts.recordLines());

        ts.record("10.0.0.1", 5308, E35); // the key changed there (after the caller decided to trust it)
        assertEquals(List.of("10.0.0.1 5308 " + E35, "10.0.0.2 5308 " + E35), ts.recordLines());
        assertEquals(1, Files.readString(record()).lines().filter(l -> l.startsWith("10.0.0.1 ")).count());
        assertTrue(Files.readString(record()).startsWith("#"));
    }
}
