package dev.cfrun.cli;

import dev.cfrun.cli.CliHarness.Result;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.cfrun.cli.CliHarness.args;
import static dev.cfrun.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Command-line handling: the cfrun 2.x "--" split, usage errors (101), --help, --version. */
class MainArgumentsTest {
    @TempDir
    Path dir;
    private Path wd;
    private FakeCfServerd fake;

    @BeforeEach
    void setUp() throws Exception {
        wd = CliHarness.workdir(dir.resolve("work"));
        fake = FakeCfServerd.start();
        fake.allowClient(CliHarness.identity(wd).publicKey());
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    private String[] base(Object... more) {
        return args("--workdir", wd, "-T", "-t", "5", more);
    }

    private static void assertUsageError(Result r, String messagePart) {
        assertEquals(ExitCodes.LOCAL_ERROR, r.exit(), r.toString());
        assertEquals("", r.out(), r.toString());
        assertTrue(r.err().contains(messagePart), r.toString());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r);
    }

    private void assertNothingSent() {
        assertEquals(List.of(), fake.sessions(), "a usage error connects nowhere");
    }

    // ---- cfrun 2.x: cfrun [options] hosts -- agent options -- classes ----

    @Test
    void trailingAgentOptionsAndClassesAreSplitOff() throws Exception {
        Result r = run(base("-H", fake.hostSpec(), "--", "-D", "a,b", "--define=c", "-b", "fix", "--", "linux,web", "am"));
        assertEquals(0, r.exit(), r.toString());
        Session s = fake.session(0);
        assertEquals("EXEC -Da,b,c -b fix", s.execLine);
        assertEquals(List.of("linux", "web", "am"), s.selectClasses);
    }

    @Test
    void onlyAgentOptionsAfterASingleDoubleDash() throws Exception {
        Result r = run(base("-D", "x", "-H", fake.hostSpec(), "--", "-Dy"));
        assertEquals(0, r.exit(), r.toString());
        Session s = fake.session(0);
        assertEquals("EXEC -Dx,y", s.execLine);
        assertEquals(List.of(), s.selectClasses);
    }

    @Test
    void hostsBeforeTheDoubleDashArePositional() throws Exception {
        Result r = run(base(fake.hostSpec(), "--", "-D", "pos"));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("EXEC -Dpos", fake.session(0).execLine);
    }

    @Test
    void cfRunagentOptionsReachTheServer() throws Exception {
        Result r = run(base("-H", fake.hostSpec(), "-D", "a,b", "--define-class", "c", "-s", "linux,web", "-s", "am",
                "--remote-bundles", "b1,b2", "--user", "nagios"));
        assertEquals(0, r.exit(), r.toString());
        Session s = fake.session(0);
        assertEquals("EXEC -Da,b,c -b b1,b2", s.execLine);
        assertEquals(List.of("linux", "web", "am"), s.selectClasses);
        assertEquals("nagios", s.user);
    }

    @Test
    void otherAgentOptionsNeedACfengine2Server() {
        Result r = run(base("-H", fake.hostSpec(), "--", "-v", "-K"));
        assertUsageError(r, "[-v, -K]");
        assertTrue(r.err().contains("--server-version 2"), r.toString());
        assertNothingSent();
    }

    @Test
    void subcommandsAreNotSplit() throws Exception {
        Path pub = KeyFiles.ppkeys(wd).resolve(KeyFiles.PUBLIC_FILE);
        // "--" is picocli's end of options for the subcommand: the file stays its parameter
        Result r = run("digest", "--", pub.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals(CliHarness.identity(wd).digest() + "\n", r.out());
    }

    // ---- usage errors: 101 ----

    @ParameterizedTest
    @ValueSource(strings = {"--no-such-option", "-X", "--hail"})
    void unknownOrIncompleteOption(String option) {
        Result r = run(args("--workdir", wd, option));
        assertUsageError(r, "Try 'cfrun --help' for more information.");
        assertTrue(r.err().startsWith("cfrun: "), r.toString());
    }

    @Test
    void noHosts() {
        assertUsageError(run(args("--workdir", wd)), "no hosts to hail");
        assertUsageError(run(args("--workdir", wd, "-D", "x", "--", "-D", "y")), "no hosts to hail");
    }

    @Test
    void trustOptionsAreMutuallyExclusive() {
        String h = fake.hostSpec();
        assertUsageError(run(args("--workdir", wd, "-H", h, "-T", "--trust", "tofu")), "choose one of --trust, -T and -i");
        assertUsageError(run(args("--workdir", wd, "-H", h, "-T", "-i")), "choose one of --trust, -T and -i");
        assertUsageError(run(args("--workdir", wd, "-H", h, "-i", "--trust", "tofu")), "choose one of --trust, -T and -i");
        assertUsageError(run(args("--workdir", wd, "-H", h, "-i", "--trust", fake.digest())), "choose one of");
        assertNothingSent();
    }

    @Test
    void unknownFormat() {
        assertUsageError(run(base("-H", fake.hostSpec(), "--format", "xml")), "--format must be text or json");
        assertNothingSent();
    }

    @Test
    void badTrustDigest() {
        assertUsageError(run(args("--workdir", wd, "-H", fake.hostSpec(), "--trust", "MD5=nothex")), "not a key digest");
        assertNothingSent();
    }

    @Test
    void aPolicyFileIsNotAHost() {
        Result r = run(args("--workdir", wd, "promises.cf"));
        assertUsageError(r, "'promises.cf'");
        assertTrue(r.err().contains("evaluates no policy"), r.toString());
        assertTrue(r.err().contains("-f"), r.toString());
    }

    @Test
    void unknownProtocolIsExplained() {
        Result r = run(base("-H", fake.hostSpec(), "--protocol", "ssh"));
        assertUsageError(r, "--protocol must be tls, classic or auto");
        assertFalse(r.err().contains("enum"), r.toString());
        Result t = run(args("trust", "--workdir", wd, "--protocol", "ssh", fake.hostSpec()));
        assertUsageError(t, "--protocol must be tls, classic or auto");
        assertNothingSent();
    }

    @Test
    void protocolNamesAreCaseInsensitive() throws Exception {
        Result r = run(base("-H", fake.hostSpec(), "--protocol", "CLASSIC"));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("classic", fake.session(0).protocol);
    }

    @Test
    void cfengine2ServersNeedTheClassicProtocol() {
        assertUsageError(run(base("-H", fake.hostSpec(), "--server-version", "2", "--protocol", "tls")),
                "speaks only the classic protocol");
        assertNothingSent();
    }

    @Test
    void invalidClassOrBundleNamesAreRefusedLocally() {
        assertUsageError(run(base("-H", fake.hostSpec(), "-D", "a-b")), "invalid class name 'a-b'");
        assertUsageError(run(base("-H", fake.hostSpec(), "--remote-bundles", "x y")), "invalid bundle name 'x y'");
        assertUsageError(run(base("-H", fake.hostSpec(), "--", "-D", "bad;rm")), "invalid class name");
        assertNothingSent();
    }

    @Test
    void badHost() {
        assertUsageError(run(base("-H", "127.0.0.1:99999")), "port out of range");
        assertUsageError(run(base("-H", "[::1")), "missing ']'");
    }

    @Test
    void badNumbers() {
        assertUsageError(run(base("-H", fake.hostSpec(), "-b", "0")), "-b must be between 1 and 10000");
        assertUsageError(run(args("--workdir", wd, "-H", fake.hostSpec(), "-t", "0")), "--timeout must be a positive number");
        assertUsageError(run(args("--workdir", wd, "-H", fake.hostSpec(), "-t", "soon")), "Try 'cfrun --help'");
        assertUsageError(run(base("-H", fake.hostSpec(), "--server-version", "4")), "--server-version must be 2 or 3");
        assertNothingSent();
    }

    @Test
    void missingOwnKeyIsALocalError() {
        Result r = run(args("--workdir", dir.resolve("empty"), "-H", fake.hostSpec()));
        assertUsageError(r, "cfrun keygen");
        assertEquals(1, r.errLines().size(), r.toString());
        assertNothingSent();
    }

    @Test
    void hostsFileErrorsAreLocalErrors() throws Exception {
        Path f = dir.resolve("cfrun.hosts");
        Files.writeString(f, "maxchild = lots\n", StandardCharsets.UTF_8);
        Result r = run(args("--workdir", wd, "-f", f));
        assertEquals(ExitCodes.LOCAL_ERROR, r.exit(), r.toString());
        assertTrue(r.err().startsWith("cfrun: "), r.toString());
        assertNothingSent();
    }

    // ---- help and version ----

    @Test
    void help() {
        Result r = run("--help");
        assertEquals(0, r.exit(), r.toString());
        String h = r.out();
        assertTrue(h.contains("Usage:"), h);
        assertTrue(h.contains("Examples:"), h);
        assertTrue(h.contains("Exit status:"), h);
        assertTrue(h.contains("the number of hosts that did not return 0 (at most 100)"), h);
        assertTrue(h.contains("101"), h);
        assertTrue(h.contains("255"), h);
        for (String o : List.of("--hail", "--define-class", "--select-class", "--remote-bundles", "--background",
                "--sorted", "--format", "--output-dir", "--trust", "--interactive", "--timeout")) {
            assertTrue(h.contains(o), o + " in " + h);
        }
        assertEquals("", r.err());
    }

    @Test
    void version() {
        Result r = run("--version");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("cfrun "), r.out());
        assertFalse(r.out().startsWith("cfrun unknown"), "the version is filled in: " + r.out());
        assertTrue(r.out().contains("Java "), r.out());
    }

    @Test
    void subcommandHelp() {
        for (String sub : List.of("keygen", "digest", "trust", "completion")) {
            Result r = run(sub, "--help");
            assertEquals(0, r.exit(), sub + ": " + r);
            assertTrue(r.out().contains("cfrun " + sub), r.out());
        }
    }
}
