package dev.cfrun.client.testing;

import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.internal.protocol.tls.ClientCertificate;
import dev.cfrun.client.internal.transport.FrameException;
import dev.cfrun.client.internal.transport.Frames;

import javax.crypto.Cipher;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process, scriptable stand-in for cf-serverd 3.21 on {@code 127.0.0.1:<ephemeral>}. Like cf-serverd it
 * tells classic from TLS by the first 14 bytes, then speaks the TLS identification dialogue (mutual TLS with a
 * v1 {@code CN=a} certificate of its CFEngine key) or the classic RSA dialogue, then EXEC, and answers with a
 * scripted {@link Reply}. What it saw on each connection is recorded as a {@link Session}. Hostile behaviours
 * are switched on per test (hang-ups at a {@link Stage}, an {@link Opening}, a {@link ClassicFault}, reply
 * {@link Step}s). Framing uses {@link Frames}; the RSA and MPI side is written independently of the client.
 * <p>
 * {@link #cfengine2()} starts it as cfservd 2.2.10 instead (classic protocol only, cfservd's own parsing, key
 * checks by file name, EXEC checks, class match, argument blanking and its reply): see "CFEngine 2" below.
 */
public final class FakeCfServerd implements AutoCloseable {
    public static final String FAILED = "BAD: Unspecified server refusal (see verbose server output)";
    public static final String DEFAULT_COMMAND = "/bin/true";
    private static final byte[] SERVER_TERMINATOR = (Frames.TERMINATOR + "\0").getBytes(StandardCharsets.US_ASCII);
    private static final int SAUTH_HEADER = 24;
    private static final Duration SAFETY_TIMEOUT = Duration.ofSeconds(20);

    /** Where the server hangs up without a word (how cf-serverd's access denials look to a client). */
    public enum Stage {
        /** Right after accept(): allowconnects, denyconnects, maxconnections. */
        ACCEPT,
        /** After the TLS handshake, before the version line. */
        TLS_HANDSHAKE,
        /** After the client's version and IDENTITY lines (what an untrusted client key gets). */
        IDENTITY,
        /** Classic: after reading CAUTH. */
        CAUTH,
        /** Classic: after S1, before the nonce digest S2. */
        BEFORE_S2,
        /** After reading the EXEC transaction. */
        EXEC
    }

    /** How the server treats a new connection (after reading the 14 bytes cf-serverd peeks at). */
    public enum Opening {
        NORMAL,
        /** Never answer. */
        SILENCE,
        /** {@code HTTP/1.0 400 Bad Request}, then close: a web server on the port. */
        HTTP_GARBAGE,
        /** The start of a TLS record, one byte per {@link #trickleInterval}: the handshake never completes. */
        TRICKLE_TLS_HANDSHAKE,
        /** A complete handshake, then the version line one byte at a time, never ending it. */
        TRICKLE_IDENTIFICATION
    }

    /** What the server does with a TLS ClientHello: speak TLS, or (a classic-only server) close or answer garbage. */
    public enum TlsSupport { YES, CLOSE, GARBAGE }

    public enum ClassicFault { NONE, WRONG_NONCE_DIGEST, UNDECRYPTABLE_COUNTER_CHALLENGE, BAD_MODULUS_LENGTH }

    /** One step of an EXEC reply. */
    public record Step(Kind kind, byte[] bytes, long millis) {
        public enum Kind { SEND, CLOSE, SILENCE, HOLD_OPEN, ENDLESS_OUTPUT, ENDLESS_MORE, PAUSE }

        /** One transaction carrying this text (no NUL added). */
        public static Step line(String text) {
            return new Step(Kind.SEND, Frames.encode(text), 0);
        }

        /** The server's 28-byte terminator (NUL included). */
        public static Step terminator() {
            return new Step(Kind.SEND, Frames.encode(SERVER_TERMINATOR), 0);
        }

        /** Bytes exactly as given (malformed headers, garbage); ISO-8859-1, so {@code \0} is a NUL byte. */
        public static Step raw(String latin1) {
            return new Step(Kind.SEND, latin1.getBytes(StandardCharsets.ISO_8859_1), 0);
        }

        public static Step close() {
            return new Step(Kind.CLOSE, null, 0);
        }

        /** Say nothing more; keep the connection until the client leaves. */
        /**
         * Neither read nor close until the fake stops: like a cf-serverd whose socket a restarted daemon
         * inherited (no close_notify answer, no FIN).
         */
        public static Step holdOpen() {
            return new Step(Kind.HOLD_OPEN, null, 0);
        }

        public static Step silence() {
            return new Step(Kind.SILENCE, null, 0);
        }

        /** {@code > endless line N} transactions until the client leaves. */
        public static Step endlessOutput() {
            return new Step(Kind.ENDLESS_OUTPUT, null, 0);
        }

        /** Full-size {@code m} ("more") transactions until the client leaves. */
        public static Step endlessMore() {
            return new Step(Kind.ENDLESS_MORE, null, 0);
        }

        public static Step pause(Duration d) {
            return new Step(Kind.PAUSE, null, d.toMillis());
        }
    }

    /** The answer to EXEC; afterwards the server waits for another command, as cf-serverd does. */
    public record Reply(List<Step> steps) {
        public static Reply of(Step... steps) {
            return new Reply(List.of(steps));
        }

        /** A normal run of {@value #DEFAULT_COMMAND}: command line, {@code > } lines, exit code, terminator. */
        public static Reply ok(int exitCode, String... output) {
            return ok(DEFAULT_COMMAND, exitCode, output);
        }

        public static Reply ok(String command, int exitCode, String... output) {
            List<Step> s = new ArrayList<>();
            s.add(Step.line("cf-serverd executing cfruncommand: " + command + "\n"));
            for (String o : output) {
                s.add(Step.line("> " + o + "\n"));
            }
            s.add(Step.line("(exit code: " + exitCode + ")\n"));
            s.add(Step.terminator());
            return new Reply(s);
        }

        /** allowusers / cfruncommand / path ACL refusal: the generic BAD, the terminator, then a close. */
        public static Reply refuse() {
            return of(Step.line(FAILED), Step.terminator(), Step.close());
        }

        /** Denial texts ({@code EXEC denied role activation …}) and the terminator; the connection stays open. */
        public static Reply denied(String... texts) {
            List<Step> s = new ArrayList<>();
            for (String t : texts) {
                s.add(Step.line(t));
            }
            s.add(Step.terminator());
            return new Reply(s);
        }
    }

    /** What the server saw on one connection (written by that connection's thread). */
    public static final class Session {
        public volatile String protocol;           // "tls" or "classic"; null if it never got that far
        public volatile String tlsVersion;
        public volatile RSAPublicKey clientKey;    // from the client certificate, or classic C2/C3
        public volatile String user;               // IDENTITY USERNAME= or the CAUTH user
        public final List<String> identificationLines = new CopyOnWriteArrayList<>();
        public volatile long applicationBytesReceived; // TLS: bytes read after the handshake, before EXEC
        public volatile int clientVersion;         // N of the client's CFE_vN
        public volatile String cauth;
        public volatile String sauthHeader;        // "SAUTH y 256 37 c"
        public volatile Character sauthFlag;
        public volatile boolean clientProvedKey;   // classic C4 matched the counter-challenge
        public volatile int sessionKeyLength = -1; // classic C5, decrypted
        public volatile String execLine;
        public final List<byte[]> execFrames = new CopyOnWriteArrayList<>(); // EXEC, classes, terminator: header + payload
        public final List<String> selectClasses = new CopyOnWriteArrayList<>();
        public volatile boolean terminatorReceived;
        public volatile String end;                // how the connection ended
        // CFEngine 2 (cfservd 2.x) only:
        public volatile String hostname;           // the CAUTH host name, lower-cased
        public volatile String execArgs;           // the argument string cfservd read from EXEC ("EXEC %[^\n]")
        public volatile String command;            // the command line it ran: <cfrunCommand> --no-splay --inform[ <args>]
        public final List<String> classTransactions = new CopyOnWriteArrayList<>(); // class data, one entry per transaction
        private final CountDownLatch execSeen = new CountDownLatch(1);
        private final CountDownLatch done = new CountDownLatch(1);

        public boolean awaitExec(Duration d) throws InterruptedException {
            return execSeen.await(d.toMillis(), TimeUnit.MILLISECONDS);
        }

        public String clientDigest() {
            return clientKey == null ? null : KeyDigest.md5(clientKey);
        }

        @Override
        public String toString() {
            return "Session[" + protocol + " user=" + user + " flag=" + sauthFlag + " exec=" + execLine + " end=" + end + "]";
        }
    }

    /** Ends the dialogue: the server hangs up without a word (after sending {@code last}, if any). */
    private static final class HangUp extends Exception {
        private static final long serialVersionUID = 1L;
        final transient String[] last;

        HangUp(String why, String... last) {
            super(why, null, false, false);
            this.last = last;
        }
    }

    // ---- the script: read by each connection as it goes ----
    private volatile KeyPair keys;
    private volatile SSLContext tls;
    private final Set<String> allowedClients = ConcurrentHashMap.newKeySet();
    private volatile boolean trustAnyClient;
    private volatile Stage closeAt;
    private volatile Opening opening = Opening.NORMAL;
    private volatile TlsSupport tlsSupport = TlsSupport.YES;
    private volatile boolean classicAllowed = true;
    private volatile ClassicFault classicFault = ClassicFault.NONE;
    private volatile String versionLine = "CFE_v3 cf-serverd 3.21.0";
    private volatile String keyReply = "OK: key accepted";
    private volatile String[] tlsProtocols = {"TLSv1.3", "TLSv1.2"};
    private volatile Duration trickleInterval = Duration.ofMillis(300);
    private volatile Function<Session, Reply> reply = s -> Reply.ok(0, "fake agent output");

    // @formatter:off
    /** Client keys this server trusts (its ppkeys); any other is refused, as without trustkeysfrom. */
    public FakeCfServerd allowClient(RSAPublicKey key) { allowedClients.add(KeyDigest.md5(key)); return this; }
    /** trustkeysfrom: accept any client key. */
    public FakeCfServerd trustAnyClient(boolean any) { trustAnyClient = any; return this; }
    public FakeCfServerd closeAt(Stage stage) { closeAt = stage; return this; }
    public FakeCfServerd opening(Opening o) { opening = o; return this; }
    public FakeCfServerd tlsSupport(TlsSupport t) { tlsSupport = t; return this; }
    /** allowlegacyconnects: if false, classic connections are dropped after the peek. */
    public FakeCfServerd classicAllowed(boolean allowed) { classicAllowed = allowed; return this; }
    public FakeCfServerd classicFault(ClassicFault f) { classicFault = f; return this; }
    /** The TLS version line without its LF, e.g. {@code CFE_v2 cf-serverd 3.14.0}. */
    public FakeCfServerd versionLine(String line) { versionLine = line; return this; }

    private volatile int cutAfter = -1;

    /**
     * Hangs up after sending exactly this many bytes of the dialogue (TLS: application bytes; classic: TCP
     * bytes), wherever that falls: inside a header, a payload, a line. -1 (the default) never.
     */
    public FakeCfServerd cutAfter(int bytes) { cutAfter = bytes; return this; }
    /** The classic S1 text; one starting with {@code BAD} ends the dialogue. */
    public FakeCfServerd keyReply(String text) { keyReply = text; return this; }
    public FakeCfServerd tlsProtocols(String... p) { tlsProtocols = p.clone(); return this; }
    public FakeCfServerd trickleInterval(Duration d) { trickleInterval = d; return this; }
    public FakeCfServerd reply(Reply r) { reply = s -> r; return this; }
    /** A reply computed from what the client asked (its EXEC line, select classes). */
    public FakeCfServerd reply(Function<Session, Reply> f) { reply = f; return this; }
    // @formatter:on

    // ---- CFEngine 2 (cfservd 2.2.10): the script, read by each connection as it goes ----
    /** Which server the fake plays. */
    public enum Dialect { CFENGINE3, CFENGINE2 }

    /** cfservd's VERSION reply text (after {@code OK: }). */
    public static final String CF2_VERSION = "2.2.10";
    /** The default {@code cfrunCommand} of the fake cfservd (cfservd.conf {@code cfrunCommand = ( … )}). */
    public static final String CF2_CFRUNCOMMAND = "/var/cfengine/bin/cfagent";

    /**
     * An {@code admit:} rule of cfservd.conf: a path (a file, or a directory admitting what is below it) and who
     * may have it: host names or addresses, with {@code *} and {@code ?} wildcards, or IPv4 {@code a.b.c.d/nn}.
     * The first rule whose path matches decides. The fake resolves no links and assumes the path exists.
     */
    public record Admit(String path, List<String> who) {
        public Admit {
            who = List.copyOf(who);
        }
    }

    private final Dialect dialect;
    private volatile String cfrunCommand = CF2_CFRUNCOMMAND;
    private volatile boolean cfrunCommandLostInReload;
    private final Set<String> allowUsers = ConcurrentHashMap.newKeySet();
    private final List<Admit> admits = new CopyOnWriteArrayList<>();
    private final Set<String> definedClasses = ConcurrentHashMap.newKeySet();
    private final java.util.Map<String, RSAPublicKey> clientKeyFiles = new ConcurrentHashMap<>();
    private volatile boolean hostnameKeys;
    private volatile Function<Session, List<String>> agentOutput = s -> List.of("fake agent output");
    private volatile boolean crashed;

    {
        allowUsers.add(System.getProperty("user.name", "root")); // what a client claims by default
        admits.add(new Admit("/var/cfengine/bin", List.of("127.0.0.1")));
        definedClasses.addAll(List.of("any", "linux", "debian"));
    }

    // @formatter:off
    /**
     * CFEngine 2: {@code cfrunCommand}, an absolute path and optional arguments; null = not defined (then the
     * {@code admit:} check on its empty path refuses every EXEC, as cfservd does).
     */
    public FakeCfServerd cfrunCommand(String command) {
        if (command != null && !command.startsWith("/")) {
            throw new IllegalArgumentException("cfservd refuses to start: $(cfrunCommand) does not expand to an absolute filename");
        }
        cfrunCommand = command;
        return this;
    }
    /**
     * CFEngine 2: the race in which cfservd re-reads cfservd.conf while an EXEC is served: the admit check still
     * sees the old cfrunCommand path, but the variable is gone when the command is built, so cfservd answers
     * {@code Exec request: no cfrunCommand defined} (the only way to get that text from 2.2.10).
     */
    public FakeCfServerd cfrunCommandLostInReload(boolean lost) { cfrunCommandLostInReload = lost; return this; }
    /** CFEngine 2: {@code AllowUsers} (exact names); default: the local user name, which clients claim by default. */
    public FakeCfServerd allowUsers(String... users) { allowUsers.clear(); allowUsers.addAll(List.of(users)); return this; }
    /** CFEngine 2: replaces the {@code admit:} rules (default: {@code /var/cfengine/bin 127.0.0.1}). */
    public FakeCfServerd admit(Admit... rules) { admits.clear(); admits.addAll(List.of(rules)); return this; }
    /** CFEngine 2: the classes defined on the server, for the class match ({@code any} is always defined). */
    public FakeCfServerd definedClasses(String... classes) {
        definedClasses.clear();
        definedClasses.add("any");
        definedClasses.addAll(List.of(classes));
        return this;
    }
    /**
     * CFEngine 2: a client key file {@code ppkeys/<keyName>.pub} of the server; cfservd looks up
     * {@code <user>-<client ip>} ({@code <user>-<CAUTH host name>} with {@link #hostnameKeys}). An unknown key is
     * accepted only with {@link #trustAnyClient} (TrustKeysFrom), which then stores it under that name.
     */
    public FakeCfServerd clientKeyFile(String keyName, RSAPublicKey key) { clientKeyFiles.put(keyName, key); return this; }
    /** CFEngine 2: {@code ppkeys/<user>-127.0.0.1.pub}, as cfservd stores a key it accepted from this user. */
    public FakeCfServerd clientKey(String user, RSAPublicKey key) { return clientKeyFile(user + "-127.0.0.1", key); }
    /** CFEngine 2: the HostnameKeys option (client keys named by the CAUTH host name instead of the address). */
    public FakeCfServerd hostnameKeys(boolean on) { hostnameKeys = on; return this; }
    /** CFEngine 2: what the agent prints, line by line without newlines (stdout and stderr merged). */
    public FakeCfServerd agentOutput(String... lines) { List<String> l = List.of(lines); agentOutput = s -> l; return this; }
    /** CFEngine 2: the agent's output computed from what the client asked ({@link Session#command} etc.). */
    public FakeCfServerd agentOutput(Function<Session, List<String>> f) { agentOutput = f; return this; }
    /** CFEngine 2: true once the fake cfservd hit one of its FatalError exits (it then accepts no more connections). */
    public boolean crashed() { return crashed; }
    // @formatter:on

    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-cf-serverd");
        t.setDaemon(true);
        return t;
    });
    private final List<Session> sessions = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closed;

    private FakeCfServerd(KeyPair keys, Dialect dialect) throws IOException {
        this.dialect = dialect;
        useKeys(keys);
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        threads.execute(this::acceptLoop);
    }

    /** A server with the shared {@link #defaultKeys()}. */
    public static FakeCfServerd start() throws IOException {
        return new FakeCfServerd(defaultKeys(), Dialect.CFENGINE3);
    }

    public static FakeCfServerd start(KeyPair keys) throws IOException {
        return new FakeCfServerd(keys, Dialect.CFENGINE3);
    }

    /**
     * A cfservd 2.2.10 with the shared {@link #defaultKeys()}: classic only (a TLS ClientHello is an empty first
     * transaction to it), the CFEngine 2 settings below ({@link #cfrunCommand}, {@link #allowUsers}, {@link #admit},
     * {@link #definedClasses}, {@link #clientKey}, {@link #agentOutput}, …), and {@link #trustAnyClient} as
     * TrustKeysFrom. The CFEngine 3 knobs (reply, closeAt, opening, tlsSupport, classicFault, keyReply,
     * allowClient) do not apply. Every transaction it sends has garbage after the NUL of its header.
     */
    public static FakeCfServerd cfengine2() throws IOException {
        return cfengine2(defaultKeys());
    }

    /** A cfservd 2.2.10 with this key pair (CFEngine 2 keys have e = 35; any exponent works). */
    public static FakeCfServerd cfengine2(KeyPair keys) throws IOException {
        return new FakeCfServerd(keys, Dialect.CFENGINE2);
    }

    public Dialect dialect() {
        return dialect;
    }

    // ---- keys: generating 2048-bit RSA is slow, so the two shared pairs are made once per JVM ----
    private static KeyPair defaultKeys;
    private static KeyPair otherKeys;

    public static synchronized KeyPair defaultKeys() {
        if (defaultKeys == null) {
            defaultKeys = generateKeys();
        }
        return defaultKeys;
    }

    /** A second shared pair: the server after a reinstall, or an impostor. */
    public static synchronized KeyPair otherKeys() {
        if (otherKeys == null) {
            otherKeys = generateKeys();
        }
        return otherKeys;
    }

    public static KeyPair generateKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(new RSAKeyGenParameterSpec(2048, RSAKeyGenParameterSpec.F4));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Switches the server's key pair (for later connections). */
    public synchronized FakeCfServerd useKeys(KeyPair kp) {
        try {
            X509Certificate cert = ClientCertificate.create(new ClientIdentity((RSAPrivateCrtKey) kp.getPrivate()));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "fake".toCharArray();
            ks.setKeyEntry("cfengine", kp.getPrivate(), pw, new Certificate[] {cert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), new TrustManager[] {new AcceptAnyCertificate()}, random);
            keys = kp;
            tls = ctx;
            return this;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- what tests look at ----
    public int port() {
        return listener.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>}, for RunRequest.builder. */
    public String hostSpec() {
        return "127.0.0.1:" + port();
    }

    public RSAPublicKey publicKey() {
        return (RSAPublicKey) keys.getPublic();
    }

    public String digest() {
        return KeyDigest.md5(publicKey());
    }

    /** The connections accepted so far, finished or not. */
    public List<Session> sessions() {
        return List.copyOf(sessions);
    }

    /** Connection #i once the server is done with it (the client left, or the server hung up). */
    public Session session(int i) throws InterruptedException {
        long end = System.nanoTime() + SAFETY_TIMEOUT.toNanos();
        while (sessions.size() <= i) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("no connection #" + i + " within " + SAFETY_TIMEOUT);
            }
            Thread.sleep(5);
        }
        Session s = sessions.get(i);
        if (!s.done.await(SAFETY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("connection #" + i + " still open after " + SAFETY_TIMEOUT + ": " + s);
        }
        return s;
    }

    /** Every connection accepted so far, each finished. */
    public List<Session> finishedSessions() throws InterruptedException {
        List<Session> out = new ArrayList<>();
        for (int i = 0; i < sessions.size(); i++) {
            out.add(session(i));
        }
        return out;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        open.forEach(FakeCfServerd::closeQuietly);
        threads.shutdownNow();
    }

    // ---- the server ----
    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                Session session = new Session();
                sessions.add(session);
                open.add(s);
                try {
                    threads.execute(() -> serve(s, session));
                } catch (RejectedExecutionException e) {
                    closeQuietly(s);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /** The socket spoken through (TCP, then maybe TLS) and its streams. */
    private static final class Conn {
        final Socket tcp;
        Socket top;
        InputStream in;
        OutputStream out;

        Conn(Socket tcp) throws IOException {
            this.tcp = tcp;
            this.top = tcp;
            this.in = tcp.getInputStream();
            this.out = tcp.getOutputStream();
        }

        int budget = -1; // bytes left before hanging up (cutAfter), -1 = unlimited

        void send(byte[] b) throws IOException {
            if (budget >= 0 && b.length > budget) {
                out.write(b, 0, budget);
                out.flush();
                budget = 0;
                throw new IOException("cut: hung up mid-dialogue as scripted");
            }
            out.write(b); // one write per transaction: one TLS record
            out.flush();
            if (budget >= 0) {
                budget -= b.length;
            }
        }

        void sendFrame(byte[] payload) throws IOException {
            send(Frames.encode(payload));
        }

        void sendFrame(String text) throws IOException {
            send(Frames.encode(text));
        }

        /** One transaction as received, header and payload; null at a clean end of stream. */
        byte[] readRawFrame() throws IOException {
            byte[] h = in.readNBytes(Frames.HEADER_LENGTH);
            if (h.length == 0) {
                return null;
            }
            if (h.length < Frames.HEADER_LENGTH) {
                throw new FrameException("truncated header from the client");
            }
            int len = Frames.parseLength(h);
            byte[] raw = Arrays.copyOf(h, Frames.HEADER_LENGTH + len);
            if (in.readNBytes(raw, Frames.HEADER_LENGTH, len) < len) {
                throw new FrameException("truncated transaction from the client");
            }
            return raw;
        }

        byte[] readPayload() throws IOException {
            byte[] raw = readRawFrame();
            if (raw == null) {
                throw new EOFException("client closed");
            }
            return Arrays.copyOfRange(raw, Frames.HEADER_LENGTH, raw.length);
        }
    }

    private void serve(Socket tcp, Session s) {
        Conn c = null;
        try {
            tcp.setSoTimeout((int) SAFETY_TIMEOUT.toMillis());
            tcp.setTcpNoDelay(true);
            c = new Conn(tcp);
            c.budget = cutAfter;
            try {
                dialogue(c, s);
            } catch (HangUp h) {
                for (String text : h.last) {
                    c.sendFrame(text);
                }
                hangUp(c, s, h.getMessage());
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (s.end == null) {
                s.end = "error: " + e;
            }
        } finally {
            if (c != null) {
                closeQuietly(c.top);
            }
            closeQuietly(tcp);
            open.remove(tcp);
            s.done.countDown();
        }
    }

    private void dialogue(Conn c, Session s) throws IOException, GeneralSecurityException, HangUp {
        if (dialect == Dialect.CFENGINE2) {
            cf2(c, s);
            return;
        }
        if (closeAt == Stage.ACCEPT) {
            throw new HangUp("closed after accept");
        }
        byte[] first = c.in.readNBytes(8 + "CAUTH".length() + 1); // what cf-serverd peeks at
        if (first.length == 0) {
            s.end = "client left before sending anything";
            return;
        }
        switch (opening) {
            case SILENCE -> {
                s.end = "silent";
                drain(c);
                return;
            }
            case HTTP_GARBAGE -> {
                c.send("HTTP/1.0 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<h1>Bad Request</h1>\n"
                        .getBytes(StandardCharsets.US_ASCII));
                throw new HangUp("answered HTTP garbage");
            }
            case TRICKLE_TLS_HANDSHAKE -> {
                trickle(c, s, new byte[] {0x16, 0x03, 0x03, 0x40, 0x00, 0x02, 0x00, 0x3f, (byte) 0xfc, 0x03, 0x03});
                return;
            }
            default -> { }
        }
        if (first.length < 14 || new String(first, 8, 5, StandardCharsets.ISO_8859_1).equals("CAUTH")) {
            s.protocol = "classic";
            if (!classicAllowed) {
                throw new HangUp("classic: not in allowlegacyconnects");
            }
            c.in = new SequenceInputStream(new ByteArrayInputStream(first), c.tcp.getInputStream());
            classic(c, s);
            return;
        }
        s.protocol = "tls";
        switch (tlsSupport) {
            case CLOSE -> throw new HangUp("does not speak TLS: closed");
            case GARBAGE -> throw new HangUp("does not speak TLS: answered a transaction", FAILED);
            default -> tls(c, s, first);
        }
    }

    // ---- TLS ----
    private void tls(Conn c, Session s, byte[] first) throws IOException, HangUp {
        SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(c.tcp, new ByteArrayInputStream(first), true);
        ssl.setUseClientMode(false);
        ssl.setNeedClientAuth(true); // cf-serverd: SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        List<String> protocols = Arrays.asList(ssl.getSupportedProtocols());
        ssl.setEnabledProtocols(Arrays.stream(tlsProtocols).filter(protocols::contains).toArray(String[]::new));
        List<String> suites = Arrays.asList(ssl.getSupportedCipherSuites()); // cf-serverd's defaults:
        ssl.setEnabledCipherSuites(Arrays.stream(new String[] {"TLS_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_RSA_WITH_AES_256_CBC_SHA"}).filter(suites::contains).toArray(String[]::new));
        ssl.startHandshake();
        c.top = ssl;
        c.in = ssl.getInputStream();
        c.out = ssl.getOutputStream();
        s.tlsVersion = ssl.getSession().getProtocol();
        s.clientKey = (RSAPublicKey) ssl.getSession().getPeerCertificates()[0].getPublicKey();
        if (closeAt == Stage.TLS_HANDSHAKE) {
            throw new HangUp("closed after the TLS handshake");
        }
        if (opening == Opening.TRICKLE_IDENTIFICATION) {
            trickle(c, s, (versionLine + " " + "x".repeat(2000)).getBytes(StandardCharsets.US_ASCII));
            return;
        }
        c.send((versionLine + "\n").getBytes(StandardCharsets.US_ASCII));
        String hello = readLine(c, s);
        if (hello == null) {
            s.end = "client left before its version line";
            return;
        }
        // cf-serverd parses only "CFE_v%d" and refuses 1 and anything above its own version
        Matcher ours = Pattern.compile("CFE_v(\\d+).*").matcher(versionLine);
        int latest = ours.matches() ? Integer.parseInt(ours.group(1)) : 3;
        Matcher m = Pattern.compile("CFE_v(\\d+) .*").matcher(hello);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 2 || Integer.parseInt(m.group(1)) > latest) {
            throw new HangUp("refused the client's version line '" + hello + "'");
        }
        s.clientVersion = Integer.parseInt(m.group(1));
        String identity = readLine(c, s);
        if (identity == null || !identity.startsWith("IDENTITY ")) {
            throw new HangUp("no IDENTITY line: " + identity);
        }
        String user = "";
        for (String kv : identity.substring("IDENTITY ".length()).split(" ")) {
            if (kv.startsWith("USERNAME=")) {
                user = kv.substring("USERNAME=".length());
            }
        }
        s.user = user;
        if (closeAt == Stage.IDENTITY || !clientAllowed(s.clientKey) || user.contains("/") || user.contains("\\")) {
            throw new HangUp("TRUST FAILED, or a bad identity: closed after IDENTITY");
        }
        c.send((user.isEmpty() ? "OK WELCOME\n" : "OK WELCOME USERNAME=" + user + "\n").getBytes(StandardCharsets.US_ASCII));
        exec(c, s);
    }

    /** An identification line (cf-serverd's buffer is 1024 bytes), counting every byte received. */
    private static String readLine(Conn c, Session s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int x = c.in.read(); x >= 0; x = c.in.read()) {
            s.applicationBytesReceived++;
            if (x == '\n') {
                s.identificationLines.add(b.toString(StandardCharsets.US_ASCII));
                return b.toString(StandardCharsets.US_ASCII);
            }
            if (b.size() == 1024) {
                throw new FrameException("identification line too long");
            }
            b.write(x);
        }
        return null;
    }

    // ---- classic ----
    private void classic(Conn c, Session s) throws IOException, GeneralSecurityException, HangUp {
        s.cauth = text(c.readPayload());
        String[] f = s.cauth.split(" ");
        if (f.length < 4 || !f[0].equals("CAUTH")) {
            throw new HangUp("no CAUTH", FAILED);
        }
        s.user = f[3];
        if (closeAt == Stage.CAUTH) {
            throw new HangUp("closed after CAUTH");
        }
        byte[] sauth = c.readPayload();
        s.sauthHeader = text(Arrays.copyOf(sauth, Math.min(SAUTH_HEADER, sauth.length)));
        String[] h = s.sauthHeader.split(" ");
        if (sauth.length < SAUTH_HEADER || h.length < 4 || !h[0].equals("SAUTH") || !h[2].matches("\\d{1,3}")
                || !h[3].matches("\\d{1,3}")) {
            throw new HangUp("bad SAUTH", FAILED);
        }
        char flag = h[1].charAt(0);
        s.sauthFlag = flag;
        int encLen = Integer.parseInt(h[2]);
        int plainLen = Integer.parseInt(h[3]);
        byte[] challenge = Arrays.copyOfRange(sauth, SAUTH_HEADER, sauth.length);
        byte[] nonce = challenge.length != encLen || plainLen < 1 || plainLen > 512 || encLen > 512 ? null
                : flag == 'y' ? rsa(Cipher.DECRYPT_MODE, keys.getPrivate(), challenge) : challenge;
        if (nonce == null || nonce.length != plainLen) {
            throw new HangUp("could not decrypt the challenge", FAILED);
        }
        BigInteger n = mpi(c.readPayload());
        BigInteger e = mpi(c.readPayload());
        if (n == null || e == null) {
            throw new HangUp("bad client key MPI");
        }
        RSAPublicKey clientKey = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        s.clientKey = clientKey;
        if (!clientAllowed(clientKey)) {
            throw new HangUp("client key not trusted", "BAD: key could not be accepted on trust", FAILED);
        }
        if (keyReply.startsWith("BAD")) {
            throw new HangUp("scripted key refusal", keyReply);
        }
        c.sendFrame(keyReply);
        if (closeAt == Stage.BEFORE_S2) {
            throw new HangUp("closed before S2");
        }
        // S1-S5 go out back to back, as cf-serverd sends them
        byte[] proof = MessageDigest.getInstance("MD5").digest(nonce);
        if (classicFault == ClassicFault.WRONG_NONCE_DIGEST) {
            proof[0] ^= 0x5a;
        }
        c.sendFrame(proof);
        byte[] r = new byte[32];
        random.nextBytes(r);
        r[0] |= (byte) 0x80;
        byte[] counter = mpi(new BigInteger(1, r));
        c.sendFrame(classicFault == ClassicFault.UNDECRYPTABLE_COUNTER_CHALLENGE
                ? new byte[(clientKey.getModulus().bitLength() + 7) / 8] // RSA of 0 never has valid padding
                : rsa(Cipher.ENCRYPT_MODE, clientKey, counter));
        if (flag == 'n') {
            byte[] s4 = mpi(publicKey().getModulus());
            if (classicFault == ClassicFault.BAD_MODULUS_LENGTH) {
                s4[3]++; // declares one byte more than it carries
            }
            c.sendFrame(s4);
            c.sendFrame(mpi(publicKey().getPublicExponent()));
        }
        byte[] c4 = c.readPayload();
        s.clientProvedKey = c4.length >= 16
                && MessageDigest.isEqual(Arrays.copyOf(c4, 16), MessageDigest.getInstance("MD5").digest(counter));
        if (!s.clientProvedKey) {
            throw new HangUp("wrong counter-challenge response");
        }
        byte[] sessionKey = rsa(Cipher.DECRYPT_MODE, keys.getPrivate(), c.readPayload());
        s.sessionKeyLength = sessionKey == null ? -1 : sessionKey.length;
        if (s.sessionKeyLength != 16) {
            throw new HangUp("bad session key");
        }
        exec(c, s);
    }

    /** RSA with PKCS#1 v1.5 padding; null if the input cannot be decrypted. */
    private static byte[] rsa(int mode, Key key, byte[] data) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("RSA/ECB/PKCS1Padding");
        cipher.init(mode, key);
        try {
            return cipher.doFinal(data);
        } catch (GeneralSecurityException e) {
            return null;
        }
    }

    /** BN_bn2mpi of a non-negative number. */
    static byte[] mpi(BigInteger v) {
        byte[] mag = v.signum() == 0 ? new byte[0] : v.toByteArray();
        byte[] out = new byte[4 + mag.length];
        for (int i = 0; i < 4; i++) {
            out[i] = (byte) (mag.length >>> (24 - 8 * i));
        }
        System.arraycopy(mag, 0, out, 4, mag.length);
        return out;
    }

    /** BN_mpi2bn: the declared length must match exactly; null if not, or if negative. */
    static BigInteger mpi(byte[] b) {
        if (b.length < 4) {
            return null;
        }
        long len = ((b[0] & 0xffL) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if (len != b.length - 4 || (len > 0 && (b[4] & 0x80) != 0)) {
            return null;
        }
        return len == 0 ? BigInteger.ZERO : new BigInteger(1, Arrays.copyOfRange(b, 4, b.length));
    }

    // ---- EXEC ----
    private void exec(Conn c, Session s) throws IOException, HangUp {
        byte[] raw = c.readRawFrame();
        if (raw == null) {
            s.end = "client left without a command";
            return;
        }
        s.execFrames.add(raw);
        s.execLine = text(Arrays.copyOfRange(raw, Frames.HEADER_LENGTH, raw.length));
        s.execSeen.countDown();
        if (closeAt == Stage.EXEC) {
            throw new HangUp("closed after EXEC");
        }
        if (!s.execLine.equals("EXEC") && !s.execLine.startsWith("EXEC ")) {
            throw new HangUp("unknown command", "BAD: Request denied");
        }
        while (!s.terminatorReceived) {
            raw = c.readRawFrame();
            if (raw == null) {
                s.end = "client left before the end of the class list";
                return;
            }
            s.execFrames.add(raw);
            String text = text(Arrays.copyOfRange(raw, Frames.HEADER_LENGTH, raw.length));
            if (text.startsWith(Frames.TERMINATOR)) {
                s.terminatorReceived = true;
            } else {
                s.selectClasses.add(text);
            }
        }
        for (Step step : reply.apply(s).steps()) {
            switch (step.kind()) {
                case SEND -> c.send(step.bytes());
                case PAUSE -> sleep(step.millis());
                case CLOSE -> throw new HangUp("closed during the reply");
                case SILENCE -> {
                    s.end = "silent during the reply";
                    drain(c);
                    return;
                }
                case HOLD_OPEN -> {
                    s.end = "held open";
                    while (!closed) {
                        sleep(20);
                    }
                    return;
                }
                case ENDLESS_OUTPUT -> {
                    for (long i = 0; !closed; i++) {
                        c.send(Frames.encode("> endless line " + i + "\n"));
                    }
                    return;
                }
                case ENDLESS_MORE -> {
                    byte[] more = Frames.encode(Frames.MORE, new byte[Frames.MAX_PAYLOAD]);
                    while (!closed) {
                        c.send(more);
                    }
                    return;
                }
                default -> throw new IllegalStateException(step.kind().toString());
            }
        }
        s.end = "replied; waiting for the next command";
        drain(c);
    }

    // ---- CFEngine 2: cfservd 2.2.10 (src/cfservd.c BusyWithConnection and below) ----

    /** cfservd called FatalError (e.g. SendTransaction of more than 4088 bytes): the whole daemon exits. */
    private static final class Crash extends Exception {
        private static final long serialVersionUID = 1L;

        Crash(String why) {
            super(why, null, false, false);
        }
    }

    /** What cfservd keeps per connection (struct cfd_connection). */
    private static final class Cf2Conn {
        boolean idVerified;
        boolean rsaAuth;
        boolean trust;
        String username = "";
        String hostname = "";
        String ip;
    }

    private static final String CF2_FAILED = FAILED; // CF_FAILEDSTR, identical in 2.x and 3.x
    /** Header bytes after the NUL: cfservd 2.x formats the header into an uninitialised stack buffer. */
    private static final byte[] CF2_HEADER_GARBAGE = {'7', (byte) 0xa5, ' ', '9', 'x', (byte) 0xff, '3'};

    /** One connection, command by command, until cfservd would return false and close. */
    private void cf2(Conn c, Session s) throws IOException, GeneralSecurityException {
        s.protocol = "classic";
        Cf2Conn conn = new Cf2Conn();
        conn.ip = c.tcp.getInetAddress().getHostAddress();
        try {
            while (true) {
                byte[] in = cf2Receive(c);
                if (in == null) {
                    cf2Close(c, s, "bad transaction header: ReceiveTransaction failed");
                    return;
                }
                String text = cString(in);
                if (text.isEmpty()) {
                    // EOF, or a header that does not parse as "%c %u" (a TLS ClientHello): length 0
                    cf2Close(c, s, "empty transaction: cfservd terminating NULL transmission");
                    return;
                }
                String op = scanWord(text, new int[] {0}); // GetCommand: sscanf("%4095s")
                switch (op) {
                    case "EXEC" -> {
                        cf2Exec(c, s, conn, in, text);
                        return;
                    }
                    case "VERSION" -> {
                        if (!conn.idVerified) {
                            cf2Send(c, CF2_FAILED);
                        }
                        cf2Send(c, "OK: " + CF2_VERSION);
                        if (!conn.idVerified) {
                            cf2Close(c, s, "VERSION before CAUTH");
                            return;
                        }
                    }
                    case "CAUTH" -> {
                        // VerifyConnection: conn->trust is always false here, so the claims are taken as they are
                        s.cauth = text;
                        String[] f = text.length() > 6 ? text.substring(6).strip().split("\\s+") : new String[0];
                        conn.hostname = f.length > 1 ? f[1].toLowerCase(java.util.Locale.ROOT) : "";
                        conn.username = f.length > 2 ? f[2] : "";
                        s.hostname = conn.hostname;
                        s.user = conn.username;
                        conn.idVerified = true;
                    }
                    case "SAUTH" -> {
                        if (!conn.idVerified || !cf2Authenticate(c, s, conn, in)) {
                            cf2Send(c, CF2_FAILED); // RefuseAccess
                            cf2Close(c, s, conn.idVerified ? "RSA authentication failed" : "SAUTH before CAUTH");
                            return;
                        }
                    }
                    default -> {
                        // GET, OPENDIR, … (file copies) are not played by the fake: treated as unknown commands
                        cf2Send(c, "BAD: Request denied\n");
                        cf2Close(c, s, "unknown command '" + op + "'");
                        return;
                    }
                }
            }
        } catch (Crash crash) {
            s.end = "cfservd exited: FatalError(" + crash.getMessage() + ")";
            crash(c);
        }
    }

    /**
     * ReceiveTransaction of 2.x: {@code sscanf("%c %u")} on the 8-byte header (any status byte; no digits means
     * length 0), a length above 4088 is an error (null), a short read at EOF returns what came.
     */
    private static byte[] cf2Receive(Conn c) throws IOException {
        byte[] h = c.in.readNBytes(Frames.HEADER_LENGTH);
        if (h.length < Frames.HEADER_LENGTH) {
            return new byte[0];
        }
        int i = 1;
        while (i < h.length && isCSpace(h[i])) {
            i++;
        }
        if (i < h.length && (h[i] == '+' || h[i] == '-')) {
            i++;
        }
        long len = 0;
        while (i < h.length && h[i] >= '0' && h[i] <= '9') {
            len = len * 10 + (h[i++] - '0');
        }
        if (len > Frames.MAX_PAYLOAD) {
            return null;
        }
        return c.in.readNBytes((int) len);
    }

    /** SendTransaction of 2.x: more than 4088 bytes is a FatalError; the header ends in stack garbage. */
    private static void cf2Send(Conn c, byte[] payload) throws IOException, Crash {
        if (payload.length > Frames.MAX_PAYLOAD) {
            throw new Crash("SendTransaction software failure (" + payload.length + " bytes)");
        }
        byte[] frame = new byte[Frames.HEADER_LENGTH + payload.length];
        byte[] h = ("t " + payload.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(h, 0, frame, 0, h.length);
        frame[h.length] = 0;
        for (int i = h.length + 1; i < Frames.HEADER_LENGTH; i++) {
            frame[i] = CF2_HEADER_GARBAGE[i - 1];
        }
        System.arraycopy(payload, 0, frame, Frames.HEADER_LENGTH, payload.length);
        c.send(frame);
    }

    /** A C string sent with length 0 (strlen; snprintf into CF_BUFSIZE truncates at 4095 bytes). */
    private static void cf2Send(Conn c, String text) throws IOException, Crash {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        cf2Send(c, b.length > 4095 ? Arrays.copyOf(b, 4095) : b);
    }

    /**
     * close() as cfservd does it: a FIN, or, when the client's data is still unread (its class data after a
     * refused EXEC, C2/C3 after a failed SAUTH), a reset, as the kernel sends for a socket closed with unread data.
     */
    private static void cf2Close(Conn c, Session s, String why) {
        s.end = closeLikeC(c) ? why + " (closed with unread data: reset)" : why;
    }

    /** close(2): true if the client's data was still unread, which makes the kernel send a reset. */
    private static boolean closeLikeC(Conn c) {
        boolean unread = false;
        try {
            unread = c.in.available() > 0;
            if (unread) {
                c.tcp.setSoLinger(true, 0);
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        closeQuietly(c.tcp);
        return unread;
    }

    /** FatalError: the daemon exits, every connection and the listening socket close. */
    private void crash(Conn c) {
        crashed = true;
        closeQuietly(listener);
        closeLikeC(c);
        for (Socket other : open) {
            if (other != c.tcp) {
                closeQuietly(other);
            }
        }
    }

    /** AuthenticationDialogue (C1 is already read): S1-S5, C4, C5. False means RefuseAccess and close. */
    private boolean cf2Authenticate(Conn c, Session s, Cf2Conn conn, byte[] sauth)
            throws IOException, GeneralSecurityException, Crash {
        // sscanf(recvbuffer, "%s %c %d %d") on the C string: only the first 4 tokens; no enterprise field
        String head = cString(sauth);
        s.sauthHeader = cString(Arrays.copyOf(sauth, Math.min(SAUTH_HEADER, sauth.length)));
        int[] pos = {0};
        String word = scanWord(head, pos);
        skipCSpace(head, pos);
        char iscrypt = pos[0] < head.length() ? head.charAt(pos[0]++) : 'n';
        long cryptLen = scanInt(head, pos);
        long nonceLen = scanInt(head, pos);
        s.sauthFlag = iscrypt;
        if (cryptLen == 0 || nonceLen == 0 || word.isEmpty() || nonceLen > 512 || cryptLen > 512
                || SAUTH_HEADER + nonceLen > sauth.length || !word.equals("SAUTH")) {
            s.end = "SAUTH protocol error";
            return false;
        }
        byte[] nonce;
        if (iscrypt == 'y') {
            byte[] enc = Arrays.copyOf(Arrays.copyOfRange(sauth, SAUTH_HEADER, sauth.length), (int) cryptLen);
            byte[] dec = rsa(Cipher.DECRYPT_MODE, keys.getPrivate(), enc);
            if (dec == null) {
                return false; // "Private decrypt failed": the challenge was encrypted to another key
            }
            nonce = Arrays.copyOf(dec, (int) nonceLen); // the decrypted length is not checked
        } else {
            if (nonceLen > cryptLen) {
                return false; // "Illegal challenge"
            }
            nonce = Arrays.copyOfRange(sauth, SAUTH_HEADER, SAUTH_HEADER + (int) nonceLen);
        }
        byte[] nonceDigest = MessageDigest.getInstance("MD5").digest(nonce);

        BigInteger n = cf2Mpi(cf2Receive(c));
        if (n == null) {
            return false;
        }
        BigInteger e = cf2Mpi(cf2Receive(c));
        if (e == null) {
            return false;
        }
        RSAPublicKey clientKey;
        try {
            clientKey = (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        } catch (GeneralSecurityException ex) {
            return false;
        }
        s.clientKey = clientKey;

        // CheckStoreKey, which sends S1
        String keyName = conn.username + "-" + (hostnameKeys ? conn.hostname : conn.ip);
        RSAPublicKey saved = clientKeyFiles.get(keyName);
        if (saved != null) {
            if (!saved.getModulus().equals(n) || !saved.getPublicExponent().equals(e)) {
                cf2Send(c, "BAD: keys did not match");
                s.end = "client key differs from ppkeys/" + keyName + ".pub";
                return false;
            }
            cf2Send(c, "OK: key accepted");
        } else if (trustAnyClient) {
            conn.trust = true;
            cf2Send(c, "OK: unknown key was accepted on trust");
            clientKeyFiles.put(keyName, clientKey);
        } else {
            cf2Send(c, "BAD: key could not be accepted on trust");
            s.end = "no ppkeys/" + keyName + ".pub and no TrustKeysFrom";
            return false;
        }

        cf2Send(c, nonceDigest); // S2
        byte[] r = new byte[32];
        random.nextBytes(r);
        r[0] |= (byte) 0x80; // BN_rand(256, 0, 0)
        byte[] counter = mpi(new BigInteger(1, r));
        byte[] counterDigest = MessageDigest.getInstance("MD5").digest(counter);
        byte[] s3 = rsa(Cipher.ENCRYPT_MODE, clientKey, counter);
        if (s3 == null) {
            return false; // "Public encryption failed"
        }
        cf2Send(c, s3);
        if (iscrypt != 'y') { // S4, S5: anything but 'y' gets the server key
            cf2Send(c, mpi(publicKey().getModulus()));
            cf2Send(c, mpi(publicKey().getPublicExponent()));
        }
        byte[] c4 = cf2Receive(c);
        if (c4 == null) {
            return false;
        }
        s.clientProvedKey = MessageDigest.isEqual(Arrays.copyOf(c4, 16), counterDigest); // ChecksumsMatch, MD5
        if (!s.clientProvedKey) {
            s.end = "wrong counter-challenge response";
            return false;
        }
        byte[] c5 = cf2Receive(c);
        if (c5 == null || c5.length > Frames.MAX_PAYLOAD / 2) {
            return false; // "Session key length received … is too long"
        }
        if (c5.length == 16) {
            s.sessionKeyLength = 16; // old clients: the key in clear
        } else {
            byte[] key = rsa(Cipher.DECRYPT_MODE, keys.getPrivate(), c5);
            if (key == null) {
                return false;
            }
            s.sessionKeyLength = key.length; // cfservd copies 16 bytes whatever the length
        }
        conn.rsaAuth = true;
        return true;
    }

    /** BN_mpi2bn of OpenSSL 0.9: the declared length must match the transaction; empty means an error. */
    private static BigInteger cf2Mpi(byte[] b) {
        if (b == null || b.length == 0) {
            return null;
        }
        return mpi(b);
    }

    /** The EXEC case of BusyWithConnection, then MatchClasses and DoExec; the connection always closes. */
    private void cf2Exec(Conn c, Session s, Cf2Conn conn, byte[] in, String text) throws IOException, Crash {
        // sscanf(recvbuffer, "EXEC %[^\n]", args): the literal must start the text; args stay empty otherwise
        int[] pos = {4};
        skipCSpace(text, pos);
        int nl = text.indexOf('\n', pos[0]);
        String args = text.startsWith("EXEC") ? text.substring(pos[0], nl < 0 ? text.length() : nl) : "";
        s.execFrames.add(Frames.encode(in));
        s.execLine = text;
        s.execArgs = args;
        s.execSeen.countDown();
        String refusal = !conn.idVerified ? "EXEC before CAUTH"
                : !allowUsers.contains(conn.username) ? "user '" + conn.username + "' not in AllowUsers"
                : !conn.rsaAuth ? "EXEC before RSA authentication"
                : !cf2AccessControl(cfrunPath(), conn) ? "no admit rule for '" + cfrunPath() + "' matches " + conn.hostname
                + "/" + conn.ip
                : null;
        if (refusal != null) {
            cf2Send(c, CF2_FAILED); // RefuseAccess; no terminator
            cf2Close(c, s, "refused: " + refusal);
            return;
        }
        if (!cf2MatchClasses(c, s, conn)) {
            cf2Terminate(c, s);
            cf2Close(c, s, "class match failed");
            return;
        }
        cf2DoExec(c, s, args);
        cf2Terminate(c, s);
        cf2Close(c, s, s.command == null ? "no command run" : "ran " + s.command);
    }

    /** CFRUNCOMMAND: the first word of cfrunCommand, or "" when it is not defined. */
    private String cfrunPath() {
        String cmd = cfrunCommand;
        return cmd == null ? "" : cmd.strip().split("\\s+")[0];
    }

    /** AccessControl(CFRUNCOMMAND): an admit rule for the path (exact, or a directory above it) naming us. */
    private boolean cf2AccessControl(String path, Cf2Conn conn) {
        if (path.isEmpty()) {
            return false; // realpath("") fails
        }
        for (Admit a : admits) {
            if (path.equals(a.path()) || (path.length() > a.path().length() && path.startsWith(a.path())
                    && path.charAt(a.path().length()) == '/')) {
                for (String w : a.who()) { // the first matching rule decides
                    if (wildMatch(w, conn.hostname) || wildMatch(w, conn.ip) || cidrMatch(w, conn.ip)) {
                        return true;
                    }
                }
                return false;
            }
        }
        return false;
    }

    /**
     * MatchClasses: up to 10 transactions; a lone terminator first means no restriction; otherwise the words of
     * each transaction are tried as class expressions until one is defined, or a word is the terminator
     * (cfrun 2.x appends it to its one class transaction; a 3.x-style client sends it alone: both end the list).
     */
    private boolean cf2MatchClasses(Conn c, Session s, Cf2Conn conn) throws IOException, Crash {
        for (int count = 1; count <= 10; count++) {
            byte[] in = cf2Receive(c); // an error or EOF leaves an empty buffer: tried again, up to 10 times
            String text = in == null ? "" : cString(in);
            if (in != null && in.length > 0) {
                s.execFrames.add(Frames.encode(in));
                s.classTransactions.add(text);
            }
            if (text.startsWith(Frames.TERMINATOR)) {
                s.terminatorReceived = true;
                if (count == 1) {
                    return true;
                }
                break;
            }
            if (Arrays.stream(text.split(" ")).anyMatch(w -> w.startsWith(Frames.TERMINATOR))) {
                s.terminatorReceived = true; // received, even when a class before it matches first
            }
            for (String word : text.split(" ")) {
                if (word.startsWith(Frames.TERMINATOR)) {
                    s.terminatorReceived = true;
                    cf2ReplyNothing(c, conn);
                    return false;
                }
                if (!word.isEmpty()) {
                    s.selectClasses.add(word);
                }
                if (!word.isEmpty() && isDefinedClass(word)) {
                    return true;
                }
            }
        }
        cf2ReplyNothing(c, conn);
        return false;
    }

    private void cf2ReplyNothing(Conn c, Cf2Conn conn) throws IOException, Crash {
        cf2Send(c, "Hello " + conn.hostname + " (" + conn.ip + "), nothing relevant to do here...\n\n");
    }

    /** IsDefinedClass: a class expression with | (or), . and & (and), ! (not); no parentheses here. */
    private boolean isDefinedClass(String expr) {
        for (String or : expr.split("\\|")) {
            boolean all = !or.isEmpty();
            for (String atom : or.split("[.&]")) {
                boolean neg = atom.startsWith("!");
                String name = neg ? atom.substring(1) : atom;
                if (name.isEmpty() || definedClasses.contains(name) == neg) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** DoExec: blank -K -f --no-lock --file, build the command, say so if there are args, relay the output. */
    private void cf2DoExec(Conn c, Session s, String args) throws IOException, Crash {
        String cmd = cfrunCommand;
        if (cmd == null || cfrunCommandLostInReload) {
            cf2Send(c, "Exec request: no cfrunCommand defined\n");
            return;
        }
        String blanked = blankArgs(args);
        String ebuff = cmd + " --no-splay --inform";
        if (utf8Length(ebuff) + utf8Length(blanked) + 6 > 4096) {
            cf2Send(c, "Command line too long with args: " + ebuff + "\n");
            return;
        }
        if (!blanked.isEmpty()) {
            ebuff = ebuff + " " + blanked;
        }
        s.command = ebuff;
        if (!blanked.isEmpty()) {
            cf2Send(c, "cfservd Executing " + ebuff + "\n");
        }
        for (String line : agentOutput.apply(s)) {
            // ReadLine: fgets into 4096 bytes (a longer line is cut at 4095 bytes, the rest discarded)
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            if (b.length > 4095) {
                b = Arrays.copyOf(b, 4095);
            }
            String l = new String(b, StandardCharsets.UTF_8);
            if (l.chars().allMatch(ch -> isCSpace((byte) ch))) {
                continue; // blank lines are not relayed
            }
            cf2Send(c, l + "\n"); // no "> " prefix; 4088 bytes or more crash cfservd
        }
        // no exit code: cfpclose's status is ignored
    }

    /** The words -K, -f, --no-lock and --file blanked out as DoExec does it (WordHere; --file takes 7 bytes). */
    static String blankArgs(String args) {
        char[] a = Arrays.copyOf(args.toCharArray(), args.length() + 16); // the C buffer is zero-filled
        for (int sp = 0; sp < a.length && a[sp] != 0; sp++) {
            if (wordHere(a, sp, "-K") || wordHere(a, sp, "-f")) {
                a[sp] = ' ';
                a[sp + 1] = ' ';
            } else if (wordHere(a, sp, "--no-lock")) {
                Arrays.fill(a, sp, sp + 9, ' ');
            } else if (wordHere(a, sp, "--file")) {
                Arrays.fill(a, sp, sp + 7, ' '); // one more than the word: its NUL or the next byte
            }
        }
        int end = 0;
        while (end < a.length && a[end] != 0) {
            end++;
        }
        return new String(a, 0, end);
    }

    /** WordHere: the word at pos, at the very start (whatever follows), or between a space and a space/NUL. */
    private static boolean wordHere(char[] a, int pos, String word) {
        int len = word.length();
        if (pos + len > a.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (a[pos + i] != word.charAt(i)) {
                return false;
            }
        }
        if (pos == 0) {
            return true;
        }
        char after = pos + len < a.length ? a[pos + len] : 0;
        return a[pos - 1] == ' ' && (after == ' ' || after == 0);
    }

    /** Terminate: the terminator with its NUL. */
    private static void cf2Terminate(Conn c, Session s) throws IOException, Crash {
        s.end = "terminator sent";
        cf2Send(c, SERVER_TERMINATOR);
    }

    // ---- CFEngine 2: small C-like helpers ----
    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private static boolean isCSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == '\f';
    }

    private static void skipCSpace(String t, int[] pos) {
        while (pos[0] < t.length() && isCSpace((byte) t.charAt(pos[0]))) {
            pos[0]++;
        }
    }

    private static String scanWord(String t, int[] pos) {
        skipCSpace(t, pos);
        int start = pos[0];
        while (pos[0] < t.length() && !isCSpace((byte) t.charAt(pos[0]))) {
            pos[0]++;
        }
        return t.substring(start, pos[0]);
    }

    /** %d into an unsigned int: no number is 0 here (the C variable would be whatever it held); negative is huge. */
    private static long scanInt(String t, int[] pos) {
        skipCSpace(t, pos);
        boolean neg = false;
        if (pos[0] < t.length() && (t.charAt(pos[0]) == '-' || t.charAt(pos[0]) == '+')) {
            neg = t.charAt(pos[0]++) == '-';
        }
        long v = 0;
        int digits = 0;
        while (pos[0] < t.length() && Character.isDigit(t.charAt(pos[0])) && digits < 12) {
            v = v * 10 + (t.charAt(pos[0]++) - '0');
            digits++;
        }
        return neg && v != 0 ? Long.MAX_VALUE : v;
    }

    private static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** IsWildItemIn: '*' and '?' wildcards, host names compared case-insensitively. */
    private static boolean wildMatch(String pattern, String value) {
        if (value == null || value.isEmpty()) {
            return false;
        }
        String re = "(?i)" + Pattern.quote(pattern).replace("*", "\\E.*\\Q").replace("?", "\\E.\\Q");
        return value.matches(re);
    }

    /** IsFuzzyItemIn, the CIDR part: a.b.c.d/nn against an IPv4 address. */
    private static boolean cidrMatch(String pattern, String ip) {
        Matcher m = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)/(\\d+)").matcher(pattern);
        Matcher a = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)").matcher(ip == null ? "" : ip);
        if (!m.matches() || !a.matches()) {
            return false;
        }
        long net = 0;
        long addr = 0;
        for (int i = 1; i <= 4; i++) {
            net = (net << 8) | Integer.parseInt(m.group(i));
            addr = (addr << 8) | Integer.parseInt(a.group(i));
        }
        int bits = Integer.parseInt(m.group(5));
        long mask = bits == 0 ? 0 : (0xffffffffL << (32 - bits)) & 0xffffffffL;
        return (net & mask) == (addr & mask);
    }

    // ---- helpers ----
    private boolean clientAllowed(RSAPublicKey key) {
        return trustAnyClient || (key != null && allowedClients.contains(KeyDigest.md5(key)));
    }

    /** One byte at a time until the client gives up (then, if the bytes run out, silence). */
    private void trickle(Conn c, Session s, byte[] bytes) {
        s.end = "trickling";
        try {
            for (int i = 0; i < bytes.length && !closed; i++) {
                c.out.write(bytes[i]);
                c.out.flush();
                sleep(trickleInterval.toMillis());
            }
            drain(c);
        } catch (IOException e) {
            s.end = "trickled until the client left";
        }
    }

    /**
     * Hangs up: FIN (or close_notify) first, then reads whatever the client still sends until it closes, so
     * that unread data never turns the close into a reset that could destroy what we sent before.
     */
    private static void hangUp(Conn c, Session s, String why) {
        s.end = why;
        try {
            c.top.shutdownOutput();
        } catch (IOException | UnsupportedOperationException ignored) {
            // closing anyway
        }
        drain(c);
    }

    private static void drain(Conn c) {
        byte[] buf = new byte[8192];
        try {
            while (c.in.read(buf) >= 0) {
                // discard
            }
        } catch (IOException ignored) {
            // the client is gone
        }
    }

    private static String text(byte[] b) {
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) {
            n--;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** cf-serverd accepts any certificate at the TLS layer and checks the key in it after IDENTITY. */
    private static final class AcceptAnyCertificate extends X509ExtendedTrustManager {
        // @formatter:off
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) { }
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) { }
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        // @formatter:on
    }
}
