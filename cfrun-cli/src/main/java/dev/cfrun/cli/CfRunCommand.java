package dev.cfrun.cli;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.Timeouts;
import dev.cfrun.client.TrustPolicy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code cfrun -H host … [-D classes] [-s classes] [--remote-bundles b]}: hail cf-serverd, as cf-runagent. */
@Command(name = "cfrun", mixinStandardHelpOptions = true, versionProvider = Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Asks the cf-serverd of each host to run its agent now and prints the agent's output, like",
            "cf-runagent (CFEngine 3) and cfrun (CFEngine 2), without needing CFEngine on this machine.",
            ""},
        footerHeading = "%nExit status:%n",
        footer = {
            "  one host      the remote agent's exit code (255 when the server sent none: refusal,",
            "                connection or key failure, server older than 3.18)",
            "  several hosts the number of hosts that did not return 0 (at most 100)",
            "  101           a local error (bad arguments, own key unusable)",
            "",
            "Trust: an unknown server key is refused unless --trust says otherwise; a changed key is",
            "always refused. Trusted server keys live in <workdir>/ppkeys as cf-key -t stores them."})
final class CfRunCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    @Option(names = {"-H", "--hail"}, paramLabel = "HOST[:PORT]", split = ",",
            description = "Hosts to hail: host, host:port, [v6]:port; comma-separated, repeatable.")
    List<String> hosts = new ArrayList<>();

    @Option(names = {"-D", "--define-class"}, paramLabel = "CLASS", split = ",",
            description = "Classes for the remote agent (server needs a roles rule).")
    List<String> classes = new ArrayList<>();

    @Option(names = {"-s", "--select-class"}, paramLabel = "CLASS",
            description = "Run only where one of these classes (or regexes) is defined; comma-separated.")
    List<String> selectClasses = new ArrayList<>();

    @Option(names = "--remote-bundles", paramLabel = "BUNDLE", split = ",",
            description = "Bundle sequence for the remote agent (server needs a bundle access rule).")
    List<String> bundles = new ArrayList<>();

    @Option(names = "--workdir", paramLabel = "DIR",
            description = "Holds ppkeys/localhost.priv, localhost.pub and trusted server keys."
                    + " Default: /var/lib/cfengine3 or /var/cfengine if it holds a key, else ~/.cfrun.")
    Path workdir;

    @Option(names = "--user", paramLabel = "NAME",
            description = "User name claimed to the server (allowusers, roles). Default: the login name.")
    String user;

    @Option(names = "--protocol", paramLabel = "auto|tls|classic", defaultValue = "auto",
            description = "Protocol: tls (CFEngine 3.7+), classic (needs allowlegacyconnects), auto (TLS,"
                    + " classic if the server does not speak TLS). Default: ${DEFAULT-VALUE}.")
    String protocol;

    @Option(names = "--trust", paramLabel = "strict|tofu|DIGEST[,DIGEST]", defaultValue = "strict",
            description = "Unknown server keys: strict refuses them (default), tofu stores and accepts a new"
                    + " key, MD5=…/SHA=… digests accept exactly those keys.")
    String trust;

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "30",
            description = "Connect timeout (default ${DEFAULT-VALUE}).")
    double connectTimeout;

    @Option(names = "--handshake-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Limit for the TLS or classic handshake (default ${DEFAULT-VALUE}).")
    double handshakeTimeout;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "Give up when the server sends nothing for this long while the agent runs;"
                    + " 0 = never (default ${DEFAULT-VALUE}).")
    double idleTimeout;

    @Option(names = "--max-time", paramLabel = "SECONDS", defaultValue = "0",
            description = "Limit for a whole run; 0 = none (default).")
    double maxTime;

    @Option(names = {"-I", "--inform"}, description = "Log basic information to stderr.")
    boolean inform;

    @Option(names = {"-v", "--verbose"}, description = "Log protocol details to stderr.")
    boolean verbose;

    @Option(names = {"-d", "--debug"}, description = "Log everything, with stack traces.")
    boolean debug;

    CfRunCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        List<HostAddress> targets = new ArrayList<>();
        RunRequest template;
        CfRunClient.Builder builder = CfRunClient.builder();
        try {
            for (String h : hosts) {
                if (!h.isBlank()) {
                    targets.add(HostAddress.parse(h));
                }
            }
            template = RunRequest.builder(HostAddress.of("localhost", HostAddress.DEFAULT_PORT))
                    .defineClasses(classes).bundles(bundles).selectClasses(selectClasses).build();
            builder.workdir(workdir != null ? workdir : CfRunClient.defaultWorkdir())
                    .protocol(Protocol.valueOf(protocol.toUpperCase(Locale.ROOT)))
                    .trustPolicy(trustPolicy(trust))
                    .timeouts(timeouts());
            if (user != null) {
                builder.user(user);
            }
        } catch (IllegalArgumentException e) {
            err.println("cfrun: " + e.getMessage());
            return ExitCodes.LOCAL_ERROR;
        }
        if (targets.isEmpty()) {
            err.println("cfrun: no hosts to hail (use -H host[:port])");
            return ExitCodes.LOCAL_ERROR;
        }
        try (CfRunClient client = builder.build()) {
            int failed = 0;
            int lastExit = ExitCodes.NO_EXIT_CODE;
            for (HostAddress h : targets) {
                lastExit = runOne(client, template.toBuilder().host(h)
                        .listener((host, address, line) -> out.print(TextOutput.format(address, line)))
                        .retainOutput(false).build());
                if (lastExit != 0) {
                    failed++;
                }
            }
            out.flush();
            return targets.size() == 1 ? lastExit : Math.min(failed, ExitCodes.MAX_FAILED_HOSTS);
        } catch (KeyFileException e) {
            err.println("cfrun: " + Errors.oneLine(e));
            return ExitCodes.LOCAL_ERROR;
        }
    }

    private int runOne(CfRunClient client, RunRequest request) {
        try {
            RunResult r = client.run(request);
            if (r.newlyTrusted()) {
                err.println("cfrun: " + request.host() + ": trusted new server key " + r.serverKeyDigest());
            }
            return r.exitCode().orElse(ExitCodes.NO_EXIT_CODE) & 0xff;
        } catch (CfRunException e) {
            out.flush();
            err.println("cfrun: " + request.host() + ": " + Errors.oneLine(e));
            if (debug) {
                e.printStackTrace(err);
            }
            return ExitCodes.NO_EXIT_CODE;
        }
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

    private static Duration seconds(double s, String option) {
        if (!(s > 0) || s > 1e6) {
            throw new IllegalArgumentException(option + " must be a positive number of seconds: " + s);
        }
        return Duration.ofMillis(Math.max(1, Math.round(s * 1000)));
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
}
