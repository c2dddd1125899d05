package dev.cfrun.client;

import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.client.keys.TrustStore;
import dev.cfrun.client.protocol.ExecDialogue;
import dev.cfrun.client.protocol.HandshakeResult;
import dev.cfrun.client.protocol.Peer;
import dev.cfrun.client.protocol.classic.ClassicHandshake;
import dev.cfrun.client.protocol.tls.TlsContext;
import dev.cfrun.client.protocol.tls.TlsHandshake;
import dev.cfrun.client.transport.Addresses;
import dev.cfrun.client.transport.Connection;
import dev.cfrun.client.transport.Connector;
import dev.cfrun.client.transport.DeadlineException;
import dev.cfrun.client.transport.Deadlines;
import dev.cfrun.client.transport.Watchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A CFEngine remote-run client: asks a host's cf-serverd to run its agent, as {@code cf-runagent} does,
 * and returns the agent's output and exit code.
 *
 * <pre>{@code
 * try (CfRunClient client = CfRunClient.builder().workdir(Path.of("/var/lib/cfengine3")).build()) {
 *     RunResult r = client.run(RunRequest.builder("web1.example.com").defineClasses("restart_httpd").build());
 *     r.outputLines().forEach(System.out::println);
 * }
 * }</pre>
 *
 * One client serves any number of hosts and threads: it holds the identity (our key pair), the trust
 * store and policy, the protocol choice and the deadlines, all fixed at build time. Every run opens its
 * own connection. {@link #close()} aborts runs in progress and releases the watchdog thread.
 */
public final class CfRunClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CfRunClient.class);

    private final ClientIdentity identity;
    private final TrustStore trustStore;
    private final TrustPolicy trustPolicy;
    private final Protocol protocol;
    private final Timeouts timeouts;
    private final String user;
    private final String clientHostName; // null: reverse lookup of our local address, as the C client
    private final java.util.Map<java.net.InetAddress, String> reverseNames = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Watchdog watchdog = new Watchdog();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private volatile TlsContext tls;
    private volatile boolean closed;

    private CfRunClient(Builder b, ClientIdentity identity) {
        this.identity = identity;
        this.trustStore = new TrustStore(b.trustDirectory, localUserName());
        this.trustPolicy = b.trustPolicy;
        this.protocol = b.protocol;
        this.timeouts = b.timeouts;
        this.user = b.user;
        this.clientHostName = b.clientHostName;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The work dir a CFEngine admin expects: {@code /var/lib/cfengine3} (Debian) or {@code /var/cfengine}
     * (upstream), whichever holds a key pair we can see, else {@code ~/.cfrun}.
     */
    public static Path defaultWorkdir() {
        for (String d : List.of("/var/lib/cfengine3", "/var/cfengine")) {
            Path p = Path.of(d);
            if (Files.exists(KeyFiles.ppkeys(p).resolve(KeyFiles.PRIVATE_FILE))) {
                return p;
            }
        }
        return Path.of(System.getProperty("user.home"), ".cfrun");
    }

    /**
     * Starts initialising, on a daemon thread, the JDK machinery that runs with this protocol will need (the
     * TLS implementation; for {@link Protocol#CLASSIC} the RSA cipher): per-process work that depends on no
     * host and no key. A short-lived program calls this first, so that the JDK's set-up overlaps its own
     * (parsing arguments, reading the key): a cold TLS run then starts its handshake tens of milliseconds
     * sooner. Optional; it changes nothing but timing.
     */
    public static void warmUp(Protocol protocol) {
        Objects.requireNonNull(protocol, "protocol");
        Thread t = new Thread(protocol == Protocol.CLASSIC ? ClassicHandshake::warmUp : TlsContext::warmUp,
                "cfrun-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /** Our key's digest ({@code MD5=…}): what a server admin trusts with {@code cf-key -t}. */
    public String clientDigest() {
        return identity.digest();
    }

    /** The user name claimed to servers. */
    public String user() {
        return user;
    }

    /** The ppkeys directory used as trust store. */
    public Path trustDirectory() {
        return trustStore.directory();
    }

    /**
     * Runs the remote agent on one host and waits for it to finish.
     *
     * @throws CfRunException a subclass saying what went wrong; output received before a failure is in
     *                        {@link CfRunException#linesReceived()}
     */
    public RunResult run(RunRequest request) throws CfRunException {
        Objects.requireNonNull(request, "request");
        if (closed) {
            throw new RunCancelledException("run on " + request.host() + " not started: client closed", List.of());
        }
        Deadlines deadlines = new Deadlines(timeouts);
        HostAddress host = request.host();
        ServerTrust trust = new ServerTrust(trustStore, trustPolicy, host);
        Protocol first = protocol == Protocol.CLASSIC ? Protocol.CLASSIC : Protocol.TLS;
        if (request.dialect() == ServerDialect.CFENGINE2) {
            if (protocol == Protocol.TLS) {
                throw new IllegalArgumentException("CFEngine 2 cfservd speaks only the classic protocol, not TLS");
            }
            first = Protocol.CLASSIC; // no TLS attempt: cfservd 2.x would only see garbage
        }
        return withFallback(host, first, p -> attempt(request, deadlines, trust, p));
    }

    /** One try with a given protocol. */
    private interface Attempt<T> {
        T with(Protocol protocol) throws CfRunException;
    }

    /**
     * Tries {@code first}; with {@link Protocol#AUTO}, a server that does not speak TLS at all is tried once
     * more with classic. Only a TLS failure before any trust decision counts ({@link NotTls}).
     */
    private <T> T withFallback(HostAddress host, Protocol first, Attempt<T> attempt) throws CfRunException {
        try {
            return attempt.with(first);
        } catch (NotTls nt) {
            CfRunException tlsError = (CfRunException) nt.getCause();
            if (protocol != Protocol.AUTO) {
                throw tlsError;
            }
            log.debug("{}: TLS handshake failed ({}); trying the classic protocol", host, tlsError.getMessage());
            try {
                return attempt.with(Protocol.CLASSIC);
            } catch (CfRunException classic) {
                // a 3.x server that refuses us refuses classic too; its TLS error says more
                throw classic.kind() == ErrorKind.REFUSED ? tlsError : classic;
            }
        }
    }

    /** One TLS step: a failure before the TLS session exists may mean the server does not speak TLS. */
    private interface TlsStep<T> {
        T run() throws CfRunException;
    }

    private static <T> T tls(Connection conn, TlsStep<T> step) throws CfRunException {
        try {
            return step.run();
        } catch (CfRunException e) {
            if (!conn.isTls() && (e.kind() == ErrorKind.REFUSED || e.kind() == ErrorKind.PROTOCOL)) {
                throw new NotTls(e);
            }
            throw e;
        }
    }

    /**
     * Runs many hosts with at most {@code parallelism} runs at once (no forking: one small thread per
     * concurrent run). Each outcome is handed to {@code onEach} as soon as its host is done, from the
     * thread that ran it (so a caller printing outcomes must synchronise); the returned list is in request
     * order. One host's failure never stops the others. {@link #close()} from another thread (e.g. on
     * Ctrl-C) aborts the runs in progress and the hosts not yet started end with
     * {@link RunCancelledException}.
     *
     * @throws InterruptedException if the calling thread is interrupted while waiting (runs in progress
     *                              are then aborted)
     */
    public List<HostOutcome> runAll(List<RunRequest> requests, int parallelism,
                                    java.util.function.Consumer<HostOutcome> onEach) throws InterruptedException {
        Objects.requireNonNull(requests, "requests");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
        int n = requests.size();
        HostOutcome[] outcomes = new HostOutcome[n];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Runnable worker = () -> {
            int i;
            while ((i = next.getAndIncrement()) < n) {
                RunRequest req = requests.get(i);
                long t0 = System.nanoTime();
                HostOutcome o;
                try {
                    RunResult r = closed ? null : run(req);
                    o = r != null ? new HostOutcome(i, req, java.util.Optional.of(r), java.util.Optional.empty(),
                            Duration.ofNanos(System.nanoTime() - t0))
                            : cancelled(i, req, t0);
                } catch (CfRunException e) {
                    o = new HostOutcome(i, req, java.util.Optional.empty(), java.util.Optional.of(e),
                            Duration.ofNanos(System.nanoTime() - t0));
                } catch (RuntimeException e) {
                    o = new HostOutcome(i, req, java.util.Optional.empty(), java.util.Optional.of(new CfRunException(
                            ErrorKind.PROTOCOL, "internal error on " + req.host() + ": " + e, e)),
                            Duration.ofNanos(System.nanoTime() - t0));
                    log.error("internal error on {}", req.host(), e);
                }
                outcomes[i] = o;
                if (onEach != null) {
                    try {
                        onEach.accept(o);
                    } catch (RuntimeException e) {
                        log.warn("fan-out callback failed for {}: {}", req.host(), e.toString());
                    }
                }
            }
        };
        int threads = Math.min(parallelism, n);
        List<Thread> pool = new java.util.ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(null, worker, "cfrun-run-" + t, 512 * 1024);
            th.setDaemon(true);
            pool.add(th);
            th.start();
        }
        try {
            for (Thread th : pool) {
                th.join();
            }
        } catch (InterruptedException e) {
            next.set(n); // start nothing more
            for (Connection c : open) {
                c.close();
            }
            throw e;
        }
        return java.util.Arrays.asList(outcomes);
    }

    private static HostOutcome cancelled(int i, RunRequest req, long t0) {
        return new HostOutcome(i, req, java.util.Optional.empty(),
                java.util.Optional.of(new RunCancelledException("run on " + req.host() + " not started: client closed", List.of())),
                Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * Connects and reads the server's key without running anything and without trusting it: over TLS the
     * handshake only (the server proves it holds the key); over classic the "n" form up to the key (the
     * server must accept our key first). {@link Protocol#AUTO} tries TLS first.
     */
    public ServerKey fetchServerKey(HostAddress host) throws CfRunException {
        return probe(host, false).serverKey();
    }

    /**
     * Checks a server without running anything (for monitoring): connects, reads its key, and — when the
     * key is trusted (or pinned by the trust policy) — completes the identification, so that the server
     * says whether it accepts our key and user name. Nothing is stored. An untrusted or changed key is
     * reported in the result, not thrown; failures to connect or to be accepted are thrown.
     * <p>Over classic, "authenticated" means the server accepted our key ("OK: key accepted"); the run's
     * own proofs are not exchanged.
     */
    public ProbeResult probe(HostAddress host) throws CfRunException {
        return probe(host, true);
    }

    private ProbeResult probe(HostAddress host, boolean identify) throws CfRunException {
        Deadlines deadlines = new Deadlines(timeouts);
        Protocol first = protocol == Protocol.CLASSIC ? Protocol.CLASSIC : Protocol.TLS;
        return withFallback(host, first, p -> probe(host, deadlines, p, identify));
    }

    private ProbeResult probe(HostAddress host, Deadlines deadlines, Protocol proto, boolean identify)
            throws CfRunException {
        long t0 = System.nanoTime();
        Connection conn = connect(host, deadlines);
        long tConnected = System.nanoTime();
        String address = Addresses.numeric(conn.tcpSocket().getInetAddress());
        Peer peer = new Peer(address, host.port(), user, identity.digest());
        try {
            java.security.interfaces.RSAPublicKey key;
            if (proto == Protocol.TLS) {
                key = tls(conn, () -> TlsHandshake.fetchServerKey(conn, tlsContext(), host.host(), peer));
            } else {
                key = ClassicHandshake.probeServerKey(conn, identity, peer, announcedHostName(conn), random);
            }
            ServerKey serverKey = keyStatus(host, address, proto, key);
            boolean accepted = serverKey.status() == ServerKey.Status.TRUSTED
                    || trustPolicy.isPinned(serverKey.digest(), serverKey.shaDigest());
            int version = proto == Protocol.CLASSIC ? 1 : 0;
            boolean authenticated = proto == Protocol.CLASSIC; // probeServerKey got "OK: key accepted"
            if (identify && accepted && proto == Protocol.TLS) {
                version = TlsHandshake.identify(conn, peer, TlsHandshake.MAX_VERSION);
                authenticated = true;
            }
            long tDone = System.nanoTime();
            String tlsVersion = proto == Protocol.TLS && conn.socket() instanceof javax.net.ssl.SSLSocket ssl
                    ? ssl.getSession().getProtocol() : null;
            return new ProbeResult(serverKey, authenticated, version, java.util.Optional.ofNullable(tlsVersion),
                    Duration.ofNanos(tConnected - t0), Duration.ofNanos(tDone - tConnected));
        } finally {
            conn.close();
            open.remove(conn);
        }
    }

    private ServerKey keyStatus(HostAddress host, String address, Protocol proto,
                                java.security.interfaces.RSAPublicKey key) {
        String md5 = KeyDigest.md5(key);
        String sha = KeyDigest.sha256(key);
        java.util.Optional<TrustStore.Expected> expected = trustStore.expectedAt(address, host.port(), host.host());
        ServerKey.Status status;
        if (expected.isPresent() && !expected.get().digest().equals(md5) && !expected.get().digest().equals(sha)) {
            status = ServerKey.Status.CHANGED;
        } else if (trustStore.isTrusted(key) || expected.flatMap(TrustStore.Expected::key)
                .filter(k -> dev.cfrun.client.keys.RsaKeys.sameKey(k, key)).isPresent()) {
            status = ServerKey.Status.TRUSTED;
        } else {
            status = ServerKey.Status.UNKNOWN;
        }
        return new ServerKey(host, address, proto, key, md5, sha, status, expected.map(TrustStore.Expected::digest));
    }

    /**
     * Stores a fetched key as trusted (ppkeys/&lt;user&gt;-MD5=….pub, and the address record), after the caller
     * has checked its digest. A key recorded for that address before is superseded.
     */
    public void trustServerKey(ServerKey key) throws KeyFileException {
        trustStore.trust(key.key(), key.address(), key.host().port());
    }

    /** The TLS handshake failed before any trust decision: the server may not speak TLS (AUTO falls back). */
    private static final class NotTls extends CfRunException {
        private static final long serialVersionUID = 1L;

        NotTls(CfRunException cause) {
            super(cause.kind(), cause.getMessage(), cause);
        }
    }

    private RunResult attempt(RunRequest request, Deadlines deadlines, ServerTrust trust, Protocol proto)
            throws CfRunException {
        HostAddress host = request.host();
        long t0 = System.nanoTime();
        Connection conn = connect(host, deadlines);
        long tConnected = System.nanoTime();
        String address = Addresses.numeric(conn.tcpSocket().getInetAddress());
        Peer peer = new Peer(address, host.port(), user, identity.digest());
        try {
            HandshakeResult hs;
            if (proto == Protocol.TLS) {
                Connection first = conn;
                try {
                    hs = tls(conn, () -> TlsHandshake.perform(first, tlsContext(), TlsContext.KeyShares.X25519_ONLY,
                            host.host(), peer, trust, TlsHandshake.MAX_VERSION));
                } catch (CfRunException e) {
                    if (first.isTls() || !TlsContext.needsAllGroups(e)) {
                        throw e;
                    }
                    // a server without X25519 (TlsContext.KeyShares): once more, on a new connection, with every group
                    log.debug("{}: TLS handshake with X25519 only failed ({}); again with every group", host, e.getMessage());
                    conn.close();
                    open.remove(conn);
                    conn = connect(host, deadlines);
                    Connection second = conn;
                    hs = tls(conn, () -> TlsHandshake.perform(second, tlsContext(), TlsContext.KeyShares.ALL_GROUPS,
                            host.host(), peer, trust, TlsHandshake.MAX_VERSION));
                }
            } else {
                ClassicSession cs = classic(conn, peer, trust, host, deadlines);
                conn = cs.conn(); // a new connection if a pinned key change made us authenticate again
                hs = cs.handshake();
            }
            long tAuthenticated = System.nanoTime();
            conn.enterExec();
            ExecDialogue.Outcome out = ExecDialogue.run(conn, request, peer);
            long tDone = System.nanoTime();
            return new RunResult(host, address, hs.protocol(), hs.version(), hs.serverDigest(), hs.newlyTrusted(),
                    hs.serverAuthenticated(), java.util.Optional.ofNullable(hs.tlsVersion()),
                    java.util.Optional.ofNullable(hs.cipherSuite()), out.command(), out.lines(), out.outputLineCount(), out.exitCode(),
                    new RunTimings(Duration.ofNanos(tConnected - t0), Duration.ofNanos(tAuthenticated - tConnected),
                            Duration.ofNanos(tDone - tAuthenticated), Duration.ofNanos(tDone - deadlines.start())));
        } catch (CfRunException e) {
            if (closed && !(e instanceof ServerKeyException)) {
                throw new RunCancelledException("run on " + host + " cancelled: client closed", e.linesReceived());
            }
            throw e;
        } finally {
            conn.close();
            open.remove(conn);
        }
    }

    /** An authenticated classic connection: the one opened first, or a new one after a pinned key change. */
    private record ClassicSession(Connection conn, HandshakeResult handshake) {
    }

    private ClassicSession classic(Connection conn, Peer peer, ServerTrust trust, HostAddress host, Deadlines deadlines)
            throws CfRunException {
        try {
            return new ClassicSession(conn, ClassicHandshake.perform(conn, identity, peer, announcedHostName(conn), trust, random));
        } catch (ClassicHandshake.ExpectedKeyNotProven e) {
            // The server ended the "y" dialogue: find out whether it holds another key than the one we trust.
            log.debug("{}: classic 'y' form failed ({}); probing the server's key", peer.endpoint(), e.failure().getMessage());
            conn.close();
            open.remove(conn);
            java.security.interfaces.RSAPublicKey actualKey;
            Connection probe = connect(host, deadlines);
            try {
                actualKey = ClassicHandshake.probeServerKey(probe, identity, peer, announcedHostName(probe), random);
            } finally {
                probe.close();
                open.remove(probe);
            }
            String actual = KeyDigest.md5(actualKey);
            String expected = e.expected().digest();
            if (actual.equals(expected)) {
                throw e.failure(); // the server holds the key we trust: the failure was about something else
            }
            if (!trustPolicy.isPinned(actual, KeyDigest.sha256(actualKey))) {
                throw new ChangedServerKeyException("server " + peer.endpoint() + " holds key " + actual + ", but "
                        + expected + " is trusted for this address (" + e.expected().source() + " in "
                        + trustStore.directory() + "); refusing: the server was reinstalled, or something is"
                        + " impersonating it. If the change is expected, check the new digest on the server"
                        + " (cf-key -p) and trust it explicitly (pin " + actual + ")", expected, actual);
            }
            // The caller pinned exactly the new key: trust and record it (as TLS does), then authenticate again
            // with the "y" form, so that the server proves it holds that key before anything is run.
            trust.verify(peer.address(), peer.port(), actualKey);
            Connection retry = connect(host, deadlines);
            try {
                HandshakeResult hs = ClassicHandshake.perform(retry, identity, peer, announcedHostName(retry), trust, random);
                return new ClassicSession(retry, new HandshakeResult(hs.protocol(), hs.version(), hs.serverDigest(), true,
                        hs.serverAuthenticated(), hs.tlsVersion(), hs.cipherSuite()));
            } catch (ClassicHandshake.ExpectedKeyNotProven again) {
                retry.close();
                open.remove(retry);
                throw again.failure();
            } catch (CfRunException failure) {
                retry.close();
                open.remove(retry);
                throw failure;
            }
        }
    }

    private Connection connect(HostAddress host, Deadlines deadlines) throws CfRunException {
        Socket tcp;
        try {
            tcp = Connector.connect(host.host(), host.port(), deadlines);
        } catch (DeadlineException e) {
            throw new RunTimeoutException(e.phase(), e.limit(), "could not connect to " + host + ": " + e.getMessage(), List.of());
        } catch (IOException e) {
            throw new ConnectFailedException("could not connect to " + host + ": " + e.getMessage(), e);
        }
        try {
            Connection c = new Connection(tcp, deadlines, watchdog);
            open.add(c);
            if (closed) {
                c.close();
                open.remove(c);
                throw new RunCancelledException("client closed", List.of());
            }
            return c;
        } catch (IOException e) {
            try {
                tcp.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            throw new ConnectFailedException("could not set up the connection to " + host + ": " + e.getMessage(), e);
        }
    }

    private TlsContext tlsContext() throws CfRunException {
        TlsContext t = tls;
        if (t == null) {
            synchronized (this) {
                t = tls;
                if (t == null) {
                    try {
                        t = new TlsContext(identity);
                    } catch (GeneralSecurityException e) {
                        throw new KeyFileException(null, "cannot set up TLS with our key: " + e.getMessage(), e);
                    }
                    tls = t;
                }
            }
        }
        return t;
    }

    /** Aborts runs in progress (they fail with {@link RunCancelledException}) and frees resources. */
    @Override
    public void close() {
        closed = true;
        for (Connection c : open) {
            c.close();
        }
        watchdog.close();
    }

    static String localUserName() {
        String u = System.getProperty("user.name");
        return u == null || u.isBlank() ? "root" : u;
    }

    /**
     * The host name we announce in the classic CAUTH line: as the C client, the name our local address
     * resolves to (getnameinfo: "localhost" on loopback, the numeric address without a PTR record).
     */
    private String announcedHostName(Connection conn) {
        if (clientHostName != null) {
            return clientHostName;
        }
        java.net.InetAddress local = conn.tcpSocket().getLocalAddress();
        return reverseNames.computeIfAbsent(local, a -> {
            try {
                String n = java.net.InetAddress.getByAddress(a.getAddress()).getHostName();
                return n.matches("[A-Za-z0-9.:_-]{1,255}") ? n : Addresses.numeric(a);
            } catch (IOException | RuntimeException e) {
                return Addresses.numeric(a);
            }
        });
    }

    /** Builds a {@link CfRunClient}; every setting has a safe default except the identity. */
    public static final class Builder {
        private Path workdir;
        private Path privateKey;
        private Path publicKey;
        private Path trustDirectory;
        private String passphrase = dev.cfrun.client.keys.RsaKeys.CFENGINE_PASSPHRASE;
        private String user = localUserName();
        private String clientHostName;
        private TrustPolicy trustPolicy = TrustPolicy.strict();
        private Protocol protocol = Protocol.TLS;
        private Timeouts timeouts = Timeouts.defaults();

        private Builder() {
        }

        /** A CFEngine work dir: identity from {@code ppkeys/localhost.priv}, trust store {@code ppkeys/}. */
        public Builder workdir(Path dir) {
            this.workdir = Objects.requireNonNull(dir, "workdir");
            return this;
        }

        /** An explicit key pair (the public key file is optional and checked against the private one). */
        public Builder identity(Path privateKeyFile, Path publicKeyFile) {
            this.privateKey = Objects.requireNonNull(privateKeyFile, "privateKeyFile");
            this.publicKey = publicKeyFile;
            return this;
        }

        /** Passphrase for encrypted (pre-3.14, CFEngine 2) private keys; default {@code Cfengine passphrase}. */
        public Builder passphrase(String passphrase) {
            this.passphrase = Objects.requireNonNull(passphrase, "passphrase");
            return this;
        }

        /** The ppkeys directory holding trusted server keys (default: the work dir's {@code ppkeys}). */
        public Builder trustDirectory(Path dir) {
            this.trustDirectory = Objects.requireNonNull(dir, "trustDirectory");
            return this;
        }

        /**
         * The user name claimed to servers (allowusers, roles and the key file name
         * {@code <user>-MD5=….pub} on the server). Default: the login name, as cf-runagent.
         */
        public Builder user(String name) {
            Objects.requireNonNull(name, "user");
            if (name.isEmpty() || name.length() > 255 || !name.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '/' && c != '\\')) {
                throw new IllegalArgumentException("invalid user name '" + name + "': no spaces, '/' or '\\'");
            }
            this.user = name;
            return this;
        }

        /**
         * Our host name in the classic CAUTH line. Default: what our local address resolves to, as the C
         * client does (a reverse lookup; set a name to avoid it).
         */
        public Builder clientHostName(String name) {
            this.clientHostName = Objects.requireNonNull(name, "clientHostName");
            return this;
        }

        public Builder trustPolicy(TrustPolicy policy) {
            this.trustPolicy = Objects.requireNonNull(policy, "trustPolicy");
            return this;
        }

        /**
         * The protocol. Default {@link Protocol#TLS}, as cf-runagent: {@link Protocol#AUTO} lets anyone on the
         * path who can break the TLS handshake push the run to classic, where EXEC and its output are neither
         * confidential nor integrity-protected; choose it only for fleets with servers older than 3.7.
         */
        public Builder protocol(Protocol p) {
            this.protocol = Objects.requireNonNull(p, "protocol");
            return this;
        }

        public Builder timeouts(Timeouts t) {
            this.timeouts = Objects.requireNonNull(t, "timeouts");
            return this;
        }

        /**
         * Loads the key pair and returns the client.
         *
         * @throws KeyFileException if our key cannot be used (missing, corrupt, readable by others)
         */
        public CfRunClient build() throws KeyFileException {
            ClientIdentity id;
            if (privateKey != null) {
                id = KeyFiles.load(privateKey, publicKey, passphrase);
                if (trustDirectory == null) {
                    trustDirectory = workdir != null ? KeyFiles.ppkeys(workdir) : privateKey.toAbsolutePath().getParent();
                }
            } else {
                Path w = workdir != null ? workdir : defaultWorkdir();
                id = KeyFiles.loadFromWorkdir(w);
                if (trustDirectory == null) {
                    trustDirectory = KeyFiles.ppkeys(w);
                }
            }
            return new CfRunClient(this, id);
        }
    }
}
