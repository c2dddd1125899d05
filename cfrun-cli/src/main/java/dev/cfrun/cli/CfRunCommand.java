package dev.cfrun.cli;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.HostOutcome;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.ServerDialect;
import dev.cfrun.client.Timeouts;
import dev.cfrun.client.TrustPolicy;
import dev.cfrun.client.hosts.AgentOptions;
import dev.cfrun.client.hosts.HostsFile;
import dev.cfrun.client.hosts.HostsFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code cfrun}: hail cf-serverd on many hosts, as cf-runagent (CFEngine 3) and cfrun (CFEngine 2) do.
 * Both syntaxes: {@code cfrun -H h1,h2 -D class -b 20} and {@code cfrun -f cfrun.hosts -T web1 -- -D class -- linux}.
 */
@Command(name = "cfrun", mixinStandardHelpOptions = true, versionProvider = Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        synopsisHeading = "Usage:%n",
        customSynopsis = {
            "  cfrun [OPTIONS] -H HOST[:PORT][,HOST…]                         (cf-runagent style)",
            "  cfrun [OPTIONS] -f HOSTSFILE [HOST…] [-- AGENT-OPTIONS [-- CLASSES]]  (cfrun 2.x style)",
            "  cfrun keygen | digest FILE | trust HOST[:PORT] | completion",
            ""},
        description = {
            "Asks the cf-serverd of each host to run its agent now and prints the agent's output like",
            "cf-runagent. No CFEngine install is needed here: only a CFEngine key pair in the work dir.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  cfrun -H web1,web2 -D restart_httpd          classes for the remote agents",
            "  cfrun -H web1 --remote-bundles fix_httpd     a bundle sequence for the remote agent",
            "  cfrun -f ~/cfrun.hosts -b 20 --sorted        every host of a cfrun.hosts file, 20 at a time",
            "  cfrun -f ~/cfrun.hosts webserver -- -D web   cfrun 2.x: one host of the file, a class",
            "  cfrun -H web1 --format json | jq .exit_code  one JSON object per host",
            "  cfrun trust web1                             show web1's key digest, store it on 'yes'",
            "",
            "Exit status:",
            "  one host       the remote agent's exit code; 255 when the server sent none (refusal,",
            "                 connection or key failure, server older than 3.18)",
            "  several hosts  the number of hosts that did not return 0 (at most 100)",
            "  101            a local error (bad arguments or hosts file, own key unusable)",
            "",
            "Trust: an unknown server key is refused unless --trust, -T or -i says otherwise; a changed key",
            "is always refused with both digests. Trusted server keys live in <workdir>/ppkeys, named as",
            "cf-key -t names them (root-MD5=….pub)."})
final class CfRunCommand implements Callable<Integer> {
    static final int DEFAULT_BACKGROUND = 50;

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private List<String> agentOptionWords = List.of();
    private List<String> classData = List.of();

    @Option(names = {"-H", "--hail"}, paramLabel = "HOST[:PORT]", split = ",",
            description = "Hosts to hail: host, host:port, [v6]:port; comma-separated, repeatable.")
    List<String> hosts = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "HOSTSFILE",
            description = "A cfrun.hosts file (domain=, maxchild=, outputdir=, include=, host[:port] [options]);"
                    + " a bare name is also looked up in <workdir>/inputs. We evaluate no policy.")
    String hostsFile;

    @Parameters(paramLabel = "HOST", arity = "0..*",
            description = "With -f: the hosts of the file to hail (default: all). Without -f: hosts to hail.")
    List<String> positional = new ArrayList<>();

    @Option(names = {"-D", "--define-class"}, paramLabel = "CLASS", split = ",",
            description = "Classes for the remote agent (the server needs a roles rule).")
    List<String> classes = new ArrayList<>();

    @Option(names = {"-s", "--select-class"}, paramLabel = "CLASS",
            description = "Run only where one of these classes (or regexes) is defined; comma-separated.")
    List<String> selectClasses = new ArrayList<>();

    @Option(names = "--remote-bundles", paramLabel = "BUNDLE", split = ",",
            description = "Bundle sequence for the remote agent (the server needs a bundle access rule).")
    List<String> bundles = new ArrayList<>();

    @Option(names = {"-b", "--background"}, paramLabel = "N", arity = "0..1", fallbackValue = "" + DEFAULT_BACKGROUND,
            description = "Hail up to N hosts at once (default with -b: ${FALLBACK-VALUE}; without: the hosts file's"
                    + " maxchild, else one at a time). No processes are forked.")
    Integer background;

    @Option(names = "--sorted",
            description = "Print hosts in the order given (the hosts file or arguments, then -H), not as they finish.")
    boolean sorted;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
            description = "text (as cf-runagent: <ip>> lines) or json (one object per host and line).")
    String format = "text";

    @Option(names = "--output-dir", paramLabel = "DIR",
            description = "Write each host's output to DIR/<host> instead of stdout (cfrun's outputdir).")
    Path outputDir;

    @Option(names = "--workdir", paramLabel = "DIR",
            description = "Holds ppkeys/localhost.priv, localhost.pub and trusted server keys."
                    + " Default: /var/lib/cfengine3 or /var/cfengine if it holds a key, else ~/.cfrun.")
    Path workdir;

    @Option(names = "--user", paramLabel = "NAME",
            description = "User name claimed to the server (allowusers, roles). Default: the login name.")
    String user;

    @Option(names = "--protocol", paramLabel = "tls|classic|auto",
            description = "tls (CFEngine 3.7+; the default), classic (needs allowlegacyconnects; EXEC in clear), auto"
                    + " (TLS, classic if the server has no TLS: a path attacker can force classic).")
    String protocol;

    @Option(names = "--server-version", paramLabel = "3|2", defaultValue = "3",
            description = "2 for CFEngine 2 cfservd: classic protocol, any cfagent options after --. Default: 3.")
    int serverVersion = 3;

    @Option(names = "--trust", paramLabel = "strict|tofu|DIGEST[,DIGEST]", defaultValue = "strict",
            description = "Unknown server keys: strict refuses them (default); tofu stores and accepts them and"
                    + " prints their digests; MD5=…/SHA=… digests accept exactly those keys.")
    String trust = "strict";

    @Option(names = "-T", description = "cfrun 2.x: trust unknown server keys (as --trust tofu).")
    boolean trustAll;

    @Option(names = {"-i", "--interactive"},
            description = "Ask before trusting an unknown server key, showing its digest.")
    boolean interactive;

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "30",
            description = "Connect timeout (default ${DEFAULT-VALUE}).")
    double connectTimeout = 30;

    @Option(names = "--handshake-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Limit for the TLS or classic handshake (default ${DEFAULT-VALUE}).")
    double handshakeTimeout = 30;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "Give up when a server sends nothing for this long while its agent runs;"
                    + " 0 = never (default ${DEFAULT-VALUE}).")
    double idleTimeout = 3600;

    @Option(names = "--max-time", paramLabel = "SECONDS", defaultValue = "0",
            description = "Limit for each host's whole run; 0 = none (default).")
    double maxTime;

    @Option(names = "--max-output-lines", paramLabel = "N", defaultValue = "1000000",
            description = "Give up on a host that sends more lines than this (default ${DEFAULT-VALUE}).")
    long maxOutputLines = 1_000_000;

    @Option(names = {"-q", "--quiet"}, description = "No summary or progress on stderr.")
    boolean quiet;

    @Option(names = {"-I", "--inform"}, description = "Log basic information to stderr.")
    boolean inform;

    @Option(names = {"-v", "--verbose"}, description = "Log protocol details to stderr.")
    boolean verbose;

    @Option(names = {"-d", "--debug"}, description = "Log everything, with stack traces.")
    boolean debug;

    CfRunCommand(PrintStream out, PrintStream err, InputStream in) {
        this.out = out;
        this.err = err;
        this.in = in;
    }

    /** What came after the first {@code --} (agent options) and the second (classes), cfrun 2.x style. */
    void setTrailing(List<String> agentOptions, List<String> classData) {
        this.agentOptionWords = List.copyOf(agentOptions);
        this.classData = List.copyOf(classData);
    }

    @Override
    public Integer call() {
        Plan plan;
        try {
            plan = plan();
        } catch (IllegalArgumentException | HostsFileException e) {
            err.println("cfrun: " + e.getMessage());
            return ExitCodes.LOCAL_ERROR;
        }
        CfRunClient client;
        try {
            client = plan.client.build();
        } catch (KeyFileException e) {
            err.println("cfrun: " + Errors.oneLine(e));
            return ExitCodes.LOCAL_ERROR;
        }
        int n = plan.requests.size();
        boolean multi = n > 1;
        Reporter reporter = new Reporter(out, err, plan.format, plan.parallelism == 1, sorted, plan.outputDir, n,
                multi && !quiet && System.console() != null);
        List<RunRequest> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RunRequest.Builder b = plan.requests.get(i).toBuilder().listener(reporter.listener(i))
                    .retainOutput(reporter.needsRetainedLines());
            requests.add(b.build());
        }
        CountDownLatch finished = new CountDownLatch(1);
        boolean[] interrupted = {false};
        Thread hook = new Thread(() -> { // Ctrl-C: abort runs in progress, report what finished
            interrupted[0] = true;
            client.close();
            try {
                finished.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "cfrun-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        List<HostOutcome> outcomes = List.of();
        try {
            outcomes = client.runAll(requests, plan.parallelism, reporter::done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            interrupted[0] = true;
        } finally {
            client.close();
            if ((multi || interrupted[0]) && !quiet) {
                err.println(reporter.summary(Duration.ofNanos(System.nanoTime() - t0), interrupted[0]));
            }
            out.flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: Ctrl-C
            }
        }
        if (!multi) {
            HostOutcome o = outcomes.isEmpty() ? null : outcomes.get(0);
            return o == null ? ExitCodes.NO_EXIT_CODE : Reporter.exitCode(o);
        }
        return Math.min(reporter.failedHosts(), ExitCodes.MAX_FAILED_HOSTS);
    }

    /** Everything decided before connecting anywhere. */
    private static final class Plan {
        final List<RunRequest> requests = new ArrayList<>();
        CfRunClient.Builder client;
        int parallelism;
        Reporter.Format format;
        Path outputDir;
    }

    private Plan plan() throws HostsFileException {
        Plan p = new Plan();
        Path wd = workdir != null ? workdir : CfRunClient.defaultWorkdir();
        p.format = switch (format.toLowerCase(Locale.ROOT)) {
            case "text" -> Reporter.Format.TEXT;
            case "json" -> Reporter.Format.JSON;
            default -> throw new IllegalArgumentException("--format must be text or json: '" + format + "'");
        };
        ServerDialect dialect = switch (serverVersion) {
            case 3 -> ServerDialect.CFENGINE3;
            case 2 -> ServerDialect.CFENGINE2;
            default -> throw new IllegalArgumentException("--server-version must be 2 or 3: " + serverVersion);
        };
        Protocol proto = protocol == null
                ? (dialect == ServerDialect.CFENGINE2 ? Protocol.CLASSIC : Protocol.TLS)
                : protocol(protocol);
        if (dialect == ServerDialect.CFENGINE2 && proto == Protocol.TLS) {
            throw new IllegalArgumentException("CFEngine 2 cfservd speaks only the classic protocol (--protocol classic)");
        }
        for (String p0 : positional) {
            if (p0.endsWith(".cf") && hostsFile == null) {
                throw new IllegalArgumentException("'" + p0 + "': cfrun evaluates no policy; give hosts with -H or a"
                        + " cfrun.hosts file with -f");
            }
        }

        // hosts, with per-host options from the hosts file
        record Target(HostAddress address, List<String> options, String origin) { }
        List<Target> targets = new ArrayList<>();
        HostsFile file = null;
        if (hostsFile != null) {
            file = HostsFile.read(HostsFile.locate(hostsFile, wd));
            for (String note : file.notes()) {
                err.println("cfrun: note: " + note);
            }
            for (HostsFile.Entry e : file.select(positional)) {
                targets.add(new Target(e.address(), e.options(), e.origin()));
            }
        } else {
            for (String h : positional) {
                targets.add(new Target(HostAddress.parse(h), List.of(), "command line"));
            }
        }
        for (String h : hosts) {
            if (!h.isBlank()) {
                targets.add(new Target(HostAddress.parse(h), List.of(), "-H"));
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no hosts to hail (use -H host[:port] or -f cfrun.hosts)");
        }

        // parallelism and output
        if (background != null) {
            if (background < 1 || background > 10_000) {
                throw new IllegalArgumentException("-b must be between 1 and 10000: " + background);
            }
            p.parallelism = background;
        } else {
            p.parallelism = file != null && file.maxChild().isPresent() ? file.maxChild().getAsInt() : 1;
        }
        p.outputDir = outputDir != null ? outputDir : file != null ? file.outputDir().orElse(null) : null;

        // what to ask each host
        AgentOptions global = AgentOptions.parse(agentOptionWords);
        List<String> select = new ArrayList<>(selectClasses);
        for (String c : classData) {
            select.addAll(Arrays.asList(c.split(",")));
        }
        for (Target t : targets) {
            RunRequest.Builder b = RunRequest.builder(t.address()).dialect(dialect).maxOutputLines(maxOutputLines)
                    .defineClasses(classes).bundles(bundles).selectClasses(select);
            if (dialect == ServerDialect.CFENGINE2) {
                List<String> opts = new ArrayList<>(t.options());
                opts.addAll(agentOptionWords);
                b.agentOptions(opts);
            } else {
                AgentOptions own = AgentOptions.parse(t.options());
                for (AgentOptions o : List.of(own, global)) {
                    o.requireCfengine3(o == own ? t.origin() : "after --", "use --server-version 2 for cfservd 2.x");
                    b.defineClasses(o.classes()).bundles(o.bundles());
                }
            }
            p.requests.add(b.build());
        }

        // the client
        CfRunClient.Builder c = CfRunClient.builder().workdir(wd).protocol(proto).timeouts(timeouts());
        c.trustPolicy(trustPolicy(wd));
        if (user != null) {
            c.user(user);
        }
        p.client = c;
        return p;
    }

    private TrustPolicy trustPolicy(Path wd) {
        boolean explicit = !trust.equalsIgnoreCase("strict");
        if ((trustAll ? 1 : 0) + (interactive ? 1 : 0) + (explicit ? 1 : 0) > 1) {
            throw new IllegalArgumentException("choose one of --trust, -T and -i");
        }
        if (trustAll) {
            return TrustPolicy.trustOnFirstUse();
        }
        if (interactive) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            Object lock = new Object();
            return TrustPolicy.ask((host, address, digest) -> {
                synchronized (lock) { // one question at a time, also with -b
                    err.println("WARNING - You do not have a public key from host " + host.host() + " = " + address);
                    err.println("          It presents the key " + digest + " (compare with cf-key -p on that host)");
                    err.println("Do you want to accept one on trust? (yes/no)");
                    err.flush();
                    try {
                        for (int tries = 0; tries < 5; tries++) {
                            String answer = reader.readLine();
                            String a = answer == null ? "no" : answer.strip().toLowerCase(Locale.ROOT);
                            if (a.equals("yes") || a.equals("no")) {
                                boolean yes = a.equals("yes");
                                err.println(yes ? "--> Will trust the key..." : "--> Will not trust the key...");
                                return yes;
                            }
                            err.println("Please reply yes or no");
                        }
                    } catch (java.io.IOException e) {
                        // no answer: no trust
                    }
                    err.println("--> Will not trust the key...");
                    return false;
                }
            });
        }
        return trustPolicy(trust);
    }

    /** --protocol's value, with a message fit for a user (not "No enum constant …"). */
    static Protocol protocol(String name) {
        try {
            return Protocol.valueOf(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--protocol must be tls, classic or auto: '" + name + "'");
        }
    }

    static TrustPolicy trustPolicy(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("strict")) {
            return TrustPolicy.strict();
        }
        if (s.equals("tofu")) {
            return TrustPolicy.trustOnFirstUse();
        }
        return TrustPolicy.pinned(Arrays.asList(spec.split(",")));
    }

    private Timeouts timeouts() {
        Timeouts.Builder t = Timeouts.builder()
                .connect(seconds(connectTimeout, "--timeout"))
                .handshake(seconds(handshakeTimeout, "--handshake-timeout"));
        if (idleTimeout == 0) {
            t.noIdleLimit();
        } else {
            t.idle(seconds(idleTimeout, "--idle-timeout"));
        }
        if (maxTime > 0) {
            t.overall(seconds(maxTime, "--max-time"));
        }
        return t.build();
    }

    static Duration seconds(double s, String option) {
        if (!(s > 0) || s > 1e6) {
            throw new IllegalArgumentException(option + " must be a positive number of seconds: " + s);
        }
        return Duration.ofMillis(Math.max(1, Math.round(s * 1000)));
    }
}
