package dev.cfrun.cli;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.ServerDialect;
import dev.cfrun.client.Timeouts;
import dev.cfrun.client.TrustPolicy;
import dev.cfrun.client.hosts.AgentOptions;
import dev.cfrun.client.hosts.HostsFile;
import dev.cfrun.client.hosts.HostsFileException;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Everything decided from the {@link RunOptions} before connecting anywhere: the request of each host
 * (with the hosts file's per-host options), the client (work dir, protocol, timeouts, trust), how many
 * hosts at once and where the output goes. Bad options end here as {@link IllegalArgumentException}s
 * with the message the user sees.
 */
final class RunPlan {
    final List<RunRequest> requests = new ArrayList<>();
    CfRunClient.Builder client;
    int parallelism;
    Reporter.Format format;
    Path outputDir;

    private RunPlan() {
    }

    /** {@code err} takes the hosts file's notes; {@code in} and {@code err} are the terminal of {@code -i}. */
    static RunPlan of(RunOptions o, PrintStream err, InputStream in) throws HostsFileException {
        RunPlan p = new RunPlan();
        Path wd = o.workdir != null ? o.workdir : CfRunClient.defaultWorkdir();
        p.format = switch (o.format.toLowerCase(Locale.ROOT)) {
            case "text" -> Reporter.Format.TEXT;
            case "json" -> Reporter.Format.JSON;
            default -> throw new IllegalArgumentException("--format must be text or json: '" + o.format + "'");
        };
        ServerDialect dialect = switch (o.serverVersion) {
            case 3 -> ServerDialect.CFENGINE3;
            case 2 -> ServerDialect.CFENGINE2;
            default -> throw new IllegalArgumentException("--server-version must be 2 or 3: " + o.serverVersion);
        };
        Protocol proto = o.protocol == null
                ? (dialect == ServerDialect.CFENGINE2 ? Protocol.CLASSIC : Protocol.TLS)
                : protocol(o.protocol);
        if (dialect == ServerDialect.CFENGINE2 && proto == Protocol.TLS) {
            throw new IllegalArgumentException("CFEngine 2 cfservd speaks only the classic protocol (--protocol classic)");
        }
        for (String p0 : o.positional) {
            if (p0.endsWith(".cf") && o.hostsFile == null) {
                throw new IllegalArgumentException("'" + p0 + "': cfrun evaluates no policy; give hosts with -H or a"
                        + " cfrun.hosts file with -f");
            }
        }

        // hosts, with per-host options from the hosts file
        record Target(HostAddress address, List<String> options, String origin) { }
        List<Target> targets = new ArrayList<>();
        HostsFile file = null;
        if (o.hostsFile != null) {
            file = HostsFile.read(HostsFile.locate(o.hostsFile, wd));
            for (String note : file.notes()) {
                err.println("cfrun: note: " + note);
            }
            for (HostsFile.Entry e : file.select(o.positional)) {
                targets.add(new Target(e.address(), e.options(), e.origin()));
            }
        } else {
            for (String h : o.positional) {
                targets.add(new Target(HostAddress.parse(h), List.of(), "command line"));
            }
        }
        for (String h : o.hosts) {
            if (!h.isBlank()) {
                targets.add(new Target(HostAddress.parse(h), List.of(), "-H"));
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("no hosts to hail (use -H host[:port] or -f cfrun.hosts)");
        }

        // parallelism and output
        if (o.background != null) {
            if (o.background < 1 || o.background > 10_000) {
                throw new IllegalArgumentException("-b must be between 1 and 10000: " + o.background);
            }
            p.parallelism = o.background;
        } else {
            p.parallelism = file != null && file.maxChild().isPresent() ? file.maxChild().getAsInt() : 1;
        }
        p.outputDir = o.outputDir != null ? o.outputDir : file != null ? file.outputDir().orElse(null) : null;

        // what to ask each host
        AgentOptions global = AgentOptions.parse(o.agentOptionWords);
        List<String> select = new ArrayList<>(o.selectClasses);
        for (String c : o.classData) {
            select.addAll(Arrays.asList(c.split(",")));
        }
        for (Target t : targets) {
            RunRequest.Builder b = RunRequest.builder(t.address()).dialect(dialect).maxOutputLines(o.maxOutputLines)
                    .defineClasses(o.classes).bundles(o.bundles).selectClasses(select);
            if (dialect == ServerDialect.CFENGINE2) {
                List<String> opts = new ArrayList<>(t.options());
                opts.addAll(o.agentOptionWords);
                b.agentOptions(opts);
            } else {
                AgentOptions own = AgentOptions.parse(t.options());
                for (AgentOptions a : List.of(own, global)) {
                    a.requireCfengine3(a == own ? t.origin() : "after --", "use --server-version 2 for cfservd 2.x");
                    b.defineClasses(a.classes()).bundles(a.bundles());
                }
            }
            p.requests.add(b.build());
        }

        // the client
        CfRunClient.Builder c = CfRunClient.builder().workdir(wd).protocol(proto).timeouts(timeouts(o));
        c.trustPolicy(trustPolicy(o, err, in));
        if (o.user != null) {
            c.user(o.user);
        }
        p.client = c;
        return p;
    }

    private static TrustPolicy trustPolicy(RunOptions o, PrintStream err, InputStream in) {
        boolean explicit = !o.trust.equalsIgnoreCase("strict");
        if ((o.trustAll ? 1 : 0) + (o.interactive ? 1 : 0) + (explicit ? 1 : 0) > 1) {
            throw new IllegalArgumentException("choose one of --trust, -T and -i");
        }
        if (o.trustAll) {
            return TrustPolicy.trustOnFirstUse();
        }
        if (o.interactive) {
            return TrustPolicy.ask(new TerminalTrustPrompt(in, err));
        }
        String s = o.trust.strip().toLowerCase(Locale.ROOT);
        if (s.equals("strict")) {
            return TrustPolicy.strict();
        }
        if (s.equals("tofu")) {
            return TrustPolicy.trustOnFirstUse();
        }
        return TrustPolicy.pinned(Arrays.asList(o.trust.split(",")));
    }

    /** --protocol's value: the library's parse, its message naming the option as the user typed it. */
    static Protocol protocol(String name) {
        try {
            return Protocol.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + e.getMessage(), e);
        }
    }

    /** The protocol a plain run will most likely speak, for {@link CfRunClient#warmUp}; never throws. */
    static Protocol warmUpProtocol(RunOptions o) {
        if (o.serverVersion == 2) {
            return Protocol.CLASSIC;
        }
        try {
            return o.protocol != null && Protocol.parse(o.protocol) == Protocol.CLASSIC ? Protocol.CLASSIC : Protocol.TLS;
        } catch (IllegalArgumentException e) {
            return Protocol.TLS; // reported when the run is planned
        }
    }

    private static Timeouts timeouts(RunOptions o) {
        Timeouts.Builder t = Timeouts.builder()
                .connect(Timeouts.seconds(o.connectTimeout, "--timeout"))
                .handshake(Timeouts.seconds(o.handshakeTimeout, "--handshake-timeout"));
        if (o.idleTimeout == 0) {
            t.noIdleLimit();
        } else {
            t.idle(Timeouts.seconds(o.idleTimeout, "--idle-timeout"));
        }
        if (o.maxTime > 0) {
            t.overall(Timeouts.seconds(o.maxTime, "--max-time"));
        }
        return t.build();
    }
}
