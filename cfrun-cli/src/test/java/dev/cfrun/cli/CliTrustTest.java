package dev.cfrun.cli;

import dev.cfrun.cli.CliHarness.Result;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Map;

import static dev.cfrun.cli.CliHarness.args;
import static dev.cfrun.cli.CliHarness.run;
import static dev.cfrun.cli.CliHarness.runWithInput;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server key trust: --trust, -T, -i on a run, and the trust subcommand. */
class CliTrustTest {
    @TempDir
    Path dir;
    private Path wd;
    private Path ppkeys;
    private FakeCfServerd fake;

    @BeforeEach
    void setUp() throws Exception {
        wd = CliHarness.workdir(dir.resolve("work"));
        ppkeys = KeyFiles.ppkeys(wd);
        fake = FakeCfServerd.start();
        fake.allowClient(CliHarness.identity(wd).publicKey());
        fake.reply(Reply.ok(0, "ran"));
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    private String[] cfrun(String protocol, Object... more) {
        return args("--workdir", wd, "--protocol", protocol, "-t", "5", "--handshake-timeout", "10", more);
    }

    private Path storedKey(String digest) {
        return ppkeys.resolve(CliHarness.trustedKeyFile(digest));
    }

    private void assertStored(FakeCfServerd f) throws Exception {
        Path p = storedKey(f.digest());
        assertTrue(Files.isRegularFile(p), "stored as " + p.getFileName() + ": " + CliHarness.ppkeys(wd).keySet());
        assertEquals(RsaKeys.writePublic(f.publicKey()), Files.readString(p, StandardCharsets.US_ASCII));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
    }

    private static String oneLine(Result r) {
        assertEquals(1, r.errLines().size(), r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());
        return r.errLines().get(0);
    }

    // ---- on a run ----

    @Test
    void strictRefusesAnUnknownKeyAndSendsNothing() throws Exception {
        Map<String, String> before = CliHarness.ppkeys(wd);
        Result r = run(cfrun("tls", "-H", fake.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        assertEquals("", r.out());
        String e = oneLine(r);
        assertTrue(e.startsWith("cfrun: " + fake.hostSpec() + ": ") && e.contains(fake.digest()), e);
        assertTrue(e.contains("not trusted"), e);
        assertEquals(before, CliHarness.ppkeys(wd));
        assertEquals(null, fake.session(0).execLine);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void trustTofuStoresTheKeyAndSaysSo(String protocol) throws Exception {
        Result r = run(cfrun(protocol, "--trust", "tofu", "-H", fake.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("> -> ran\n"), r.toString());
        assertEquals("cfrun: " + fake.hostSpec() + ": trusted new server key " + fake.digest(), oneLine(r));
        assertStored(fake);
        // the next run needs no trust option, and says nothing about keys
        Result again = run(cfrun(protocol, "-H", fake.hostSpec()));
        assertEquals(0, again.exit(), again.toString());
        assertEquals("", again.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void capitalTIsTofu(String protocol) throws Exception {
        Result r = run(cfrun(protocol, "-T", "-H", fake.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("cfrun: " + fake.hostSpec() + ": trusted new server key " + fake.digest(), oneLine(r));
        assertStored(fake);
    }

    @Test
    void tofuWithSeveralHostsReportsEachNewKeyOnce() throws Exception {
        FakeCfServerd other = FakeCfServerd.start(FakeCfServerd.otherKeys());
        try {
            other.allowClient(CliHarness.identity(wd).publicKey());
            Result r = run(cfrun("tls", "-T", "-q", "-b", "2", "--sorted", "-H", fake.hostSpec() + "," + other.hostSpec()));
            assertEquals(0, r.exit(), r.toString());
            assertEquals(List.of("cfrun: " + fake.hostSpec() + ": trusted new server key " + fake.digest(),
                    "cfrun: " + other.hostSpec() + ": trusted new server key " + other.digest()), r.errLines());
            assertStored(fake);
            assertStored(other);
        } finally {
            other.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void pinnedRightDigestIsAccepted(String protocol) throws Exception {
        Result r = run(cfrun(protocol, "--trust", fake.digest(), "-H", fake.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertStored(fake);
    }

    @Test
    void pinnedShaDigestIsAccepted() throws Exception {
        Result r = run(cfrun("tls", "--trust", "MD5=00000000000000000000000000000000," + KeyDigest.sha256(fake.publicKey()),
                "-H", fake.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertStored(fake);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void pinnedOtherDigestIsRefusedAndNothingStored(String protocol) throws Exception {
        String other = KeyDigest.md5((RSAPublicKey) FakeCfServerd.otherKeys().getPublic());
        Map<String, String> before = CliHarness.ppkeys(wd);
        Result r = run(cfrun(protocol, "--trust", other, "-H", fake.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        assertEquals("", r.out());
        String e = oneLine(r);
        assertTrue(e.contains(fake.digest()) && e.contains(other), e);
        assertEquals(before, CliHarness.ppkeys(wd), "nothing stored");
        assertEquals(null, fake.session(0).execLine, "nothing run");
    }

    @Test
    void interactiveYesTrustsAndShowsTheDigest() throws Exception {
        Result r = runWithInput("yes\n", cfrun("tls", "-i", "-H", fake.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.err().contains("You do not have a public key from host 127.0.0.1 = 127.0.0.1"), r.toString());
        assertTrue(r.err().contains("It presents the key " + fake.digest()), r.toString());
        assertTrue(r.err().contains("Do you want to accept one on trust? (yes/no)"), r.toString());
        assertTrue(r.err().contains("Will trust the key"), r.toString());
        assertTrue(r.out().contains("> -> ran\n"), r.toString());
        assertStored(fake);
    }

    @ParameterizedTest
    @ValueSource(strings = {"no\n", "", "y\n", "maybe\n"})
    void interactiveAnythingButYesRefuses(String answer) throws Exception {
        Map<String, String> before = CliHarness.ppkeys(wd);
        Result r = runWithInput(answer, cfrun("classic", "-i", "-H", fake.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        assertTrue(r.err().contains(fake.digest()), r.toString());
        assertTrue(r.err().contains("Will not trust the key"), r.toString());
        assertEquals("", r.out());
        assertEquals(before, CliHarness.ppkeys(wd));
    }

    @Test
    void interactiveIsNotAskedForAKnownKey() throws Exception {
        CliHarness.trustKeyFile(wd, fake.publicKey());
        Result r = runWithInput("no\n", cfrun("tls", "-i", "-H", fake.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tls", "classic"})
    void changedKeyIsRefusedEvenWithCapitalT(String protocol) throws Exception {
        fake.useKeys(FakeCfServerd.otherKeys());
        String oldDigest = fake.digest();
        assertEquals(0, run(cfrun(protocol, "-T", "-H", fake.hostSpec())).exit());
        fake.useKeys(FakeCfServerd.defaultKeys()); // "reinstalled"
        String newDigest = fake.digest();
        Map<String, String> before = CliHarness.ppkeys(wd);

        for (String trust : List.of("-T", "--trust=tofu", "--trust=strict")) {
            Result r = run(cfrun(protocol, trust, "-H", fake.hostSpec()));
            assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), trust + ": " + r);
            assertEquals("", r.out());
            String e = oneLine(r);
            assertTrue(e.contains(oldDigest) && e.contains(newDigest), e);
            assertEquals(before, CliHarness.ppkeys(wd), "nothing stored");
        }
        Result asked = runWithInput("yes\n", cfrun(protocol, "-i", "-H", fake.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, asked.exit(), asked.toString());
        assertFalse(asked.err().contains("Do you want to accept"), "a changed key is not offered: " + asked);
        // pinning exactly the new key is the way to accept it
        Result pinned = run(cfrun(protocol, "--trust", newDigest, "-H", fake.hostSpec()));
        assertEquals(0, pinned.exit(), pinned.toString());
        assertStored(fake);
    }

    @Test
    void changedKeyWithJsonNamesBothKeys() throws Exception {
        fake.useKeys(FakeCfServerd.otherKeys());
        String oldDigest = fake.digest();
        assertEquals(0, run(cfrun("tls", "-T", "-H", fake.hostSpec())).exit());
        fake.useKeys(FakeCfServerd.defaultKeys());
        Result r = run(cfrun("tls", "-T", "--format", "json", "-H", fake.hostSpec()));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        var j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
        assertEquals("changed_server_key", j.get("error").get("kind").textValue());
        assertEquals(oldDigest, j.get("error").get("expected_key").textValue());
        assertEquals(fake.digest(), j.get("server_key").textValue());
    }

    // ---- cfrun trust HOST ----

    private String[] trust(Object... more) {
        return args("trust", "--workdir", wd, "-t", "5", more);
    }

    @Test
    void trustShowsBothDigestsAndStoresOnYes() throws Exception {
        Result r = runWithInput("yes\n", trust(fake.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("presents the key " + fake.digest()), r.out());
        assertTrue(r.out().contains(KeyDigest.sha256(fake.publicKey())), r.out());
        assertTrue(r.out().contains("SHA="), r.out());
        assertTrue(r.out().contains("Trust this key? (yes/no)"), r.out());
        assertTrue(r.out().contains("Trusted: stored in " + ppkeys), r.out());
        assertStored(fake);
        assertEquals(null, fake.session(0).execLine, "nothing is run");
        // a run now needs no trust option
        assertEquals(0, run(args("--workdir", wd, "-H", fake.hostSpec())).exit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"no\n", ""})
    void trustStoresNothingOnNo(String answer) throws Exception {
        Map<String, String> before = CliHarness.ppkeys(wd);
        Result r = runWithInput(answer, trust(fake.hostSpec()));
        assertEquals(1, r.exit(), r.toString());
        assertTrue(r.out().contains(fake.digest()), r.out());
        assertTrue(r.out().contains("Not trusted; nothing was stored."), r.out());
        assertEquals(before, CliHarness.ppkeys(wd));
    }

    @Test
    void trustYesStoresWithoutAsking() throws Exception {
        Result r = run(trust("--yes", fake.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertFalse(r.out().contains("(yes/no)"), r.out());
        assertStored(fake);
    }

    @Test
    void trustClassicSaysTheServerProvedNothing() throws Exception {
        Result r = run(trust("--yes", "--protocol", "classic", fake.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("classic protocol"), r.out());
        assertStored(fake);
    }

    @Test
    void trustAlreadyTrusted() throws Exception {
        CliHarness.trustKeyFile(wd, fake.publicKey());
        Map<String, String> before = CliHarness.ppkeys(wd);
        Result r = runWithInput("no\n", trust(fake.hostSpec()));
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().contains("already trusted"), r.out());
        assertFalse(r.out().contains("(yes/no)"), r.out());
        assertEquals(before, CliHarness.ppkeys(wd));
    }

    @Test
    void trustChangedKeyNeedsReplaceChanged() throws Exception {
        fake.useKeys(FakeCfServerd.otherKeys());
        String oldDigest = fake.digest();
        assertEquals(0, run(trust("--yes", fake.hostSpec())).exit());
        fake.useKeys(FakeCfServerd.defaultKeys());
        Map<String, String> before = CliHarness.ppkeys(wd);

        Result refused = run(trust("--yes", fake.hostSpec()));
        assertEquals(1, refused.exit(), refused.toString());
        assertTrue(refused.out().contains(oldDigest) && refused.out().contains(fake.digest()), refused.toString());
        assertTrue(oneLine(refused).contains("--replace-changed"), refused.toString());
        assertEquals(before, CliHarness.ppkeys(wd));

        Result declined = runWithInput("no\n", trust("--replace-changed", fake.hostSpec()));
        assertEquals(1, declined.exit(), declined.toString());
        assertEquals(before, CliHarness.ppkeys(wd));

        Result replaced = runWithInput("yes\n", trust("--replace-changed", fake.hostSpec()));
        assertEquals(0, replaced.exit(), replaced.toString());
        assertStored(fake);
        Result runNow = run(args("--workdir", wd, "-H", fake.hostSpec()));
        assertEquals(0, runNow.exit(), "the new key is the one expected now: " + runNow);
    }

    @Test
    void trustUnreachableIs255() {
        int port = CliHarness.closedPort();
        Result r = run(trust("127.0.0.1:" + port));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        assertTrue(oneLine(r).startsWith("cfrun: 127.0.0.1:" + port + ": could not connect"), r.toString());
        assertEquals("", r.out());
    }

    @Test
    void trustUsageErrors() {
        assertEquals(ExitCodes.LOCAL_ERROR, run(trust()).exit(), "no host");
        Result bad = run(trust("127.0.0.1:0"));
        assertEquals(ExitCodes.LOCAL_ERROR, bad.exit(), bad.toString());
        assertFalse(bad.err().contains("\tat "), bad.toString());
    }
}
