package dev.cfrun.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/cfrun} as a user runs it (a separate process, from another directory) against a cf-serverd it
 * did not start, with keys made by cf-key and the server key trusted with cf-key -t.
 */
class CliIT {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    static final Path CFRUN = ROOT.resolve("bin/cfrun");

    @TempDir
    static Path tmp;
    static CfServerd server;
    static CfServerd other;
    static ClientWorkdir client;

    @BeforeAll
    static void start() {
        server = CfServerd.builder(tmp.resolve("srv"))
                .cfruncommand("/bin/sh -c 'echo hello from the agent; exit 7'").start();
        other = CfServerd.builder(tmp.resolve("other")).start();
        client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
    }

    @AfterAll
    static void stop() {
        for (CfServerd s : new CfServerd[] {server, other}) {
            if (s != null) {
                s.close();
            }
        }
    }

    static Proc.Result cfrun(String... args) {
        assertTrue(Files.isExecutable(CFRUN), CFRUN + " missing");
        assertTrue(Files.exists(ROOT.resolve("cfrun-cli/target/cfrun.jar")), "build the CLI first (mvn package)");
        List<String> cmd = new java.util.ArrayList<>(List.of(CFRUN.toString(), "--workdir", client.workdir.toString()));
        cmd.addAll(List.of(args));
        return Proc.run(cmd, Map.of(), Duration.ofSeconds(60), tmp);
    }

    @ParameterizedTest
    @CsvSource({"tls,latest", "classic,classic"})
    void printsWhatCfRunagentPrintsAndExitsWithTheRemoteCode(String ours, String theirs) {
        Proc.Result r = cfrun("-H", server.hostPort(), "--protocol", ours);
        assertEquals(7, r.exit(), r::toString);
        assertEquals("127.0.0.1> cf-serverd executing cfruncommand: /bin/sh -c 'echo hello from the agent; exit 7'\n"
                + "127.0.0.1> -> hello from the agent\n"
                + "127.0.0.1> (exit code: 7)\n", r.out());
        assertEquals("", r.err());
        client.cfRunagentLoopbackQuirk(server);
        Proc.Result c = client.cfRunagent(server, theirs);
        assertEquals(c.out(), r.out());
        assertEquals(c.exit(), r.exit());
    }

    @Test
    void refusesAServerItDoesNotTrust() {
        Proc.Result r = cfrun("-H", other.hostPort());
        assertEquals(255, r.exit(), r::toString);
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("cfrun: " + other.hostPort() + ": ") && r.err().contains(other.digest()), r.err());
        assertTrue(!r.err().contains("Exception") && !r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void severalHostsExitWithTheNumberOfFailures() {
        Proc.Result r = cfrun("-H", server.hostPort() + "," + other.hostPort());
        assertEquals(2, r.exit(), r::toString); // exit 7 counts as failed, untrusted key too
    }

    @Test
    void digestPrintsWhatCfKeyPrints() throws Exception {
        Path ours = tmp.resolve("ourkey");
        Proc.Result gen = cfrun("keygen", "--workdir", ours.toString());
        assertEquals(0, gen.exit(), gen::toString);
        for (Path pub : List.of(server.publicKey(), other.publicKey(), client.publicKey(),
                ours.resolve("ppkeys/localhost.pub"))) {
            Proc.Result r = Proc.run(List.of(CFRUN.toString(), "digest", pub.toString()), Map.of(), Duration.ofSeconds(30));
            assertEquals(CfServerd.cfKeyDigest(client.workdir, pub) + "\n", r.out(), pub::toString);
        }
        assertTrue(gen.out().strip().endsWith(CfServerd.cfKeyDigest(client.workdir, ours.resolve("ppkeys/localhost.pub"))));
    }

    @Test
    void aChangedServerKeyIsRefusedWithBothDigests() throws Exception {
        ClientWorkdir c = ClientWorkdir.withCfKey(tmp.resolve("changed"));
        int port;
        String before;
        try (CfServerd a = CfServerd.builder(tmp.resolve("a")).start()) {
            Proc.Result first = c.cfrun("-H", a.hostPort(), "-T");
            assertEquals(0, first.exit(), first::toString);
            port = a.port();
            before = a.digest();
        }
        try (CfServerd b = CfServerd.builder(tmp.resolve("b")).port(port).start()) {
            for (String trustOption : new String[] {"--trust=strict", "-T"}) {
                Proc.Result r = c.cfrun("-H", b.hostPort(), trustOption);
                assertEquals(255, r.exit(), r::toString);
                assertTrue(r.err().contains(before) && r.err().contains(b.digest()), r.err());
            }
            assertFalse(Files.exists(c.ppkeys().resolve("root-" + b.digest() + ".pub")));
        }
    }

    @Test
    void versionAndHelp() {
        Proc.Result v = cfrun("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("cfrun 0."), v.out());
        Proc.Result h = cfrun("--help");
        assertEquals(0, h.exit());
        assertTrue(h.out().contains("--remote-bundles") && h.out().contains("Exit status"), h.out());
        Proc.Result bad = cfrun("--no-such-option");
        assertEquals(101, bad.exit());
    }
}
