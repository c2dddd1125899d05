package dev.cfrun.client;

import dev.cfrun.client.hosts.AgentOptions;
import dev.cfrun.client.internal.protocol.ExecRequest;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One remote run: the host and what to ask its cf-serverd. Immutable; build with {@link #builder(HostAddress)}.
 * <ul>
 *   <li>{@code classes}: cf-runagent {@code -D}, classes defined for the remote agent (server {@code roles} ACL);</li>
 *   <li>{@code bundles}: cf-runagent {@code --remote-bundles}, the agent's bundle sequence (bundle ACL);</li>
 *   <li>{@code selectClasses}: cf-runagent {@code -s}, run only if one of these classes (or regexes)
 *       is defined on the server.</li>
 * </ul>
 */
public final class RunRequest {
    /** Default bound on output lines per run (a hostile server cannot exhaust memory or time). */
    public static final long DEFAULT_MAX_OUTPUT_LINES = 1_000_000;

    private final HostAddress host;
    private final List<String> classes;
    private final List<String> bundles;
    private final List<String> selectClasses;
    private final OutputListener listener;
    private final boolean retainOutput;
    private final long maxOutputLines;
    private final ServerDialect dialect;
    private final List<String> agentOptions;

    private RunRequest(Builder b) {
        this.host = b.host;
        this.classes = List.copyOf(b.classes);
        this.bundles = List.copyOf(b.bundles);
        this.selectClasses = List.copyOf(b.selectClasses);
        this.listener = b.listener;
        this.retainOutput = b.retainOutput;
        this.maxOutputLines = b.maxOutputLines;
        this.dialect = b.dialect;
        this.agentOptions = List.copyOf(b.agentOptions);
        if (dialect == ServerDialect.CFENGINE2) {
            if (!bundles.isEmpty()) {
                throw new IllegalArgumentException("CFEngine 2 has no bundles: --remote-bundles needs a CFEngine 3 server");
            }
            ExecRequest.encodeCfengine2(classes, agentOptions); // fails early if too long
            ExecRequest.cfengine2ClassData(selectClasses);
        } else {
            if (!agentOptions.isEmpty()) {
                throw AgentOptions.notForCfengine3(agentOptions, null, "ServerDialect.CFENGINE2 for cfservd 2.x");
            }
            ExecRequest.encode(classes, bundles); // fails early if the request is too long for one transaction
        }
    }

    public static Builder builder(HostAddress host) {
        return new Builder(Objects.requireNonNull(host, "host"));
    }

    public static Builder builder(String hostSpec) {
        return builder(HostAddress.parse(hostSpec));
    }

    /** The same request for another host. */
    public RunRequest withHost(HostAddress other) {
        return toBuilder().host(other).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder(host);
        b.classes.addAll(classes);
        b.bundles.addAll(bundles);
        b.selectClasses.addAll(selectClasses);
        b.listener = listener;
        b.retainOutput = retainOutput;
        b.maxOutputLines = maxOutputLines;
        b.dialect = dialect;
        b.agentOptions.addAll(agentOptions);
        return b;
    }

    public HostAddress host() {
        return host;
    }

    public List<String> classes() {
        return classes;
    }

    public List<String> bundles() {
        return bundles;
    }

    public List<String> selectClasses() {
        return selectClasses;
    }

    public Optional<OutputListener> listener() {
        return Optional.ofNullable(listener);
    }

    /** Whether the result keeps the reply lines (turn off to stream huge outputs in constant memory). */
    public boolean retainOutput() {
        return retainOutput;
    }

    public long maxOutputLines() {
        return maxOutputLines;
    }

    public ServerDialect dialect() {
        return dialect;
    }

    /** cfagent options for a CFEngine 2 cfservd (e.g. {@code -v}, {@code -k}); empty for CFEngine 3. */
    public List<String> agentOptions() {
        return agentOptions;
    }

    /** Builds a {@link RunRequest}; only the host is required. */
    public static final class Builder {
        private HostAddress host;
        private final List<String> classes = new ArrayList<>();
        private final List<String> bundles = new ArrayList<>();
        private final List<String> selectClasses = new ArrayList<>();
        private OutputListener listener;
        private boolean retainOutput = true;
        private long maxOutputLines = DEFAULT_MAX_OUTPUT_LINES;
        private ServerDialect dialect = ServerDialect.CFENGINE3;
        private final List<String> agentOptions = new ArrayList<>();

        private Builder(HostAddress host) {
            this.host = host;
        }

        public Builder host(HostAddress h) {
            this.host = Objects.requireNonNull(h, "host");
            return this;
        }

        /** Adds classes for the remote agent; each name may also be a comma-separated list. */
        public Builder defineClasses(Collection<String> names) {
            addNames(classes, names, "class");
            return this;
        }

        public Builder defineClasses(String... names) {
            return defineClasses(List.of(names));
        }

        /** Adds bundles to the remote agent's bundle sequence; each may be a comma-separated list. */
        public Builder bundles(Collection<String> names) {
            addNames(bundles, names, "bundle");
            return this;
        }

        public Builder bundles(String... names) {
            return bundles(List.of(names));
        }

        /** Adds select classes (each may be a list separated by commas, colons or spaces, as cf-runagent splits -s). */
        public Builder selectClasses(Collection<String> names) {
            for (String n : names) {
                for (String part : Objects.requireNonNull(n, "select class").split("[,: ]")) {
                    if (!part.isEmpty()) {
                        ExecRequest.checkSelectClass(part);
                        selectClasses.add(part);
                    }
                }
            }
            return this;
        }

        public Builder selectClasses(String... names) {
            return selectClasses(List.of(names));
        }

        public Builder listener(OutputListener l) {
            this.listener = l;
            return this;
        }

        public Builder retainOutput(boolean retain) {
            this.retainOutput = retain;
            return this;
        }

        public Builder maxOutputLines(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxOutputLines must be at least 1: " + max);
            }
            this.maxOutputLines = max;
            return this;
        }

        /** The server generation (default {@link ServerDialect#CFENGINE3}). */
        public Builder dialect(ServerDialect d) {
            this.dialect = Objects.requireNonNull(d, "dialect");
            return this;
        }

        /** Arbitrary cfagent options, sent as they are to a CFEngine 2 cfservd (needs {@link ServerDialect#CFENGINE2}). */
        public Builder agentOptions(Collection<String> options) {
            for (String o : options) {
                ExecRequest.checkAgentOption(Objects.requireNonNull(o, "agent option"));
                agentOptions.add(o);
            }
            return this;
        }

        public RunRequest build() {
            return new RunRequest(this);
        }

        private static void addNames(List<String> into, Collection<String> names, String what) {
            for (String n : names) {
                for (String part : Objects.requireNonNull(n, what).split(",")) {
                    String p = part.strip();
                    if (!p.isEmpty()) {
                        ClassNames.check(p, what);
                        into.add(p);
                    }
                }
            }
        }
    }
}
