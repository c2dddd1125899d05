package dev.cfrun.fakeserver;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An in-process, scriptable stand-in for cf-serverd 3.21 on {@code 127.0.0.1:<ephemeral>}. Like cf-serverd it
 * tells classic from TLS by the first 14 bytes, then speaks the TLS identification dialogue (mutual TLS with a
 * v1 {@code CN=a} certificate of its CFEngine key) or the classic RSA dialogue, then EXEC, and answers with a
 * scripted {@link Reply}. What it saw on each connection is recorded as a {@link Session}. Hostile behaviours
 * are switched on per test (hang-ups at a {@link Stage}, an {@link Opening}, a {@link ClassicFault}, reply
 * {@link Step}s), with the setters of {@link ServerScript}.
 * <p>
 * {@link #cfengine2()} starts it as cfservd 2.2.10 instead (classic protocol only, cfservd's own parsing, key
 * checks by file name, EXEC checks, class match, argument blanking and its reply): see "CFEngine 2" in
 * {@link ServerScript}.
 * <p>
 * Nothing here comes from the client: framing, MPIs and key digests are the fake's own {@code Wire} codec, the
 * certificate and key files are written with BouncyCastle, RSA is the JDK's. Where things are:
 * {@code Acceptor} (listener, one thread per connection), {@code Cf3Dialogue} (opening and classic RSA
 * dialogue), {@code TlsSide} (TLS context and identification), {@code ExecScript} (EXEC and the scripted
 * reply), {@code Cf2Dialogue} and {@code Cf2Exec} (cfservd 2.x), {@code Conn} (one connection's streams).
 */
public final class FakeCfServerd extends ServerScript implements AutoCloseable {
    public static final String FAILED = "BAD: Unspecified server refusal (see verbose server output)";
    public static final String DEFAULT_COMMAND = "/bin/true";

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
            return new Step(Kind.SEND, Wire.frame(text), 0);
        }

        /** The server's 28-byte terminator (NUL included). */
        public static Step terminator() {
            return new Step(Kind.SEND, Wire.frame(Wire.SERVER_TERMINATOR), 0);
        }

        /** Bytes exactly as given (malformed headers, garbage); ISO-8859-1, so {@code \0} is a NUL byte. */
        public static Step raw(String latin1) {
            return new Step(Kind.SEND, latin1.getBytes(StandardCharsets.ISO_8859_1), 0);
        }

        public static Step close() {
            return new Step(Kind.CLOSE, null, 0);
        }

        /**
         * Neither read nor close until the fake stops: like a cf-serverd whose socket a restarted daemon
         * inherited (no close_notify answer, no FIN).
         */
        public static Step holdOpen() {
            return new Step(Kind.HOLD_OPEN, null, 0);
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
        // CFEngine 2 (cfservd 2.x) only:
        public volatile String hostname;           // the CAUTH host name, lower-cased
        public volatile String execArgs;           // the argument string cfservd read from EXEC ("EXEC %[^\n]")
        public volatile String command;            // the command line it ran: <cfrunCommand> --no-splay --inform[ <args>]
        public final List<String> classTransactions = new CopyOnWriteArrayList<>(); // class data, one entry per transaction
        final CountDownLatch execSeen = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);

        public boolean awaitExec(Duration d) throws InterruptedException {
            return execSeen.await(d.toMillis(), TimeUnit.MILLISECONDS);
        }

        public String clientDigest() {
            return clientKey == null ? null : Wire.md5(clientKey);
        }

        @Override
        public String toString() {
            return "Session[" + protocol + " user=" + user + " flag=" + sauthFlag + " exec=" + execLine + " end=" + end + "]";
        }
    }

    // ---- the server's keys (its ppkeys/localhost.*) and the TLS context made of them ----
    volatile KeyPair keys;
    volatile SSLContext tls;
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

    final SecureRandom random = new SecureRandom();
    final Acceptor acceptor;
    volatile boolean closed;
    volatile boolean crashed;

    private FakeCfServerd(KeyPair keys, Dialect dialect) throws IOException {
        this.dialect = dialect;
        useKeys(keys);
        acceptor = new Acceptor(this);
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

    /** CFEngine 2: true once the fake cfservd hit one of its FatalError exits (it then accepts no more connections). */
    public boolean crashed() {
        return crashed;
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
        tls = TlsSide.context(kp, random);
        keys = kp;
        return this;
    }

    // ---- what tests look at ----
    public int port() {
        return acceptor.listener.getLocalPort();
    }

    /** {@code 127.0.0.1:<port>}, for RunRequest.builder. */
    public String hostSpec() {
        return "127.0.0.1:" + port();
    }

    public RSAPublicKey publicKey() {
        return (RSAPublicKey) keys.getPublic();
    }

    public String digest() {
        return Wire.md5(publicKey());
    }

    /** The connections accepted so far, finished or not. */
    public List<Session> sessions() {
        return acceptor.sessions();
    }

    /** Connection #i once the server is done with it (the client left, or the server hung up). */
    public Session session(int i) throws InterruptedException {
        return acceptor.session(i);
    }

    /** Every connection accepted so far, each finished. */
    public List<Session> finishedSessions() throws InterruptedException {
        return acceptor.finishedSessions();
    }

    @Override
    public void close() {
        closed = true;
        acceptor.close();
    }

}
