package dev.cfrun.it;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.keys.KeyFiles;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.ExecConfig;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A cf-serverd of a given CFEngine version in a container (image {@code cfrun-it/cfengine:<version>}, made by
 * {@code scripts/images.sh}), on the host's network: it listens on 127.0.0.1 at the port the test chooses,
 * with the policy the test describes (a {@link CfServerd.Builder}), and its own work dir
 * ({@code CFENGINE_TEST_OVERRIDE_WORKDIR=/cfrun/server} inside the container, as on the host). Its keys are
 * made at start by that version's own {@code cf-key}, or are the key pair the test gives. Ready when the
 * port listens; its log (cf-key, cf-promises, cf-serverd) is kept for failure reports. Nothing is pulled:
 * an image that is not there is a skip (a failure under {@code CI=true}).
 */
final class CfEngineContainer extends GenericContainer<CfEngineContainer> {
    /** The server's work dir inside the container. */
    static final String WORKDIR = "/cfrun/server";
    static final String WORKDIR_VARIABLE = "CFENGINE_TEST_OVERRIDE_WORKDIR";
    /** Every container started by this JVM, in order (their logs go into failure reports). */
    static final List<CfEngineContainer> STARTED = Collections.synchronizedList(new ArrayList<>());

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    /**
     * What runs in the container: that version's cf-key makes the server's keys unless the test gave some,
     * bin points at /usr/bin as the package's own work dir does, cf-promises checks the policy, then
     * cf-serverd runs in the foreground with its log on stdout.
     */
    private static final String START = """
            set -e
            W="$CFENGINE_TEST_OVERRIDE_WORKDIR"
            mkdir -p "$W/inputs" "$W/outputs" "$W/state" "$W/modules"
            if [ ! -f "$W/ppkeys/localhost.priv" ]; then cf-key; fi
            chmod 700 "$W/ppkeys"; chmod 600 "$W/ppkeys/localhost.priv"
            rm -rf "$W/bin"; ln -s /usr/bin "$W/bin"
            echo "cfrun-it: $(cf-serverd --version | head -n 1), server key $(cf-key -p "$W/ppkeys/localhost.pub")"
            cf-promises -f "$W/inputs/promises.cf"
            exec cf-serverd --no-fork --timestamp --inform
            """;

    private final CfVersion version;
    private final int port;
    private final String name;
    private final StringBuffer log = new StringBuffer();
    private String digest;

    private CfEngineContainer(CfVersion version, int port, String policy, Path serverKeys) {
        super(DockerImageName.parse(version.image()));
        this.version = version;
        this.port = port;
        this.name = version.tag + "#" + SEQUENCE.incrementAndGet() + ":" + port;
        withNetworkMode("host");
        withImagePullPolicy(image -> false); // built locally by scripts/images.sh; never pulled
        withEnv(WORKDIR_VARIABLE, WORKDIR);
        withLabel("dev.cfrun.it.port", Integer.toString(port));
        withCommand("sh", "-c", START);
        withCopyToContainer(Transferable.of(policy.getBytes(StandardCharsets.UTF_8), 0600), WORKDIR + "/inputs/promises.cf");
        if (serverKeys != null) {
            for (String f : new String[] {KeyFiles.PRIVATE_FILE, KeyFiles.PUBLIC_FILE}) {
                withCopyToContainer(Transferable.of(read(serverKeys.resolve(f)), 0600), WORKDIR + "/ppkeys/" + f);
            }
        }
        withLogConsumer(frame -> log.append(frame.getUtf8String()));
        waitingFor(new ListeningPort(port).withStartupTimeout(Duration.ofSeconds(60)));
    }

    /**
     * Skips the test (fails it under {@code CI=true}) unless a Docker engine answers and holds this version's
     * image, built by scripts/images.sh.
     */
    static void requireImage(CfVersion version) {
        if (!"Linux".equals(System.getProperty("os.name"))) {
            Peers.missing("the interop tests need Linux: their containers share the host's network (127.0.0.1)");
        }
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            Peers.missing("no Docker engine answers (DOCKER_HOST=" + System.getenv("DOCKER_HOST")
                    + "): the interop tests run cf-serverd " + version.tag + " in a container;"
                    + " scripts/test.sh starts a confined engine when run as root");
        }
        try {
            InspectImageResponse image = DockerClientFactory.instance().client().inspectImageCmd(version.image()).exec();
            Map<String, String> labels = image.getConfig() == null ? null : image.getConfig().getLabels();
            if (labels == null || !labels.containsKey("dev.cfrun.it.recipe")) {
                Peers.missing(version.image() + " was not made by scripts/images.sh (no recipe label)");
            }
        } catch (NotFoundException e) {
            Peers.missing("image " + version.image() + " not found: build it with scripts/images.sh (no registry is used)");
        }
    }

    /** A label of the version's image (scripts/images.sh records the release and the cfengine3 package version). */
    static String imageLabel(CfVersion version, String label) {
        InspectImageResponse image = DockerClientFactory.instance().client().inspectImageCmd(version.image()).exec();
        return image.getConfig() == null || image.getConfig().getLabels() == null ? null
                : image.getConfig().getLabels().get(label);
    }

    /** A server on this port, policy and keys made by that version. */
    static CfEngineContainer start(CfVersion version, int port, CfServerd.Builder policy) {
        return start(version, port, policy, null);
    }

    /**
     * A server on this port with this policy ({@code bind} must stay 127.0.0.1) and, unless
     * {@code serverKeys} is null, the key pair (localhost.priv/.pub) in that directory.
     */
    static CfEngineContainer start(CfVersion version, int port, CfServerd.Builder policy, Path serverKeys) {
        requireImage(version);
        CfEngineContainer c = new CfEngineContainer(version, port, policy.policy(port), serverKeys);
        STARTED.add(c);
        try {
            c.start();
        } catch (RuntimeException e) {
            String log = c.log();
            c.stop();
            throw new AssertionError("cf-serverd " + version.tag + " did not start on 127.0.0.1:" + port + ": " + e
                    + "\n--- its log\n" + log, e);
        }
        c.digest = c.cfKey("-p", WORKDIR + "/ppkeys/localhost.pub").strip();
        return c;
    }

    /** The policy the tests use: the host fixtures' policy, bound to 127.0.0.1, adjusted by the test. */
    static CfServerd.Builder policy(Path scratch, UnaryOperator<CfServerd.Builder> adjust) {
        return adjust.apply(CfServerd.builder(scratch).bind("127.0.0.1"));
    }

    CfVersion version() {
        return version;
    }

    int port() {
        return port;
    }

    HostAddress address() {
        return HostAddress.of("127.0.0.1", port);
    }

    String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** The server key's digest as this version's {@code cf-key -p} prints it. */
    String digest() {
        return digest;
    }

    /** The server's public key file, as cf-key wrote it. */
    byte[] publicKeyFile() {
        return copyOut(WORKDIR + "/ppkeys/localhost.pub");
    }

    RSAPublicKey publicKey(Path scratchDir) {
        try {
            Files.createDirectories(scratchDir);
            Path f = scratchDir.resolve("server-" + port + ".pub");
            Files.write(f, publicKeyFile());
            return KeyFiles.readPublic(f);
        } catch (KeyFileException e) {
            throw new AssertionError("we cannot read the public key cf-key " + version.tag + " wrote", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Trusts a client key file as an admin does on the server: {@code cf-key -t user@127.0.0.1:file}. */
    void trustClient(Path clientPub, String user) {
        String inside = "/cfrun/incoming/" + clientPub.getFileName() + "-" + SEQUENCE.incrementAndGet();
        copyFileToContainer(Transferable.of(read(clientPub), 0644), inside);
        trustClientInside(inside, user);
    }

    /** {@code cf-key -t user@127.0.0.1:file} for a key file already in the container. */
    void trustClientInside(String pathInside, String user) {
        cfKey("-t", user + "@127.0.0.1:" + pathInside);
    }

    /** Runs this version's cf-key on the server's work dir; fails on a non-zero exit. */
    String cfKey(String... args) {
        List<String> cmd = new ArrayList<>(List.of("cf-key"));
        cmd.addAll(List.of(args));
        return exec(Map.of(), cmd).getStdout();
    }

    /**
     * Makes a key pair with this version's cf-key in a fresh work dir inside the container, and copies
     * localhost.priv and .pub (as cf-key wrote them) into {@code hostWorkdir}/ppkeys.
     *
     * @return the key's digest as this version's {@code cf-key -p} prints it
     */
    String makeKeysWithCfKey(String dirInside, Path hostWorkdir) {
        Map<String, String> env = Map.of(WORKDIR_VARIABLE, dirInside);
        exec(env, List.of("cf-key"));
        String d = exec(env, List.of("cf-key", "-p", dirInside + "/ppkeys/localhost.pub")).getStdout().strip();
        try {
            Path pp = hostWorkdir.resolve("ppkeys");
            Files.createDirectories(pp);
            Files.setPosixFilePermissions(pp, PosixFilePermissions.fromString("rwx------"));
            for (String f : new String[] {KeyFiles.PRIVATE_FILE, KeyFiles.PUBLIC_FILE}) {
                Path to = pp.resolve(f);
                Files.write(to, copyOut(dirInside + "/ppkeys/" + f));
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    /** A command in the container (with the container's environment, plus {@code env}); fails on a non-zero exit. */
    Container.ExecResult exec(Map<String, String> env, List<String> cmd) {
        try {
            Container.ExecResult r = execInContainer(ExecConfig.builder().command(cmd.toArray(new String[0]))
                    .envVars(env).build());
            if (r.getExitCode() != 0) {
                throw new AssertionError("in cf-serverd " + version.tag + "'s container, " + cmd + " " + env + " exited "
                        + r.getExitCode() + "\n--- stdout\n" + r.getStdout() + "--- stderr\n" + r.getStderr());
            }
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    byte[] copyOut(String pathInside) {
        return copyFileFromContainer(pathInside, in -> in.readAllBytes());
    }

    /** Everything the container printed so far: cf-key, cf-promises and cf-serverd's log. */
    String log() {
        return log.toString();
    }

    String name() {
        return name;
    }

    @Override
    public String toString() {
        return "cf-serverd " + name;
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Ready when something listens on the port (read from /proc/net/tcp: the container shares our network,
     * and no probe connection shows up in the server's log); fails at once if the container stops.
     */
    private static final class ListeningPort extends AbstractWaitStrategy {
        private final int port;

        ListeningPort(int port) {
            this.port = port;
        }

        @Override
        protected void waitUntilReady() {
            long deadline = System.nanoTime() + startupTimeout.toNanos();
            while (!Listening.isListening(port)) {
                if (!waitStrategyTarget.isRunning()) {
                    throw new ContainerLaunchException("the container stopped before cf-serverd listened on port " + port
                            + "\n--- its log\n" + waitStrategyTarget.getLogs());
                }
                if (System.nanoTime() > deadline) {
                    throw new ContainerLaunchException("cf-serverd did not listen on port " + port + " within "
                            + startupTimeout + "\n--- its log\n" + waitStrategyTarget.getLogs());
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ContainerLaunchException("interrupted");
                }
            }
        }
    }
}
