package dev.cfrun.client.keys;

import dev.cfrun.client.internal.keys.Pem;
import dev.cfrun.client.internal.keys.RsaKeys;

import dev.cfrun.client.KeyFileException;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.stream.Stream;

import static dev.cfrun.client.keys.KeyFixtures.bytes;
import static dev.cfrun.client.keys.KeyFixtures.chmod;
import static dev.cfrun.client.keys.KeyFixtures.mode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeyFilesTest {
    @TempDir
    Path tmp;

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A work dir holding the given fixtures as ppkeys/localhost.priv and .pub, with cf-key's modes. */
    private Path workdirWith(String privFixture, String pubFixture) throws IOException {
        Path work = tmp.resolve("work");
        Path ppkeys = work.resolve("ppkeys");
        Files.createDirectories(ppkeys);
        chmod(ppkeys, "rwx------");
        Files.write(ppkeys.resolve("localhost.priv"), bytes(privFixture));
        chmod(ppkeys.resolve("localhost.priv"), "rw-------");
        if (pubFixture != null) {
            Files.write(ppkeys.resolve("localhost.pub"), bytes(pubFixture));
            chmod(ppkeys.resolve("localhost.pub"), "rw-------");
        }
        return work;
    }

    // ---- generate ----

    @Test
    void generateWritesAPrivateKeyPairInANewPrivateDirectory() throws Exception {
        Path work = tmp.resolve("deep/work");
        ClientIdentity id = KeyFiles.generate(work, 1024);
        Path ppkeys = work.resolve("ppkeys");
        Path priv = ppkeys.resolve("localhost.priv");
        Path pub = ppkeys.resolve("localhost.pub");

        assertEquals("rwx------", mode(ppkeys));
        assertEquals("rw-------", mode(priv));
        assertEquals("rw-------", mode(pub));
        assertEquals(List.of("localhost.priv", "localhost.pub"), names(ppkeys), "no temporary files left behind");

        assertEquals(1024, id.publicKey().getModulus().bitLength());
        assertEquals(BigInteger.valueOf(65537), id.publicKey().getPublicExponent());
        RSAPrivateCrtKey back = RsaKeys.readPrivate(Files.readAllBytes(priv), null);
        KeyFixtures.assertSamePrivate(id.privateKey(), back);
        assertTrue(RsaKeys.sameKey(id.publicKey(), RsaKeys.readPublic(Files.readAllBytes(pub))));
        // the exact format cf-key writes
        assertEquals(RsaKeys.writePrivate(back), Files.readString(priv, StandardCharsets.US_ASCII));
        assertTrue(Files.readString(priv).startsWith("-----BEGIN RSA PRIVATE KEY-----\n"));
        assertTrue(Files.readString(pub).startsWith("-----BEGIN RSA PUBLIC KEY-----\n"));

        ClientIdentity loaded = KeyFiles.loadFromWorkdir(work);
        assertEquals(id.digest(), loaded.digest());
        assertEquals(KeyDigest.md5(RsaKeys.readPublic(Files.readAllBytes(pub))), id.digest());
    }

    @Test
    void generatedFilesParseWithBouncyCastle() throws Exception {
        Path work = tmp.resolve("work");
        ClientIdentity id = KeyFiles.generate(work, KeyFiles.DEFAULT_BITS);
        assertEquals(2048, id.publicKey().getModulus().bitLength());
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter().setProvider(new BouncyCastleProvider());

        Object privObj;
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(work.resolve("ppkeys/localhost.priv"))))) {
            privObj = p.readObject();
        }
        KeyPair kp = conv.getKeyPair(assertInstanceOf(PEMKeyPair.class, privObj));
        RSAPrivateCrtKey bcPriv = assertInstanceOf(RSAPrivateCrtKey.class, kp.getPrivate());
        KeyFixtures.assertSamePrivate(id.privateKey(), bcPriv);
        assertTrue(RsaKeys.sameKey(id.publicKey(), (RSAPublicKey) kp.getPublic()));

        Object pubObj;
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(work.resolve("ppkeys/localhost.pub"))))) {
            pubObj = p.readObject();
        }
        RSAPublicKey bcPub = assertInstanceOf(RSAPublicKey.class,
                conv.getPublicKey(assertInstanceOf(SubjectPublicKeyInfo.class, pubObj)));
        assertTrue(RsaKeys.sameKey(id.publicKey(), bcPub));
    }

    @Test
    void generateIntoNamedFiles() throws Exception {
        Files.createDirectories(tmp.resolve("k"));
        Path priv = tmp.resolve("k/host.priv");
        Path pub = tmp.resolve("k/host.pub");
        ClientIdentity id = KeyFiles.generate(priv, pub, 1024);
        assertEquals("rw-------", mode(priv));
        assertEquals("rw-------", mode(pub));
        assertEquals(id.digest(), KeyFiles.load(priv, pub, null).digest());
    }

    @Test
    void generateRefusesAnExistingPrivateKey() throws Exception {
        Path ppkeys = Files.createDirectories(tmp.resolve("work/ppkeys"));
        Files.writeString(ppkeys.resolve("localhost.priv"), "old private key");
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.generate(tmp.resolve("work"), 1024));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(ppkeys.resolve("localhost.priv"), e.path().orElseThrow());
        assertEquals("old private key", Files.readString(ppkeys.resolve("localhost.priv")));
        assertEquals(List.of("localhost.priv"), names(ppkeys), "no public key written either");
    }

    @Test
    void generateRefusesAnExistingPublicKey() throws Exception {
        Path ppkeys = Files.createDirectories(tmp.resolve("work/ppkeys"));
        Files.writeString(ppkeys.resolve("localhost.pub"), "old public key");
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.generate(tmp.resolve("work"), 1024));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals("old public key", Files.readString(ppkeys.resolve("localhost.pub")));
        assertEquals(List.of("localhost.pub"), names(ppkeys), "no private key written either");
    }

    @Test
    void generateRefusesASymlinkPlantedAtTheTarget() throws Exception {
        Path ppkeys = Files.createDirectories(tmp.resolve("work/ppkeys"));
        Path victim = Files.writeString(tmp.resolve("victim"), "precious");
        Files.createSymbolicLink(ppkeys.resolve("localhost.priv"), victim);
        assertThrows(KeyFileException.class, () -> KeyFiles.generate(tmp.resolve("work"), 1024));
        assertEquals("precious", Files.readString(victim));
        assertTrue(Files.isSymbolicLink(ppkeys.resolve("localhost.priv")));

        // a dangling link: its target must not be created
        Path ppkeys2 = Files.createDirectories(tmp.resolve("work2/ppkeys"));
        Path nowhere = tmp.resolve("nowhere");
        Files.createSymbolicLink(ppkeys2.resolve("localhost.pub"), nowhere);
        assertThrows(KeyFileException.class, () -> KeyFiles.generate(tmp.resolve("work2"), 1024));
        assertFalse(Files.exists(nowhere, LinkOption.NOFOLLOW_LINKS));
        assertEquals(List.of("localhost.pub"), names(ppkeys2));
    }

    @Test
    void generateRefusesSillySizes() {
        for (int bits : new int[] {0, 512, 1016, 1025, 2047, 16392, -2048}) {
            assertThrows(KeyFileException.class, () -> KeyFiles.generate(tmp.resolve("w" + bits), bits), "bits " + bits);
        }
        assertFalse(Files.exists(tmp.resolve("w512")));
    }

    // ---- load ----

    @Test
    void loadsCfKeysWorkdir() throws Exception {
        ClientIdentity id = KeyFiles.loadFromWorkdir(workdirWith("cfkey.priv", "cfkey.pub"));
        assertEquals(KeyFixtures.CFKEY_MD5, id.digest());
        KeyFixtures.assertSamePrivate(KeyFixtures.cfkeyPrivate(), id.privateKey());
    }

    @Test
    void loadsALegacyEncryptedKeyWithTheCfEnginePassphrase() throws Exception {
        assertEquals(KeyFixtures.CFKEY_MD5, KeyFiles.loadFromWorkdir(workdirWith("cfkey-des3.priv", "cfkey.pub")).digest());
        Files.delete(tmp.resolve("work/ppkeys/localhost.priv"));
        Files.delete(tmp.resolve("work/ppkeys/localhost.pub"));
        assertEquals(KeyFixtures.E35_MD5, KeyFiles.loadFromWorkdir(workdirWith("e35-des3.priv", null)).digest());
    }

    @Test
    void loadWithoutPublicFile() throws Exception {
        assertEquals(KeyFixtures.CFKEY_MD5, KeyFiles.loadFromWorkdir(workdirWith("cfkey.priv", null)).digest());
    }

    @Test
    void loadRefusesAnOpenPpkeysDirectory() throws Exception {
        Path work = workdirWith("cfkey.priv", "cfkey.pub");
        for (String perms : new String[] {"rwxr-xr-x", "rwx---r-x", "rwxrwx---", "rwx-----x"}) {
            chmod(work.resolve("ppkeys"), perms);
            KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.loadFromWorkdir(work), perms);
            assertTrue(e.getMessage().contains("chmod 700"), e.getMessage());
            assertTrue(e.getMessage().contains("ppkeys"), e.getMessage());
        }
        chmod(work.resolve("ppkeys"), "rwxr-xr-x");
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.loadFromWorkdir(work));
        assertTrue(e.getMessage().contains("0755"), e.getMessage());
    }

    @Test
    void loadRefusesAReadablePrivateKey() throws Exception {
        Path work = workdirWith("cfkey.priv", "cfkey.pub");
        Path priv = work.resolve("ppkeys/localhost.priv");
        for (String perms : new String[] {"rw-r--r--", "rw-r-----", "rw----r--", "rw--w----", "rwx------"}) {
            chmod(priv, perms);
            if (perms.equals("rwx------")) {
                KeyFiles.loadFromWorkdir(work); // owner-only, if odd, is fine
                continue;
            }
            KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.loadFromWorkdir(work), perms);
            assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
            assertEquals(priv, e.path().orElseThrow());
        }
        chmod(priv, "rw-r--r--");
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.loadFromWorkdir(work));
        assertTrue(e.getMessage().contains("0644"), e.getMessage());
    }

    @Test
    void loadRefusesAMismatchingPublicKey() throws Exception {
        Path work = workdirWith("cfkey.priv", "e35.pub");
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.loadFromWorkdir(work));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertTrue(e.getMessage().contains(KeyFixtures.E35_MD5) && e.getMessage().contains(KeyFixtures.CFKEY_MD5), e.getMessage());
        assertEquals(work.resolve("ppkeys/localhost.pub"), e.path().orElseThrow());
    }

    @Test
    void loadReportsMissingAndCorruptFilesWithTheirPath() throws Exception {
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.loadFromWorkdir(tmp.resolve("none")));
        assertTrue(e.getMessage().contains("no ppkeys directory"), e.getMessage());

        Path work = workdirWith("cfkey.priv", null);
        Files.delete(work.resolve("ppkeys/localhost.priv"));
        e = assertThrows(KeyFileException.class, () -> KeyFiles.loadFromWorkdir(work));
        assertTrue(e.getMessage().contains("no private key"), e.getMessage());

        Path priv = work.resolve("ppkeys/localhost.priv");
        Files.writeString(priv, "-----BEGIN RSA PRIVATE KEY-----\nAQID\n-----END RSA PRIVATE KEY-----\n");
        chmod(priv, "rw-------");
        e = assertThrows(KeyFileException.class, () -> KeyFiles.loadFromWorkdir(work));
        assertEquals(priv, e.path().orElseThrow());

        Files.write(priv, bytes("cfkey.priv"));
        Path pub = work.resolve("ppkeys/localhost.pub");
        Files.writeString(pub, "garbage");
        e = assertThrows(KeyFileException.class, () -> KeyFiles.loadFromWorkdir(work));
        assertEquals(pub, e.path().orElseThrow());
    }

    @Test
    void readPublicOfAFile() throws Exception {
        Path f = Files.write(tmp.resolve("root-x.pub"), bytes("e35.pub"));
        assertEquals(KeyFixtures.E35_MD5, KeyDigest.md5(KeyFiles.readPublic(f)));
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFiles.readPublic(tmp.resolve("missing.pub")));
        assertEquals(tmp.resolve("missing.pub"), e.path().orElseThrow());
        Path big = Files.write(tmp.resolve("big.pub"), new byte[Pem.MAX_TEXT + 1]);
        assertThrows(KeyFileException.class, () -> KeyFiles.readPublic(big));
    }
}
