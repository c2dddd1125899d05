package dev.cfrun.cli;

import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.client.keys.KeyFixtures;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Session;
import dev.cfrun.client.internal.transport.Frames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code cfrun --server-version 2} in process against fake cfservd 2.2.10 servers, cfrun 2.x style:
 * a cfrun.hosts file with per-host options, agent options after {@code --}, classes after a second {@code --}.
 * The work dir is what a CFEngine 2 client has: a cfkey key pair (e = 35, DES3-encrypted with the CFEngine
 * passphrase) and the server key as {@code ppkeys/root-<ip>.pub}.
 */
class Cfengine2CliTest {
    private static final String CMD = FakeCfServerd.CF2_CFRUNCOMMAND + " --no-splay --inform";
    private static final String USER = System.getProperty("user.name");

    @TempDir
    Path dir;
    private Path workdir;
    private Path hostsFile;
    private final List<FakeCfServerd> fakes = new ArrayList<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        workdir = dir.resolve("work");
        Path pp = KeyFiles.ppkeys(workdir);
        Files.createDirectories(pp);
        Files.setPosixFilePermissions(pp, PosixFilePermissions.fromString("rwx------"));
        write(pp.resolve(KeyFiles.PRIVATE_FILE), KeyFixtures.bytes("e35-des3.priv"));
        write(pp.resolve(KeyFiles.PUBLIC_FILE), KeyFixtures.bytes("e35.pub"));
        write(pp.resolve("root-127.0.0.1.pub"),
                RsaKeys.writePublic((RSAPublicKey) FakeCfServerd.defaultKeys().getPublic()).getBytes(StandardCharsets.US_ASCII));
        hostsFile = dir.resolve("cfrun.hosts");
    }

    @AfterEach
    void tearDown() {
        fakes.forEach(FakeCfServerd::close);
    }

    private static void write(Path f, byte[] b) throws IOException {
        Files.write(f, b);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }

    /** A cfservd 2.x that knows our key as ppkeys/&lt;user&gt;-127.0.0.1.pub. */
    private FakeCfServerd fake(String... output) throws IOException {
        FakeCfServerd f = FakeCfServerd.cfengine2().clientKey(USER, KeyFixtures.e35Public()).agentOutput(output);
        fakes.add(f);
        return f;
    }

    private void hosts(String... lines) throws IOException {
        Files.writeString(hostsFile, "# cfrun.hosts\n" + String.join("\n", lines) + "\n");
    }

    private int cfrun(String... args) {
        List<String> a = new ArrayList<>(List.of("--workdir", workdir.toString()));
        a.addAll(List.of(args));
        return Main.run(a.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneHostPrintsLikeCfRunagentAndACompletedRunExitsZero() throws Exception {
        FakeCfServerd f = fake("cfengine:fakehost: Executing script /bin/true", "", "cfengine:fakehost: done");
        hosts("127.0.0.1:" + f.port() + " -k");

        int rc = cfrun("--server-version", "2", "-f", hostsFile.toString(), "--", "-v", "--", "linux");

        assertEquals(0, rc, "one host: cfservd 2.x sends no exit code; a completed run counts as 0, as with cfrun\n" + err());
        assertEquals("127.0.0.1> cfservd Executing " + CMD + " -k -v\n"
                + "127.0.0.1> cfengine:fakehost: Executing script /bin/true\n"
                + "127.0.0.1> cfengine:fakehost: done\n", out());
        assertFalse(err().contains("cfrun: 127.0.0.1"), err());
        Session s = f.session(0);
        assertEquals("-k -v", s.execArgs, "the host's options, then those after --");
        assertEquals(List.of("linux " + Frames.TERMINATOR), s.classTransactions, "classes after the second --");
        assertEquals('y', s.sauthFlag, "the server key from ppkeys/root-127.0.0.1.pub");
        assertEquals(35, s.clientKey.getPublicExponent().intValueExact());
        assertTrue(s.clientProvedKey);
    }

    @Test
    void perHostOptionsReachEachServerAndCompletedRunsCountAsSuccesses() throws Exception {
        FakeCfServerd a = fake("from a");
        FakeCfServerd b = fake("from b");
        hosts("127.0.0.1:" + a.port() + " -D web,db -q   # web servers",
                "127.0.0.1:" + b.port());

        int rc = cfrun("--server-version", "2", "-f", hostsFile.toString(), "--sorted", "--", "-v");

        assertEquals(0, rc, "several hosts: completed cfservd 2.x runs are not failures\n" + err());
        assertTrue(err().contains("2 ok, 0 failed"), err());
        assertEquals("-D web,db -q -v", a.session(0).execArgs);
        assertEquals("-v", b.session(0).execArgs);
        assertEquals(List.of(Frames.TERMINATOR), b.session(0).classTransactions);
        assertEquals("127.0.0.1> cfservd Executing " + CMD + " -D web,db -q -v\n127.0.0.1> from a\n"
                + "127.0.0.1> cfservd Executing " + CMD + " -v\n127.0.0.1> from b\n", out());
    }

    @Test
    void aRefusalIsPrintedAsCfRunagentPrintsIt() throws Exception {
        FakeCfServerd f = fake().allowUsers("someone-else");
        hosts("127.0.0.1:" + f.port());

        int rc = cfrun("--server-version", "2", "-f", hostsFile.toString(), "--", "-v");

        assertEquals(255, rc);
        assertEquals("127.0.0.1> !!  Unspecified server refusal (see verbose server output)\n\n", out());
        assertTrue(err().contains("refused EXEC"), err());
        assertTrue(f.session(0).end.startsWith("refused: user"), f.session(0).end);
    }

    @Test
    void agentOptionsWithoutServerVersion2FailLocallyNamingTheOptionAndTheLine() throws Exception {
        FakeCfServerd f = fake();
        hosts("127.0.0.1:" + f.port() + " -k");

        int rc = cfrun("-f", hostsFile.toString(), "--", "-v", "--", "linux");

        assertEquals(101, rc);
        String e = err();
        assertTrue(e.contains("[-k]") && e.contains(hostsFile.toAbsolutePath().normalize() + ":2"), e);
        assertTrue(e.contains("--server-version 2"), e);
        assertEquals("", out());
        assertTrue(f.sessions().isEmpty(), "nothing was sent anywhere");
    }
}
