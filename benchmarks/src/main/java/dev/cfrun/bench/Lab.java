package dev.cfrun.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Real Debian cf-serverd 3.21 instances on loopback for the benchmarks, each with its own work dir
 * ({@code CFENGINE_TEST_OVERRIDE_WORKDIR}), policy and free port (the ideas of the integration tests'
 * CfServerd fixture), one server key pair shared by all of them, and one client work dir used by both
 * cf-runagent and our client: the same identity, keys and trust on both sides.
 */
final class Lab implements AutoCloseable {
    static final Path CF_SERVERD = Path.of("/usr/bin/cf-serverd");
    static final Path CF_KEY = Path.of("/usr/bin/cf-key");
    static final Path CF_PROMISES = Path.of("/usr/bin/cf-promises");
    static final Path CF_RUNAGENT = Path.of("/usr/bin/cf-runagent");

    private final Path dir;
    final Path client;
    final String clientDigest;
    private final Path serverKeys;
    private final List<Server> servers = new ArrayList<>();

    /** A running cf-serverd. */
    record Server(String name, Path workdir, int port, Process process) {
        String hostPort() {
            return "127.0.0.1:" + port;
        }
    }

    Lab(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        client = dir.resolve("client");
        clientDigest = makeWorkdir(client);
        Path keys = dir.resolve("server-keys");
        makeWorkdir(keys);
        serverKeys = keys.resolve("ppkeys");
        // the client trusts the servers' key (cf-key -t); cf-runagent's classic protocol on 127.0.0.1 also looks
        // it up under the client's own digest (a quirk of the C client)
        check(List.of(CF_KEY.toString(), "-t", "127.0.0.1:" + serverKeys.resolve("localhost.pub")), client);
        Files.copy(serverKeys.resolve("localhost.pub"), client.resolve("ppkeys/root-" + clientDigest + ".pub"));
        for (String pv : List.of("classic", "latest")) {
            Files.writeString(client.resolve("inputs/runagent-" + pv + ".cf"),
                    "body common control\n{\n      protocol_version => \"" + pv + "\";\n}\n");
        }
    }

    /** cf-runagent's policy file choosing the protocol ("latest" = TLS, or "classic"). */
    Path runagentPolicy(String protocolVersion) {
        return client.resolve("inputs/runagent-" + protocolVersion + ".cf");
    }

    static Map<String, String> env(Path workdir) {
        return Map.of("CFENGINE_TEST_OVERRIDE_WORKDIR", workdir.toString());
    }

    /** What a server should run and who may connect. */
    static final class Spec {
        final String name;
        String cfruncommand = "/bin/echo hello";
        String agentPolicy = "bundle agent main\n{\n  reports:\n      \"trivial\";\n}\n";
        boolean bindAll;
        boolean roles;
        int maxConnections = 200;

        Spec(String name) {
            this.name = name;
        }

        Spec agent() {
            cfruncommand = "$(sys.cf_agent) -I -K";
            return this;
        }

        Spec command(String c) {
            cfruncommand = c;
            return this;
        }

        /** No bindtointerface: one server answers for all of 127.0.0.0/8 (many "hosts"). */
        Spec bindAll(int maxConnections) {
            this.bindAll = true;
            this.maxConnections = maxConnections;
            return this;
        }

        /** Any -D class for the allowed users (cf-serverd refuses -D without a roles rule). */
        Spec roles() {
            roles = true;
            return this;
        }
    }

    Server start(Spec spec) throws IOException, InterruptedException {
        Path wd = dir.resolve("server-" + spec.name);
        Path pp = wd.resolve("ppkeys");
        Files.createDirectories(pp);
        Files.setPosixFilePermissions(pp, PosixFilePermissions.fromString("rwx------"));
        for (String f : List.of("localhost.priv", "localhost.pub")) {
            Files.copy(serverKeys.resolve(f), pp.resolve(f));
        }
        Files.copy(client.resolve("ppkeys/localhost.pub"), pp.resolve("root-" + clientDigest + ".pub"));
        for (String d : List.of("inputs", "outputs", "state", "modules")) {
            Files.createDirectories(wd.resolve(d));
        }
        linkBin(wd);
        int port = freePort();
        String users = "\"root\", \"" + System.getProperty("user.name") + "\"";
        String loop = spec.bindAll ? "\"127.0.0.0/8\", \"::1\"" : "\"127.0.0.1\", \"::1\"";
        String prog = spec.cfruncommand.startsWith("$(") ? "$(sys.bindir)/cf-agent" : spec.cfruncommand.split(" ")[0];
        StringBuilder access = new StringBuilder("      \"$(sys.bindir)/cf-agent\" admit_ips => { " + loop + " };\n");
        if (!prog.equals("$(sys.bindir)/cf-agent")) {
            access.append("      \"").append(prog).append("\" admit_ips => { ").append(loop).append(" };\n");
        }
        if (spec.roles) {
            access.append("  roles:\n      \".*\" authorize => { ").append(users).append(" };\n");
        }
        String policy = "body common control\n{\n      bundlesequence => { \"main\" };\n}\n\n"
                + "body server control\n{\n"
                + "      port                => \"" + port + "\";\n"
                + (spec.bindAll ? "" : "      bindtointerface     => \"127.0.0.1\";\n")
                + "      allowconnects       => { " + loop + " };\n"
                + "      allowallconnects    => { " + loop + " };\n"
                + "      trustkeysfrom       => { " + loop + " };\n"
                + "      allowlegacyconnects => { " + loop + " };\n"
                + "      allowusers          => { " + users + " };\n"
                + "      maxconnections      => \"" + spec.maxConnections + "\";\n"
                + "      cfruncommand        => \"" + spec.cfruncommand.replace("\"", "\\\"") + "\";\n"
                + "}\n\n"
                + "bundle server access_rules\n{\n  access:\n" + access + "}\n\n"
                + spec.agentPolicy;
        Path promises = wd.resolve("inputs/promises.cf");
        Files.writeString(promises, policy);
        check(List.of(CF_PROMISES.toString(), "-f", promises.toString()), wd);
        ProcessBuilder pb = new ProcessBuilder(CF_SERVERD.toString(), "-F", "-l", "-I");
        pb.environment().putAll(env(wd));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(wd.resolve("server.log").toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        Server s = new Server(spec.name, wd, port, p);
        servers.add(s);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!listening(port, p.pid())) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("cf-serverd " + spec.name + " did not start listening on " + port + ":\n"
                        + Files.readString(wd.resolve("server.log")));
            }
            Thread.sleep(10);
        }
        return s;
    }

    @Override
    public void close() {
        for (Server s : servers) {
            List<ProcessHandle> kids = s.process().descendants().toList();
            s.process().destroyForcibly();
            kids.forEach(ProcessHandle::destroyForcibly);
        }
        for (Server s : servers) {
            try {
                s.process().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** cf-key in a fresh work dir (it makes the skeleton and the key pair); bin -> /usr/bin; returns the digest. */
    private static String makeWorkdir(Path wd) throws IOException {
        Files.createDirectories(wd);
        check(List.of(CF_KEY.toString()), wd);
        linkBin(wd);
        return check(List.of(CF_KEY.toString(), "-p", wd.resolve("ppkeys/localhost.pub").toString()), wd).strip();
    }

    private static void linkBin(Path wd) throws IOException {
        Path bin = wd.resolve("bin");
        if (Files.isSymbolicLink(bin)) {
            return;
        }
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

    private static String check(List<String> cmd, Path workdir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env(workdir));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed (" + p.exitValue() + "):\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether the process listens on the port, from /proc (no probe connection the server would log). */
    /**
     * CPU time of a server and of the commands it ran and reaped (utime + stime + cutime + cstime of
     * /proc/PID/stat, in clock ticks of 10 ms), in ms; NaN if unreadable.
     */
    static double cpuMillis(Server s) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(s.process().pid()), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks * 10.0;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static boolean listening(int port, long pid) {
        Set<String> inodes = new HashSet<>();
        String hexPort = String.format(":%04X", port);
        for (String f : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of(f))) {
                    String[] cols = line.trim().split("\\s+");
                    if (cols.length > 9 && cols[1].endsWith(hexPort) && cols[3].equals("0A")) {
                        inodes.add(cols[9]);
                    }
                }
            } catch (IOException ignored) {
                // no IPv6
            }
        }
        if (inodes.isEmpty()) {
            return false;
        }
        try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : s.toList()) {
                try {
                    String t = Files.readSymbolicLink(fd).toString();
                    if (t.startsWith("socket:[") && inodes.contains(t.substring(8, t.length() - 1))) {
                        return true;
                    }
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** {@code n} distinct loopback addresses, 127.0.1.1, 127.0.1.2, … (250 per third octet). */
    static List<String> addresses(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add("127.0." + (1 + i / 250) + "." + (1 + i % 250));
        }
        return out;
    }
}
