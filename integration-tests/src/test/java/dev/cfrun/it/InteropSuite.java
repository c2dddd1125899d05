package dev.cfrun.it;

import dev.cfrun.client.AuthenticationFailedException;
import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ChangedServerKeyException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.ProtocolViolationException;
import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.ServerKey;
import dev.cfrun.client.ServerRefusedException;
import dev.cfrun.client.Timeouts;
import dev.cfrun.client.UnknownServerKeyException;
import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.client.internal.protocol.tls.TlsContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.TestAbortedException;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The interop suite: our client against a real cf-serverd of one CFEngine version (Debian's package, in a
 * container made by scripts/images.sh), over one protocol. One concrete class per cell of the matrix
 * (Interop315TlsIT … Interop324ClassicIT), so that the test report lists the matrix; every class runs on
 * JDK 25 too (failsafe execution jdk25, on the JDK scripts/find-jdk.sh finds). What each version does is asserted where we know it and
 * recorded either way ({@link Observations}, target/interop/*.txt, docs/compatibility.md).
 * <p>The main server is strict: it trusts only client keys installed with that version's {@code cf-key -t}
 * (no trustkeysfrom), admits cf-agent and every bundle to 127.0.0.1, and lists 127.0.0.1 in
 * allowlegacyconnects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ServerLogsOnFailure.class)
abstract class InteropSuite {
    static final String USER = System.getProperty("user.name");
    private static final Pattern VERSION_LINE = Pattern.compile("CFE_v(\\d+) (\\S+) (\\S+)");

    final CfVersion version;
    final Protocol protocol;

    /** Client work dirs and scratch files (PER_CLASS: @TempDir fields are not there yet in @BeforeAll). */
    Path tmp;

    Observations seen;
    CfEngineContainer server;
    /** Our keys (KeyFiles.generate), trusted by the server, trusting it. */
    ClientWorkdir client;
    /** Why this cell cannot run here (no Docker engine, no image), outside CI; null when it can. */
    private String unavailable;

    InteropSuite(CfVersion version, Protocol protocol) {
        this.version = version;
        this.protocol = protocol;
    }

    @BeforeAll
    void startServer() throws Exception {
        try {
            CfEngineContainer.requireImage(version); // fails under CI=true
        } catch (TestAbortedException e) {
            unavailable = e.getMessage(); // each test is skipped with this reason (a class-level skip hides it)
            return;
        }
        tmp = Files.createTempDirectory("cfrun-interop-" + version.tag + "-" + protocol.name().toLowerCase() + "-");
        seen = new Observations(version, protocol);
        server = CfEngineContainer.start(version, CfServerd.freePort("127.0.0.1"), strictPolicy("main"));
        String banner = server.log().lines().filter(l -> l.startsWith("cfrun-it: ")).findFirst().orElse("");
        seen.put("cf-serverd --version", banner.replaceAll("^cfrun-it: (.*), server key.*$", "$1"));
        seen.put("Debian package", CfEngineContainer.imageLabel(version, "dev.cfrun.it.release") + " cfengine3 "
                + CfEngineContainer.imageLabel(version, "dev.cfrun.it.cfengine3"));

        client = ClientWorkdir.withOurKeys(tmp.resolve("client"));
        assertEquals(client.digest, server.cfKey("-p", copyIn(client.publicKey())).strip(),
                "cf-key " + version.tag + " -p of our public key file = our digest");
        server.trustClient(client.publicKey(), USER);
        trustServer(client.workdir, server);
    }

    @BeforeEach
    void requireServer() {
        Assumptions.assumeTrue(unavailable == null, () -> unavailable);
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.stop();
        }
        if (seen != null) {
            seen.write();
        }
        if (tmp != null) {
            try (var files = Files.walk(tmp)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not remove " + tmp + ": " + e);
            }
        }
    }

    /** A run: command line, the agent's output, the exit code line where the version sends one. */
    @Test
    @Order(1)
    void runWithOutputAndExitCode() throws Exception {
        List<String> streamed = Collections.synchronizedList(new ArrayList<>());
        RunResult r;
        try (CfRunClient c = client.client(protocol)) {
            r = c.run(RunRequest.builder(server.address())
                    .listener((host, address, line) -> streamed.add(line.kind() + "|" + line.text())).build());
        }
        String cfVersion = r.outputLines().stream().filter(l -> l.startsWith("R: IT-REPORT main "))
                .map(l -> l.replaceAll(".* version=", "")).findFirst().orElse("?");
        seen.put("sys.cf_version", cfVersion);
        seen.put("protocol version agreed", r.protocolVersion());
        seen.put("TLS", r.tlsVersion().orElse("-") + " " + r.cipherSuite().orElse(""));
        seen.put("server authenticated", r.serverAuthenticated());
        seen.put("first reply line", r.lines().get(0).raw().strip());
        seen.put("last reply line", r.lines().get(r.lines().size() - 1).kind() + " "
                + r.lines().get(r.lines().size() - 1).raw().strip());
        seen.put("exit code", r.exitCode().isPresent() ? Integer.toString(r.exitCode().getAsInt()) : "none sent");

        assertEquals(protocol, r.protocol());
        assertEquals(protocol == Protocol.TLS ? 3 : 1, r.protocolVersion(), "we speak 3 (cookie) at most, 1 is classic");
        assertEquals(server.digest(), r.serverKeyDigest(), "the key cf-key -p shows on the server");
        assertTrue(r.serverAuthenticated());
        assertFalse(r.newlyTrusted());
        assertEquals("127.0.0.1", r.address());
        assertTrue(cfVersion.startsWith(version.versionPrefix()), cfVersion);
        assertEquals(ReplyLine.Kind.COMMAND, r.lines().get(0).kind());
        assertTrue(r.command().orElseThrow().contains(CfEngineContainer.WORKDIR + "/bin/cf-agent\" -I -K"),
                r.command().toString());
        assertTrue(r.outputLines().contains("R: IT-REPORT main workdir=" + CfEngineContainer.WORKDIR + " version=" + cfVersion),
                r.outputLines()::toString);
        assertEquals(r.lines().size(), streamed.size(), "every line was streamed");
        ReplyLine last = r.lines().get(r.lines().size() - 1);
        if (version.sendsExitCode()) {
            assertEquals(0, r.exitCode().orElseThrow(), "3.18+ sends (exit code: N)");
            assertEquals(ReplyLine.Kind.EXIT_CODE, last.kind());
            assertEquals("(exit code: 0)", last.raw().strip());
        } else {
            assertTrue(r.exitCode().isEmpty(), "before 3.18 no exit code line: " + last);
            assertEquals(ReplyLine.Kind.OUTPUT, last.kind(), last::toString);
            assertTrue(r.lines().stream().noneMatch(l -> l.kind() == ReplyLine.Kind.EXIT_CODE));
        }
        if (protocol == Protocol.TLS) {
            assertEquals("TLSv1.3", r.tlsVersion().orElseThrow());
        } else {
            assertTrue(r.tlsVersion().isEmpty());
        }
    }

    /** A failing agent (a bundle that does not exist): its exit code reaches us where the version sends it. */
    @Test
    @Order(2)
    void failingAgentExitCode() throws Exception {
        RunResult r;
        try (CfRunClient c = client.client(protocol)) {
            r = c.run(RunRequest.builder(server.address()).bundles("cfrun_it_no_such_bundle").build());
        }
        seen.put("exit code of a failing agent", r.exitCode().isPresent() ? Integer.toString(r.exitCode().getAsInt()) : "none sent");
        assertTrue(r.outputLines().stream().anyMatch(l -> l.contains("cfrun_it_no_such_bundle")), r.outputLines()::toString);
        if (version.sendsExitCode()) {
            assertNotEquals(0, r.exitCode().orElseThrow());
        } else {
            assertTrue(r.exitCode().isEmpty());
        }
    }

    /** -D classes and --remote-bundles reach the remote agent. */
    @Test
    @Order(3)
    void classesAndBundlesReachTheAgent() throws Exception {
        try (CfRunClient c = client.client(protocol)) {
            RunResult with = c.run(RunRequest.builder(server.address())
                    .defineClasses("cfrun_it_class").bundles("it_bundle").build());
            seen.put("command with -D and -b", with.command().orElseThrow().replaceAll(".*/bin/cf-agent\"", "…cf-agent\""));
            assertTrue(with.command().orElseThrow().endsWith("-D cfrun_it_class --bundlesequence it_bundle"),
                    with.command().orElseThrow());
            assertTrue(with.outputLines().contains("R: IT-BUNDLE it_bundle sees cfrun_it_class"), with.outputLines()::toString);
            assertTrue(with.outputLines().stream().noneMatch(l -> l.contains("IT-REPORT main")), "main must not run");

            RunResult without = c.run(RunRequest.builder(server.address()).bundles("it_bundle").build());
            assertTrue(without.outputLines().contains("R: IT-BUNDLE it_bundle without cfrun_it_class"),
                    without.outputLines()::toString);
        }
    }

    /** A server key we do not trust: refused before anything is sent, nothing written. */
    @Test
    @Order(4)
    void unknownServerKeyIsRefused() throws Exception {
        ClientWorkdir stranger = ClientWorkdir.withOurKeys(tmp.resolve("stranger"));
        server.trustClient(stranger.publicKey(), USER); // the server would accept it; we refuse the server
        List<String> before = stranger.ppkeysListing();
        try (CfRunClient c = stranger.client(protocol)) {
            UnknownServerKeyException e = assertThrows(UnknownServerKeyException.class,
                    () -> c.run(RunRequest.builder(server.address()).build()));
            assertEquals(server.digest(), e.presentedDigest());
        }
        assertEquals(before, stranger.ppkeysListing(), "nothing may be written for an untrusted key");
        seen.put("unknown server key", "refused (UnknownServerKeyException " + server.digest() + ")");
    }

    /** Another server (another key) at an address whose key we trusted: refused with both digests. */
    @Test
    @Order(5)
    void changedServerKeyIsRefused() throws Exception {
        int port = CfServerd.freePort("127.0.0.1");
        ClientWorkdir c1 = ClientWorkdir.withOurKeys(tmp.resolve("changed-client"));
        String first;
        try (CfEngineContainer a = CfEngineContainer.start(version, port, strictPolicy("a"))) {
            a.trustClient(c1.publicKey(), USER);
            trustServer(c1.workdir, a);
            try (CfRunClient c = c1.client(protocol)) {
                assertEquals(a.digest(), c.run(RunRequest.builder(a.address()).build()).serverKeyDigest());
            }
            first = a.digest();
        }
        // the same address and port, now a server whose key pair our generator made (also a test of that)
        Path keys = tmp.resolve("our-server-keys");
        String ours = KeyFiles.generate(keys, 2048).digest();
        try (CfEngineContainer b = CfEngineContainer.start(version, port, strictPolicy("b"), keys.resolve("ppkeys"))) {
            assertEquals(ours, b.digest(), "cf-key " + version.tag + " -p of a server key pair we generated");
            b.trustClient(c1.publicKey(), USER);
            List<String> before = c1.ppkeysListing();
            try (CfRunClient c = c1.client(protocol)) {
                ChangedServerKeyException e = assertThrows(ChangedServerKeyException.class,
                        () -> c.run(RunRequest.builder(b.address()).build()));
                assertEquals(first, e.expectedDigest());
                assertEquals(b.digest(), e.presentedDigest());
            }
            assertEquals(before, c1.ppkeysListing());
            assertFalse(b.log().contains("executing cfruncommand"), b.log());

            // and once trusted, a server running on keys we made is a server like any other
            ClientWorkdir c2 = ClientWorkdir.withOurKeys(tmp.resolve("our-server-client"));
            b.trustClient(c2.publicKey(), USER);
            trustServer(c2.workdir, b);
            try (CfRunClient c = c2.client(protocol)) {
                RunResult r = c.run(RunRequest.builder(b.address()).build());
                assertEquals(ours, r.serverKeyDigest());
                assertTrue(r.outputLines().stream().anyMatch(l -> l.startsWith("R: IT-REPORT main")), r.outputLines()::toString);
            }
        }
        seen.put("changed server key", "refused (ChangedServerKeyException, both digests)");
        seen.put("server on a key pair from KeyFiles.generate", "works");
    }

    /** Keys made by this version's cf-key are read by our client and serve as our identity. */
    @Test
    @Order(6)
    void keysMadeByThisVersionsCfKeyAreOurIdentity() throws Exception {
        Path w = tmp.resolve("cfkey-client");
        String digest = server.makeKeysWithCfKey("/cfrun/cfkey-client", w);
        Path priv = w.resolve("ppkeys/localhost.priv");
        Path pub = w.resolve("ppkeys/localhost.pub");
        List<String> privLines = Files.readAllLines(priv);
        List<String> pubLines = Files.readAllLines(pub);
        boolean encrypted = privLines.stream().anyMatch(l -> l.startsWith("Proc-Type: 4,ENCRYPTED"));
        ClientIdentity id = KeyFiles.loadFromWorkdir(w);
        seen.put("cf-key private key", privLines.get(0) + (encrypted ? " "
                + privLines.stream().filter(l -> l.startsWith("DEK-Info")).findFirst().orElse("") : " (not encrypted)"));
        seen.put("cf-key public key", pubLines.get(0));
        seen.put("cf-key key size", id.publicKey().getModulus().bitLength() + " bits, e=" + id.publicKey().getPublicExponent());
        assertEquals(digest, id.digest(), "our digest of cf-key's key = cf-key -p");
        assertEquals(digest, KeyDigest.md5(KeyFiles.readPublic(pub)));

        server.trustClientInside("/cfrun/cfkey-client/ppkeys/localhost.pub", USER);
        trustServer(w, server);
        try (CfRunClient c = clientFor(w)) {
            assertEquals(digest, c.clientDigest());
            RunResult r = c.run(RunRequest.builder(server.address()).build());
            assertTrue(r.outputLines().stream().anyMatch(l -> l.startsWith("R: IT-REPORT main")), r.outputLines()::toString);
        }
        seen.put("cf-key keys as our identity", "work");
    }

    /** Our keys: this version's cf-key reads our public key file (same digest), and the server accepts us. */
    @Test
    @Order(7)
    void ourKeysAreAcceptedAndAnUnknownClientKeyIsRefused() throws Exception {
        // accepted: the main client (KeyFiles.generate), installed on the server with cf-key -t
        try (CfRunClient c = client.client(protocol)) {
            assertTrue(c.run(RunRequest.builder(server.address()).build()).outputLines().stream()
                    .anyMatch(l -> l.startsWith("R: IT-REPORT main")));
        }
        // refused: a key the server was never given (no trustkeysfrom)
        ClientWorkdir unknown = ClientWorkdir.withOurKeys(tmp.resolve("unknown-client"));
        trustServer(unknown.workdir, server, false);
        try (CfRunClient c = unknown.client(protocol)) {
            CfRunException e = assertThrows(CfRunException.class, () -> c.run(RunRequest.builder(server.address()).build()));
            seen.put("client key unknown to the server", e.getClass().getSimpleName() + ": " + e.getMessage());
            assertTrue(e instanceof AuthenticationFailedException, e::toString);
        }
        seen.put("our keys (KeyFiles.generate)", "accepted; cf-key -p gives our digest");
    }

    /** The CLI in process: exit status = the remote exit code, 255 when the server sends none. */
    @Test
    @Order(8)
    void cliExitStatusAndJson() throws Exception {
        String proto = protocol.name().toLowerCase();
        Proc.Result text = client.cfrun("-H", server.hostPort(), "--protocol", proto);
        seen.put("bin/cfrun exit status", text.exit());
        assertEquals(version.sendsExitCode() ? 0 : 255, text.exit(), text::toString);
        assertTrue(text.out().lines().allMatch(l -> l.startsWith("127.0.0.1> ")), text.out());
        assertTrue(text.out().contains("R: IT-REPORT main workdir=" + CfEngineContainer.WORKDIR), text.out());
        Proc.Result json = client.cfrun("-H", server.hostPort(), "--protocol", proto, "--format", "json");
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertEquals(proto, node.get("protocol").asText().toLowerCase(), json.out());
        if (version.sendsExitCode()) {
            assertEquals(0, node.get("exit_code").asInt(), json.out());
        } else {
            assertTrue(node.get("exit_code").isNull(), json.out());
        }
        seen.put("bin/cfrun --format json exit_code", node.get("exit_code"));
    }

    /** The TLS cells: the suite, plus what the server offers (version line, TLS versions). */
    abstract static class Tls extends InteropSuite {
        Tls(CfVersion version) {
            super(version, Protocol.TLS);
        }

        /** What the server says its protocol version is, and that we agree on 3 (TLS only). */
        @Test
        @Order(20)
        void serverVersionLineAndTlsVersions() throws Exception {
            ClientIdentity id = KeyFiles.loadFromWorkdir(client.workdir);
            TlsContext tls = new TlsContext(id);
            Probe p13 = tlsProbe(tls, null);
            seen.put("server version line", p13.line);
            seen.put("TLS by default", p13.tls);
            Matcher m = VERSION_LINE.matcher(p13.line);
            assertTrue(m.matches(), p13.line);
            int offered = Integer.parseInt(m.group(1));
            assertEquals("cf-serverd", m.group(2));
            assertTrue(m.group(3).startsWith(version.versionPrefix()), p13.line);
            assertTrue(offered >= 3, p13.line);
            try (CfRunClient c = client.client(protocol)) {
                RunResult r = c.run(RunRequest.builder(server.address()).build());
                assertEquals(Math.min(offered, 3), r.protocolVersion(), "we downgrade to 3");
                seen.put("protocol versions", "server offers " + offered + ", we answer CFE_v" + r.protocolVersion());
            }
            if (Runtime.version().feature() < 24) {
                Probe p12 = tlsProbe(tls, "TLSv1.2");
                seen.put("TLS 1.2 only client", p12.tls + ", " + p12.line);
                assertEquals(p13.line, p12.line);
            } else {
                // JDK 24+ disables TLS_RSA_*, the only TLS 1.2 suites of cf-serverd's default cipher list
                javax.net.ssl.SSLException e = assertThrows(javax.net.ssl.SSLException.class, () -> tlsProbe(tls, "TLSv1.2"));
                seen.put("TLS 1.2 only client", "no common suite on JDK " + Runtime.version().feature() + " ("
                        + e.getMessage() + ")");
            }
        }

        /**
         * A server whose allowciphers lists only cf-serverd's TLS 1.2 suites (static RSA), as older configurations
         * do: JDK 17 speaks TLS 1.2 with it; JDK 24 and later cannot, and the error must say why.
         */
        @Test
        @Order(21)
        void serverWithTls12CiphersOnly() throws Exception {
            try (CfEngineContainer s = CfEngineContainer.start(version, CfServerd.freePort("127.0.0.1"),
                    CfEngineContainer.policy(tmp.resolve("tls12"),
                            b -> b.roles().trustKeysFrom().allowCiphers("AES256-GCM-SHA384:AES256-SHA")))) {
                s.trustClient(client.publicKey(), USER);
                if (Runtime.version().feature() < 24) {
                    trustServer(client.workdir, s);
                }
                try (CfRunClient c = client.client(protocol)) {
                    if (Runtime.version().feature() < 24) {
                        RunResult r = c.run(RunRequest.builder(s.address()).build());
                        seen.put("allowciphers AES256-GCM-SHA384:AES256-SHA", r.tlsVersion().orElseThrow() + " "
                                + r.cipherSuite().orElseThrow());
                        assertEquals("TLSv1.2", r.tlsVersion().orElseThrow());
                        assertEquals("TLS_RSA_WITH_AES_256_GCM_SHA384", r.cipherSuite().orElseThrow());
                    } else {
                        ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                                () -> c.run(RunRequest.builder(s.address()).build()));
                        seen.put("allowciphers AES256-GCM-SHA384:AES256-SHA", "refused on JDK "
                                + Runtime.version().feature() + ": " + e.getMessage());
                        assertTrue(e.getMessage().contains("TLS_AES_256_GCM_SHA384"), e.getMessage());
                    }
                }
            }
        }
    }

    /** The classic cells: the suite, plus the server's allowlegacyconnects gate. */
    abstract static class Classic extends InteropSuite {
        Classic(CfVersion version) {
            super(version, Protocol.CLASSIC);
        }

        /** Classic needs allowlegacyconnects (classic only). */
        @Test
        @Order(20)
        void classicNeedsAllowlegacyconnects() throws Exception {
            try (CfEngineContainer s = CfEngineContainer.start(version, CfServerd.freePort("127.0.0.1"),
                    CfEngineContainer.policy(tmp.resolve("nolegacy"), b -> b.roles().trustKeysFrom().legacy()))) {
                ClientWorkdir w = ClientWorkdir.withOurKeys(tmp.resolve("nolegacy-client"));
                s.trustClient(w.publicKey(), USER);
                trustServer(w.workdir, s, false);
                try (CfRunClient c = w.client(Protocol.CLASSIC)) {
                    CfRunException e = assertThrows(CfRunException.class, () -> c.run(RunRequest.builder(s.address()).build()));
                    seen.put("classic without allowlegacyconnects", e.getClass().getSimpleName() + ": " + e.getMessage());
                    assertTrue(e instanceof ServerRefusedException, e::toString);
                    assertTrue(e.likelyCauses().stream().anyMatch(l -> l.contains("allowlegacyconnects")),
                            e.likelyCauses()::toString);
                }
                try (CfRunClient c = w.client(Protocol.TLS)) {
                    assertEquals(Protocol.TLS, c.run(RunRequest.builder(s.address()).build()).protocol());
                }
            }
        }
    }

    // --- helpers

    CfServerd.Builder strictPolicy(String name) {
        return CfEngineContainer.policy(tmp.resolve("policy-" + name), b -> b.roles().trustKeysFrom());
    }

    /** Copies a file into the server's container, returns its path there. */
    private String copyIn(Path file) {
        String inside = "/cfrun/check/" + file.getFileName();
        server.copyFileToContainer(org.testcontainers.images.builder.Transferable.of(readAll(file), 0644), inside);
        return inside;
    }

    void trustServer(Path clientWorkdir, CfEngineContainer s) throws Exception {
        trustServer(clientWorkdir, s, true);
    }

    /**
     * Trusts a server as a user does with {@code cfrun trust}: fetch its key (over this suite's protocol
     * when the server accepts our key, else TLS), compare with what cf-key -p says on the server, store it.
     */
    void trustServer(Path clientWorkdir, CfEngineContainer s, boolean serverKnowsUs) throws Exception {
        try (CfRunClient c = clientBuilder(clientWorkdir).protocol(serverKnowsUs ? protocol : Protocol.TLS).build()) {
            ServerKey k = c.fetchServerKey(s.address());
            assertEquals(ServerKey.Status.UNKNOWN, k.status());
            assertEquals(s.digest(), k.digest(), "the digest we show = cf-key -p on the server");
            assertEquals(KeyDigest.md5(s.publicKey(tmp.resolve("server-keys"))), k.digest());
            c.trustServerKey(k);
        }
    }

    private CfRunClient clientFor(Path workdir) throws Exception {
        return clientBuilder(workdir).protocol(protocol).build();
    }

    private static CfRunClient.Builder clientBuilder(Path workdir) {
        return CfRunClient.builder().workdir(workdir)
                .timeouts(Timeouts.builder().connect(Duration.ofSeconds(10)).handshake(Duration.ofSeconds(10))
                        .idle(Duration.ofSeconds(60)).build());
    }

    record Probe(String tls, String line) {
    }

    /** A TLS handshake with our key, then the server's first line (its version line); nothing is sent. */
    Probe tlsProbe(TlsContext tls, String onlyProtocol) throws IOException {
        try (Socket tcp = new Socket()) {
            tcp.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            tcp.setSoTimeout(10_000);
            SSLSocket ssl = tls.layer(tcp, "127.0.0.1", server.port(), TlsContext.KeyShares.ALL_GROUPS);
            if (onlyProtocol != null) {
                ssl.setEnabledProtocols(new String[] {onlyProtocol});
            }
            ssl.startHandshake();
            String negotiated = ssl.getSession().getProtocol() + " " + ssl.getSession().getCipherSuite();
            InputStream in = ssl.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n' && line.size() < 1024) {
                line.write(b);
            }
            ssl.close();
            return new Probe(negotiated, line.toString(StandardCharsets.US_ASCII).replace("\0", ""));
        }
    }

    private static byte[] readAll(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
