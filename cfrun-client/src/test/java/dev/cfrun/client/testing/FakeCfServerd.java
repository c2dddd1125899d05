package dev.cfrun.client.testing;

import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.protocol.tls.ClientCertificate;
import dev.cfrun.client.transport.FrameException;
import dev.cfrun.client.transport.Frames;

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
        public enum Kind { SEND, CLOSE, SILENCE, ENDLESS_OUTPUT, ENDLESS_MORE, PAUSE }

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
    /** The classic S1 text; one starting with {@code BAD} ends the dialogue. */
    public FakeCfServerd keyReply(String text) { keyReply = text; return this; }
    public FakeCfServerd tlsProtocols(String... p) { tlsProtocols = p.clone(); return this; }
    public FakeCfServerd trickleInterval(Duration d) { trickleInterval = d; return this; }
    public FakeCfServerd reply(Reply r) { reply = s -> r; return this; }
    /** A reply computed from what the client asked (its EXEC line, select classes). */
    public FakeCfServerd reply(Function<Session, Reply> f) { reply = f; return this; }
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

    private FakeCfServerd(KeyPair keys) throws IOException {
        useKeys(keys);
        listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        threads.execute(this::acceptLoop);
    }

    /** A server with the shared {@link #defaultKeys()}. */
    public static FakeCfServerd start() throws IOException {
        return new FakeCfServerd(defaultKeys());
    }

    public static FakeCfServerd start(KeyPair keys) throws IOException {
        return new FakeCfServerd(keys);
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

        void send(byte[] b) throws IOException {
            out.write(b); // one write per transaction: one TLS record
            out.flush();
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
