package dev.cfrun.it;

import dev.cfrun.client.HostAddress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Debian cf-serverd 3.21, started for a test on a free loopback port with its own work dir
 * ({@code CFENGINE_TEST_OVERRIDE_WORKDIR}), keys and policy, and killed (with every agent it spawned)
 * at {@link #close()}. Nothing outside its directory is touched.
 */
final class CfServerd implements AutoCloseable {
    /** The default cfruncommand: the agent, informative output, no locks (so every run repeats). */
    static final String AGENT = "$(sys.cf_agent) -I -K";

    private final Path dir;
    private final Path workdir;
    private final String bind;
    private final int port;
    private final Process process;
    private final String digest;

    private CfServerd(Path dir, Path workdir, String bind, int port, Process process, String digest) {
        this.dir = dir;
        this.workdir = workdir;
        this.bind = bind;
        this.port = port;
        this.process = process;
        this.digest = digest;
    }

    static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** The address to hail. */
    HostAddress address() {
        return HostAddress.of(bind, port);
    }

    String hostPort() {
        return address().toString();
    }

    int port() {
        return port;
    }

    String bind() {
        return bind;
    }

    /** The server key's digest as cf-key -p prints it. */
    String digest() {
        return digest;
    }

    Path workdir() {
        return workdir;
    }

    Path publicKey() {
        return workdir.resolve("ppkeys/localhost.pub");
    }

    String log() {
        try {
            return Files.readString(dir.resolve("server.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Trusts a client key on the server, as an admin does: {@code cf-key -t [user@]ip:file}. */
    void trustClient(Path clientPub, String user) {
        String spec = (user == null ? "" : user + "@") + "127.0.0.1:" + clientPub;
        Proc.check(List.of(Peers.CF_KEY.toString(), "-t", spec), env(workdir));
    }

    /** The cf-serverd process id (for fault tests: SIGSTOP, SIGKILL). */
    long pid() {
        return process.pid();
    }

    /** Sends a signal to cf-serverd only (not to the agents it spawned). */
    void signal(String sig) {
        Proc.check(List.of("kill", "-" + sig, Long.toString(process.pid())), Map.of());
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                signal("CONT"); // a stopped process does not die until continued on some kernels' views of it
            } catch (AssertionError ignored) {
                // already gone
            }
        }
        List<ProcessHandle> kids = process.descendants().collect(Collectors.toList());
        process.destroyForcibly();
        kids.forEach(ProcessHandle::destroyForcibly);
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Map<String, String> env(Path workdir) {
        return Map.of("CFENGINE_TEST_OVERRIDE_WORKDIR", workdir.toString());
    }

    /** Runs cf-key in a work dir (it creates the work dir skeleton and the key pair) and links bin to /usr/bin. */
    static String makeWorkdirWithCfKey(Path workdir) {
        Proc.check(List.of(Peers.CF_KEY.toString()), env(workdir));
        linkBin(workdir);
        return cfKeyDigest(workdir, workdir.resolve("ppkeys/localhost.pub"));
    }

    static void linkBin(Path workdir) {
        try {
            Path bin = workdir.resolve("bin");
            if (!Files.isSymbolicLink(bin)) {
                if (Files.isDirectory(bin)) {
                    try (var s = Files.list(bin)) {
                        for (Path p : s.toList()) {
                            Files.delete(p);
                        }
                    }
                }
                Files.deleteIfExists(bin);
                Files.createSymbolicLink(bin, Path.of("/usr/bin"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code cf-key -p FILE}. */
    static String cfKeyDigest(Path workdir, Path pub) {
        return Proc.check(List.of(Peers.CF_KEY.toString(), "-p", pub.toString()), env(workdir)).out().strip();
    }

    static int freePort(String bind) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(bind), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static final class Builder {
        private final Path dir;
        private String bind = "127.0.0.1";
        private int port;
        private String cfruncommand = AGENT;
        private final List<String> extraAdmitPaths = new ArrayList<>();
        private List<String> allowUsers = List.of("root", System.getProperty("user.name"));
        private List<String> legacy = List.of("127.0.0.1", "::1");
        private List<String> trustKeysFrom = List.of("127.0.0.1", "::1");
        private List<String> allowConnects = List.of("127.0.0.1", "::1");
        private boolean roles;
        private List<String> rolePatterns;
        private String agentBundles = DEFAULT_AGENT_POLICY;
        private Path serverKeys;
        private boolean verbose;
        private String allowCiphers;
        private String opensslGroups;
        private List<String> admitKeys;

        private Builder(Path dir) {
            this.dir = dir;
        }

        Builder bind(String b) {
            this.bind = b;
            return this;
        }

        /**
         * No bindtointerface: the server listens on every address ([::], dual stack), so one server answers
         * for all of 127.0.0.0/8 (many "hosts" on one machine). Only loopback peers are admitted.
         */
        Builder bindAll() {
            this.bind = null;
            List<String> loop = List.of("127.0.0.0/8", "::1");
            this.allowConnects = loop;
            this.trustKeysFrom = loop;
            this.legacy = loop;
            return this;
        }

        Builder port(int p) {
            this.port = p;
            return this;
        }

        /** cfruncommand; its program is admitted by an access rule automatically. */
        Builder cfruncommand(String c) {
            this.cfruncommand = c;
            return this;
        }

        Builder noCfruncommand() {
            this.cfruncommand = null;
            return this;
        }

        Builder admitPath(String path) {
            extraAdmitPaths.add(path);
            return this;
        }

        Builder allowUsers(String... users) {
            this.allowUsers = List.of(users);
            return this;
        }

        Builder legacy(String... ips) {
            this.legacy = List.of(ips);
            return this;
        }

        Builder trustKeysFrom(String... ips) {
            this.trustKeysFrom = List.of(ips);
            return this;
        }

        Builder allowConnects(String... ips) {
            this.allowConnects = List.of(ips);
            return this;
        }

        /** Adds roles (any class for root and us) and bundle access, so -D and --remote-bundles work. */
        Builder roles() {
            this.roles = true;
            return this;
        }

        /**
         * Roles for these class patterns only (e.g. {@code nagios_.*}), authorized to the allowed users; no
         * bundle access rule. A -D class that matches none of them is refused by the server.
         */
        Builder roles(String... classPatterns) {
            this.rolePatterns = List.of(classPatterns);
            return this;
        }

        /** The agent bundles (must define bundle agent main). */
        Builder agentPolicy(String bundles) {
            this.agentBundles = bundles;
            return this;
        }

        /** Use this key pair (localhost.priv/.pub in the dir) instead of one made by cf-key. */
        Builder serverKeys(Path keyDir) {
            this.serverKeys = keyDir;
            return this;
        }

        /** Admit the cfruncommand's program to these key digests (admit_keys) instead of loopback addresses. */
        Builder admitKeys(String... digests) {
            this.admitKeys = List.of(digests);
            return this;
        }

        /** cf-serverd's allowciphers; without a TLS_ suite in it, the server speaks no TLS 1.3. */
        Builder allowCiphers(String ciphers) {
            this.allowCiphers = ciphers;
            return this;
        }

        Builder verbose() {
            this.verbose = true;
            return this;
        }

        /**
         * The TLS key-exchange groups of the server's OpenSSL (an {@code OPENSSL_CONF} with {@code Groups = …},
         * read by libssl at start-up), e.g. {@code P-256} for a server without X25519 as in FIPS mode.
         */
        Builder opensslGroups(String groups) {
            this.opensslGroups = groups;
            return this;
        }

        CfServerd start() {
            Peers.requireCfEngine();
            try {
                Path workdir = dir.resolve("server");
                Files.createDirectories(workdir);
                if (serverKeys != null) {
                    Path pp = workdir.resolve("ppkeys");
                    Files.createDirectories(pp);
                    Files.setPosixFilePermissions(pp, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
                    for (String f : new String[] {"localhost.priv", "localhost.pub"}) {
                        Files.copy(serverKeys.resolve(f), pp.resolve(f));
                        Files.setPosixFilePermissions(pp.resolve(f), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                    }
                    for (String d : new String[] {"inputs", "outputs", "state", "modules"}) {
                        Files.createDirectories(workdir.resolve(d));
                    }
                    linkBin(workdir);
                } else {
                    makeWorkdirWithCfKey(workdir);
                }
                String digest = cfKeyDigest(workdir, workdir.resolve("ppkeys/localhost.pub"));
                int p = port != 0 ? port : freePort(bind == null ? "127.0.0.1" : bind);
                Path policy = workdir.resolve("inputs/promises.cf");
                Files.writeString(policy, policy(p));
                Proc.Result valid = Proc.run(List.of(Peers.CF_PROMISES.toString(), "-f", policy.toString()),
                        env(workdir), Duration.ofSeconds(60));
                if (valid.exit() != 0) {
                    throw new AssertionError("server policy does not validate:\n" + valid + "\n" + Files.readString(policy));
                }
                Path log = dir.resolve("server.log");
                ProcessBuilder pb = new ProcessBuilder(Peers.CF_SERVERD.toString(), "-F", "-l", verbose ? "-v" : "-I");
                pb.environment().putAll(env(workdir));
                if (opensslGroups != null) {
                    Path conf = dir.resolve("openssl.cnf");
                    Files.writeString(conf, "openssl_conf = default_conf\n[default_conf]\nssl_conf = ssl_sect\n"
                            + "[ssl_sect]\nsystem_default = system_default_sect\n[system_default_sect]\nGroups = "
                            + opensslGroups + "\n");
                    pb.environment().put("OPENSSL_CONF", conf.toString());
                }
                pb.redirectErrorStream(true);
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                Process proc = pb.start();
                CfServerd s = new CfServerd(dir, workdir, bind == null ? "127.0.0.1" : bind, p, proc, digest);
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!Listening.isListening(p, proc.pid())) {
                    if (!proc.isAlive() || System.nanoTime() > deadline) {
                        s.close();
                        throw new AssertionError("cf-serverd did not start listening on " + s.bind() + ":" + p
                                + " (alive=" + proc.isAlive() + ")\n" + s.log());
                    }
                    Thread.sleep(10);
                }
                return s;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** The policy file (promises.cf) this builder describes, for a server on port p (also used in containers). */
        String policy(int p) {
            String users = list(allowUsers.stream().distinct().collect(Collectors.toList()));
            StringBuilder access = new StringBuilder();
            List<String> paths = new ArrayList<>();
            paths.add("$(sys.bindir)/cf-agent");
            if (cfruncommand != null && !cfruncommand.startsWith("$(sys.cf_agent)")) {
                String prog = cfruncommand.split(" ")[0].replace("\"", "");
                paths.add(prog);
            }
            paths.addAll(extraAdmitPaths);
            for (String path : paths) {
                access.append("      \"").append(path).append("\"\n        ")
                        .append(admitKeys == null ? "admit_ips => { " + list(allowConnects) : "admit_keys => { " + list(admitKeys))
                        .append(" };\n");
            }
            if (roles) {
                access.append("      \".*\" resource_type => \"bundle\", admit_ips => { ").append(list(allowConnects)).append(" };\n");
                access.append("  roles:\n      \".*\" authorize => { ").append(users).append(" };\n");
            } else if (rolePatterns != null) {
                access.append("  roles:\n");
                for (String r : rolePatterns) {
                    access.append("      \"").append(r).append("\" authorize => { ").append(users).append(" };\n");
                }
            }
            String cmd = cfruncommand == null ? "      # no cfruncommand: EXEC is refused\n"
                    : "      cfruncommand        => \"" + cfruncommand.replace("\"", "\\\"") + "\";\n";
            return "body common control\n{\n      bundlesequence => { \"main\" };\n}\n\n"
                    + "body server control\n{\n"
                    + "      port                => \"" + p + "\";\n"
                    + (bind == null ? "" : "      bindtointerface     => \"" + bind + "\";\n")
                    + "      allowconnects       => { " + list(allowConnects) + " };\n"
                    + "      allowallconnects    => { " + list(allowConnects) + " };\n"
                    + "      trustkeysfrom       => { " + list(trustKeysFrom) + " };\n"
                    + "      allowlegacyconnects => { " + list(legacy) + " };\n"
                    + "      allowusers          => { " + users + " };\n"
                    + "      maxconnections      => \"200\";\n"
                    + (allowCiphers == null ? "" : "      allowciphers        => \"" + allowCiphers + "\";\n")
                    + cmd
                    + "}\n\n"
                    + "bundle server access_rules\n{\n  access:\n" + access + "}\n\n"
                    + agentBundles;
        }

        private static String list(List<String> items) {
            return items.stream().map(i -> "\"" + Objects.requireNonNull(i) + "\"").collect(Collectors.joining(", "));
        }
    }

    /** A small agent policy: a report line with the work dir, and a bundle that reports the -D class. */
    static final String DEFAULT_AGENT_POLICY = """
            bundle agent main
            {
              reports:
                  "IT-REPORT main workdir=$(sys.workdir) version=$(sys.cf_version)";
            }

            bundle agent it_bundle
            {
              reports:
                cfrun_it_class::
                  "IT-BUNDLE it_bundle sees cfrun_it_class";
                !cfrun_it_class::
                  "IT-BUNDLE it_bundle without cfrun_it_class";
            }
            """;
}
