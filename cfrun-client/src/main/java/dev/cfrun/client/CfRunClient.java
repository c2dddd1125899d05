package dev.cfrun.client;

import dev.cfrun.client.internal.ClientContext;
import dev.cfrun.client.internal.FanOut;
import dev.cfrun.client.internal.Probe;
import dev.cfrun.client.internal.RunAttempt;
import dev.cfrun.client.internal.WarmUp;
import dev.cfrun.client.internal.WorkDirs;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.client.internal.trust.TrustStore;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

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
 * (This class only wires the parts; a run's steps start at {@code internal.RunAttempt}.)
 */
public final class CfRunClient implements AutoCloseable {
    private final ClientContext ctx;

    private CfRunClient(ClientContext ctx) {
        this.ctx = ctx;
    }

    /**
     * A builder; every setting has a safe default except the identity (see {@link Builder#build()}).
     *
     * @return a new builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The work dir a CFEngine admin expects: {@code /var/lib/cfengine3} (Debian) or {@code /var/cfengine}
     * (upstream), whichever holds a key pair we can see, else {@code ~/.cfrun}.
     *
     * @return the CFEngine work dir to use when none is configured
     */
    public static Path defaultWorkdir() {
        return WorkDirs.defaultWorkdir();
    }

    /**
     * Starts initialising, on a daemon thread, the JDK machinery that runs with this protocol will need (the
     * TLS implementation; for {@link Protocol#CLASSIC} the RSA cipher): per-process work that depends on no
     * host and no key. A short-lived program calls this first, so that the JDK's set-up overlaps its own: a
     * cold TLS run then starts its handshake tens of milliseconds sooner. Optional; it changes only timing.
     *
     * @param protocol the protocol the coming runs will use ({@link Protocol#AUTO}: TLS, which it tries first)
     */
    public static void warmUp(Protocol protocol) {
        WarmUp.start(Objects.requireNonNull(protocol, "protocol"));
    }

    /**
     * Our key's digest ({@code MD5=…}): what a server admin trusts with {@code cf-key -t}.
     *
     * @return the MD5 digest of our public key, as cf-key prints it
     */
    public String clientDigest() {
        return ctx.identity().digest();
    }

    /**
     * The user name claimed to servers.
     *
     * @return the user name sent to servers (checked against their {@code allowusers})
     */
    public String user() {
        return ctx.user();
    }

    /**
     * The ppkeys directory used as trust store.
     *
     * @return the directory holding the trusted server keys ({@code <user>-MD5=….pub})
     */
    public Path trustDirectory() {
        return ctx.trustStore().directory();
    }

    /**
     * Runs the remote agent on one host and waits for it to finish.
     *
     * @param request the host, classes, bundles and limits of the run
     * @return the agent's output and, from cf-serverd 3.18 on, its exit code
     * @throws CfRunException a subclass saying what went wrong; output received before a failure is in
     *                        {@link CfRunException#linesReceived()}
     */
    public RunResult run(RunRequest request) throws CfRunException {
        Objects.requireNonNull(request, "request");
        return RunAttempt.run(ctx, request);
    }

    /**
     * Runs many hosts with at most {@code parallelism} runs at once (no forking: one small thread per
     * concurrent run). Each outcome is handed to {@code onEach} as soon as its host is done, from the
     * thread that ran it (so a caller printing outcomes must synchronise); the returned list is in request
     * order. One host's failure never stops the others. {@link #close()} from another thread (e.g. on
     * Ctrl-C) aborts the runs in progress and the hosts not yet started end with
     * {@link RunCancelledException}.
     *
     * @param requests    one request per host, in the order the result lists them
     * @param parallelism the maximum number of runs at once; at least 1
     * @param onEach      called once per host as soon as its run ends, from the thread that ran it;
     *                    {@code null} for none
     * @return one outcome per request, in request order
     * @throws InterruptedException if the calling thread is interrupted while waiting (runs in progress
     *                              are then aborted)
     */
    public List<HostOutcome> runAll(List<RunRequest> requests, int parallelism, Consumer<HostOutcome> onEach)
            throws InterruptedException {
        Objects.requireNonNull(requests, "requests");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
        return FanOut.runAll(ctx, requests, parallelism, onEach);
    }

    /**
     * Connects and reads the server's key without running anything and without trusting it: over TLS the
     * handshake only (the server proves it holds the key); over classic the "n" form up to the key (the
     * server must accept our key first). {@link Protocol#AUTO} tries TLS first.
     *
     * @param host the server to ask
     * @return the server's public key, its digests and the address it was read from; not yet trusted
     * @throws CfRunException if the server cannot be reached or breaks the protocol
     */
    public ServerKey fetchServerKey(HostAddress host) throws CfRunException {
        return Probe.probe(ctx, host, false).serverKey();
    }

    /**
     * Checks a server without running anything (for monitoring): connects, reads its key, and — when the
     * key is trusted (or pinned by the trust policy) — completes the identification, so that the server
     * says whether it accepts our key and user name. Nothing is stored. An untrusted or changed key is
     * reported in the result, not thrown; failures to connect or to be accepted are thrown.
     * <p>Over classic, "authenticated" means the server accepted our key ("OK: key accepted"); the run's
     * own proofs are not exchanged.
     *
     * @param host the server to check
     * @return the protocol used, the server's key and whether it is trusted, and whether we were accepted
     * @throws CfRunException if the server cannot be reached, does not accept us, or breaks the protocol
     */
    public ProbeResult probe(HostAddress host) throws CfRunException {
        return Probe.probe(ctx, host, true);
    }

    /**
     * Stores a fetched key as trusted (ppkeys/&lt;user&gt;-MD5=….pub, and the address record), after the caller
     * has checked its digest. A key recorded for that address before is superseded.
     *
     * @param key a key returned by {@link #fetchServerKey(HostAddress)}
     * @throws KeyFileException if the key cannot be written to the trust store
     */
    public void trustServerKey(ServerKey key) throws KeyFileException {
        ctx.trustStore().trust(key.key(), key.address(), key.host().port());
    }

    /** Aborts runs in progress (they fail with {@link RunCancelledException}) and frees resources. */
    @Override
    public void close() {
        ctx.connections().close();
    }

    static String localUserName() {
        String u = System.getProperty("user.name");
        return u == null || u.isBlank() ? "root" : u;
    }

    /** Builds a {@link CfRunClient}; every setting has a safe default except the identity. */
    public static final class Builder {
        private Path workdir;
        private Path privateKey;
        private Path publicKey;
        private Path trustDirectory;
        private String passphrase = dev.cfrun.client.internal.keys.RsaKeys.CFENGINE_PASSPHRASE;
        private String user = localUserName();
        private String clientHostName;
        private TrustPolicy trustPolicy = TrustPolicy.strict();
        private Protocol protocol = Protocol.TLS;
        private Timeouts timeouts = Timeouts.defaults();

        private Builder() {
        }

        /**
         * A CFEngine work dir: identity from {@code ppkeys/localhost.priv}, trust store {@code ppkeys/}.
         *
         * @param dir the work dir, e.g. {@code /var/lib/cfengine3}
         * @return this builder
         */
        public Builder workdir(Path dir) {
            this.workdir = Objects.requireNonNull(dir, "workdir");
            return this;
        }

        /**
         * An explicit key pair (the public key file is optional and checked against the private one).
         *
         * @param privateKeyFile our private key, as written by cf-key (PEM, RSA)
         * @param publicKeyFile  our public key, or {@code null} to derive it from the private key
         * @return this builder
         */
        public Builder identity(Path privateKeyFile, Path publicKeyFile) {
            this.privateKey = Objects.requireNonNull(privateKeyFile, "privateKeyFile");
            this.publicKey = publicKeyFile;
            return this;
        }

        /**
         * Passphrase for encrypted (pre-3.14, CFEngine 2) private keys; default {@code Cfengine passphrase}.
         *
         * @param passphrase the passphrase the private key file is encrypted with
         * @return this builder
         */
        public Builder passphrase(String passphrase) {
            this.passphrase = Objects.requireNonNull(passphrase, "passphrase");
            return this;
        }

        /**
         * The ppkeys directory holding trusted server keys (default: the work dir's {@code ppkeys}).
         *
         * @param dir the directory holding trusted server keys
         * @return this builder
         */
        public Builder trustDirectory(Path dir) {
            this.trustDirectory = Objects.requireNonNull(dir, "trustDirectory");
            return this;
        }

        /**
         * The user name claimed to servers (allowusers, roles and the key file name
         * {@code <user>-MD5=….pub} on the server). Default: the login name, as cf-runagent.
         *
         * @param name the user name: printable ASCII, no spaces, {@code /} or {@code \}, at most 255 characters
         * @return this builder
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
         *
         * @param name the host name to announce in CAUTH
         * @return this builder
         */
        public Builder clientHostName(String name) {
            this.clientHostName = Objects.requireNonNull(name, "clientHostName");
            return this;
        }

        /**
         * How to treat a server key the trust store does not know (default {@link TrustPolicy#strict()}).
         *
         * @param policy what to do with unknown server keys
         * @return this builder
         */
        public Builder trustPolicy(TrustPolicy policy) {
            this.trustPolicy = Objects.requireNonNull(policy, "trustPolicy");
            return this;
        }

        /**
         * The protocol. Default {@link Protocol#TLS}, as cf-runagent: {@link Protocol#AUTO} lets anyone on the
         * path who can break the TLS handshake push the run to classic, where EXEC and its output are neither
         * confidential nor integrity-protected; choose it only for fleets with servers older than 3.7.
         *
         * @param p TLS, classic, or AUTO (TLS falling back to classic)
         * @return this builder
         */
        public Builder protocol(Protocol p) {
            this.protocol = Objects.requireNonNull(p, "protocol");
            return this;
        }

        /**
         * The deadlines of every run (default {@link Timeouts#defaults()}).
         *
         * @param t the connect, handshake, idle and overall deadlines
         * @return this builder
         */
        public Builder timeouts(Timeouts t) {
            this.timeouts = Objects.requireNonNull(t, "timeouts");
            return this;
        }

        /**
         * Loads the key pair and returns the client.
         *
         * @throws KeyFileException if our key cannot be used (missing, corrupt, readable by others)
         * @return a client ready to run; close it when done
         */
        public CfRunClient build() throws KeyFileException {
            WorkDirs.Located l = WorkDirs.locate(workdir, privateKey, publicKey, passphrase, trustDirectory);
            return new CfRunClient(new ClientContext(l.identity(), new TrustStore(l.trustDirectory(), localUserName()),
                    trustPolicy, protocol, timeouts, user, clientHostName));
        }
    }
}
