package dev.cfrun.it;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.ServerKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/check_cfserverd} as Nagios runs it (a separate process, cwd elsewhere, stdin /dev/null) against a
 * real cf-serverd 3.21: the Nagios plugin contract (exit 0/1/2/3, one line, perfdata) for each situation.
 */
class CheckCfServerdIT {
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    static final Path CHECK = ROOT.resolve("bin/check_cfserverd");
    /** "CFSERVERD STATE - text[ | perfdata]" */
    static final Pattern LINE = Pattern.compile("CFSERVERD (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]+?)(?: \\| (.*))?");
    static final Pattern PERF = Pattern.compile(
            "connect=(\\d+\\.\\d{6})s;;;0 handshake=(\\d+\\.\\d{6})s;(\\d+(?:\\.\\d+)?);(\\d+(?:\\.\\d+)?);0");

    @TempDir
    static Path tmp;
    static CfServerd server;
    /** Our key pair; the server's key trusted with cf-key -t. */
    static ClientWorkdir client;
    /** Our key pair; the server's key not trusted. */
    static ClientWorkdir stranger;

    @BeforeAll
    static void start() {
        server = CfServerd.builder(tmp.resolve("srv")).start();
        client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
        stranger = ClientWorkdir.withCfKey(tmp.resolve("stranger"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** {@code ms}: the wall time of the plugin's process, as this test measured it. */
    record Check(int exit, String state, String text, String perf, Proc.Result raw, long ms) {
        @Override
        public String toString() {
            return raw.toString();
        }
    }

    /** Runs the plugin and checks the contract that holds whatever the state: one line, exit code = state. */
    static Check check(String... args) {
        assertTrue(Files.isExecutable(CHECK), CHECK + " missing");
        assertTrue(Files.exists(ROOT.resolve("nagios-handler/target/cfrun-nagios.jar")), "build first (mvn package)");
        List<String> cmd = new ArrayList<>(List.of(CHECK.toString()));
        cmd.addAll(List.of(args));
        long t0 = System.nanoTime();
        Proc.Result r = Proc.run(cmd, Map.of(), Duration.ofSeconds(60), tmp);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 20_000, "the plugin returned within 20 s: " + ms + " ms\n" + r);
        System.out.println("check_cfserverd " + String.join(" ", args) + "\n  -> exit " + r.exit() + ": " + r.out().strip());
        List<String> lines = r.out().lines().toList();
        assertEquals(1, lines.size(), "one line on stdout:\n" + r);
        assertTrue(r.out().endsWith("\n"));
        assertEquals("", r.err(), "nothing on stderr:\n" + r);
        Matcher m = LINE.matcher(lines.get(0));
        assertTrue(m.matches(), "plugin line format:\n" + r);
        int expectedExit = List.of("OK", "WARNING", "CRITICAL", "UNKNOWN").indexOf(m.group(1));
        assertEquals(expectedExit, r.exit(), "the exit status matches the state:\n" + r);
        return new Check(r.exit(), m.group(1), m.group(2), m.group(3), r, ms);
    }

    static Check check(ClientWorkdir wd, String... args) {
        List<String> a = new ArrayList<>(List.of("--workdir", wd.workdir.toString()));
        a.addAll(List.of(args));
        return check(a.toArray(new String[0]));
    }

    private static void assertPerfdata(Check c, String warn, String crit) {
        Matcher p = PERF.matcher(c.perf() == null ? "" : c.perf());
        assertTrue(p.matches(), "perfdata with connect= and handshake=:\n" + c);
        double connect = Double.parseDouble(p.group(1));
        double handshake = Double.parseDouble(p.group(2));
        assertTrue(connect < 10, c.toString());
        assertTrue(connect + handshake <= c.ms() / 1000.0, "connect + handshake within the plugin's "
                + c.ms() + " ms: " + c);
        assertTrue(handshake > 0 && handshake < 10, "a handshake takes some time: " + c);
        assertEquals(warn, p.group(3), "warning threshold in the perfdata");
        assertEquals(crit, p.group(4), "critical threshold in the perfdata");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void ok() {
        Check c = check(client, "-H", server.hostPort());
        assertEquals("OK", c.state(), c.toString());
        assertTrue(c.text().contains(server.hostPort()), c.toString());
        assertTrue(c.text().contains("key " + server.digest()), c.toString());
        assertTrue(c.text().contains("we are accepted"), c.toString());
        assertTrue(c.text().matches(".*TLSv1\\.[23] protocol [23].*"), c.toString());
        assertPerfdata(c, "1", "5");
    }

    @Test
    void okWithSeparatePortAndThresholds() {
        Check c = check(client, "-H", server.bind(), "-p", Integer.toString(server.port()), "-w", "3", "-c", "9",
                "-t", "15");
        assertEquals("OK", c.state(), c.toString());
        assertPerfdata(c, "3", "9");
    }

    @Test
    void classicProtocolOk() {
        Check c = check(client, "-H", server.hostPort(), "--protocol", "classic");
        assertEquals("OK", c.state(), c.toString());
        assertTrue(c.text().contains("protocol 1"), c.toString());
        assertTrue(c.text().contains("we are accepted"), c.toString());
        assertPerfdata(c, "1", "5");
    }

    @Test
    void unknownKeyIsAWarningShowingTheDigest() {
        Check c = check(stranger, "-H", server.hostPort());
        assertEquals("WARNING", c.state(), c.toString());
        assertTrue(c.text().contains("unknown key " + server.digest()), c.toString());
        assertTrue(c.text().contains(stranger.ppkeys().toString()), "says where it is not trusted: " + c);
        assertPerfdata(c, "1", "5");
        assertFalse(Files.exists(stranger.ppkeys().resolve("root-" + server.digest() + ".pub")), "nothing trusted");
    }

    @Test
    void expectKeyAcceptsAnUntrustedKeyWithThatDigest() {
        Check c = check(stranger, "-H", server.hostPort(), "--expect-key", server.digest());
        assertEquals("OK", c.state(), c.toString());
        assertTrue(c.text().contains("we are accepted"), c.toString());
        // case does not matter, and the SHA form works too
        String upper = "md5=" + server.digest().substring(4).toUpperCase(java.util.Locale.ROOT);
        assertEquals("OK", check(stranger, "-H", server.hostPort(), "--expect-key", upper).state());
        String sha;
        try (CfRunClient k = client.client(Protocol.TLS)) {
            sha = k.fetchServerKey(server.address()).shaDigest();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        assertEquals("OK", check(stranger, "-H", server.hostPort(), "--expect-key", sha).state());
    }

    @Test
    void expectKeyWithAnotherDigestIsCritical() {
        String other = "MD5=0123456789abcdef0123456789abcdef";
        Check c = check(client, "-H", server.hostPort(), "--expect-key", other);
        assertEquals("CRITICAL", c.state(), c.toString());
        assertTrue(c.text().contains(server.digest()) && c.text().contains("expected " + other), c.toString());
        assertPerfdata(c, "1", "5");
    }

    @Test
    void changedKeyIsCritical() {
        // server A is known at this address; then a reinstalled server B (new key) answers on the same port
        int port = CfServerd.freePort("127.0.0.1");
        ClientWorkdir wd = ClientWorkdir.withCfKey(tmp.resolve("changed-client"));
        String digestA;
        try (CfServerd a = CfServerd.builder(tmp.resolve("changed-a")).port(port).start()) {
            digestA = a.digest();
            wd.trustWithCfKey(a);
            try (CfRunClient k = wd.client(Protocol.TLS)) {
                ServerKey key = k.fetchServerKey(a.address());
                k.trustServerKey(key); // what a first successful run leaves: the address record
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertEquals("OK", check(wd, "-H", a.hostPort()).state(), "A is trusted");
        }
        try (CfServerd b = CfServerd.builder(tmp.resolve("changed-b")).port(port).start()) {
            assertFalse(b.digest().equals(digestA));
            Check c = check(wd, "-H", b.hostPort());
            assertEquals("CRITICAL", c.state(), c.toString());
            assertTrue(c.text().contains("presents key " + b.digest()), c.toString());
            assertTrue(c.text().contains(digestA + " is trusted"), c.toString());
            assertPerfdata(c, "1", "5");

            // even when B's key is trusted as a key: the address still says A
            wd.trustWithCfKey(b);
            assertEquals("CRITICAL", check(wd, "-H", b.hostPort()).state());
        }
    }

    @Test
    void serverDownIsCritical() {
        int port = freePort();
        Check c = check(client, "-H", "127.0.0.1:" + port);
        assertEquals("CRITICAL", c.state(), c.toString());
        assertTrue(c.text().contains("unreachable"), c.toString());
        assertTrue(c.text().contains(Integer.toString(port)), c.toString());
    }

    @Test
    void aSilentServerIsCriticalWithinTheTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            long t0 = System.nanoTime();
            Check c = check(client, "-H", "127.0.0.1:" + silent.getLocalPort(), "-t", "1");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals("CRITICAL", c.state(), c.toString());
            assertTrue(ms < 10_000, "-t 1 is honoured (the plugin returned within 10 s): " + ms + " ms");
        }
    }

    @Test
    void ourKeyUnreadableIsUnknown() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("no-keys"));
        Check c = check("--workdir", empty.toString(), "-H", server.hostPort());
        assertEquals("UNKNOWN", c.state(), c.toString());
        assertTrue(c.text().startsWith("our key: "), c.toString());

        ClientWorkdir broken = ClientWorkdir.withCfKey(tmp.resolve("broken-key"));
        Files.writeString(broken.workdir.resolve("ppkeys/localhost.priv"), "-----BEGIN RSA PRIVATE KEY-----\nnope\n");
        c = check(broken, "-H", server.hostPort());
        assertEquals("UNKNOWN", c.state(), c.toString());
        assertTrue(c.text().contains("localhost.priv"), c.toString());
    }

    @Test
    void ourKeyNotTrustedByTheServerIsCritical() {
        // no trustkeysfrom for loopback and our key never given to it: the server refuses us at identification
        try (CfServerd strict = CfServerd.builder(tmp.resolve("strict")).trustKeysFrom("192.0.2.1").start()) {
            Check c = check(client, "-H", strict.hostPort(), "--expect-key", strict.digest());
            assertEquals("CRITICAL", c.state(), c.toString());
            assertTrue(c.text().contains("does not accept us"), c.toString());
        }
    }

    @Test
    void slowHandshakeThresholds() {
        Check w = check(client, "-H", server.hostPort(), "-w", "0.000001");
        assertEquals("WARNING", w.state(), w.toString());
        assertTrue(w.text().matches(".*\\(handshake \\d+\\.\\d{3} s\\)"), w.toString());
        assertPerfdata(w, "0.000001", "5");

        Check c = check(client, "-H", server.hostPort(), "-w", "0.000001", "-c", "0.000002");
        assertEquals("CRITICAL", c.state(), c.toString());
        assertTrue(c.text().contains("handshake"), c.toString());
    }

    @Test
    void badArgumentsAreUnknown() {
        for (String[] args : new String[][] {
                {},
                {"-H"},
                {"-H", server.hostPort(), "--bogus", "1"},
                {"-H", server.hostPort(), "-w", "5", "-c", "1"},
                {"-H", server.hostPort(), "-w", "abc"},
                {"-H", server.hostPort(), "-p", "http"},
                {"-H", server.hostPort(), "--protocol", "ssl"},
                {"-H", server.hostPort(), "--expect-key", "not-a-digest"},
                {"-H", "127.0.0.1:99999"},
        }) {
            Check c = check(client, args);
            assertEquals("UNKNOWN", c.state(), List.of(args) + "\n" + c);
            assertTrue(c.text().contains("invalid"), List.of(args) + "\n" + c);
        }
        Proc.Result help = Proc.run(List.of(CHECK.toString(), "--help"), Map.of(), Duration.ofSeconds(60), tmp);
        assertEquals(3, help.exit(), "--help exits UNKNOWN, as monitoring plugins do");
        assertTrue(help.out().startsWith("Usage: check_cfserverd"), help.toString());
    }
}
