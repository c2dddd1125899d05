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

    /**
     * A builder for a run on this host, with no classes, bundles or select classes.
     *
     * @param host the host whose cf-serverd is asked
     * @return a new builder
     */
    public static Builder builder(HostAddress host) {
        return new Builder(Objects.requireNonNull(host, "host"));
    }

    /**
     * A builder for a run on a host written as on a cf-runagent command line.
     *
     * @param hostSpec {@code host}, {@code host:port}, {@code [v6]:port} or an IPv6 literal, as
     *                 {@link HostAddress#parse}
     * @return a new builder
     * @throws IllegalArgumentException if the host cannot be parsed
     */
    public static Builder builder(String hostSpec) {
        return builder(HostAddress.parse(hostSpec));
    }

    /**
     * The same request for another host.
     *
     * @param other the host to run on instead
     * @return a request equal to this one but for the host
     */
    public RunRequest withHost(HostAddress other) {
        return toBuilder().host(other).build();
    }

    /**
     * A builder holding this request's settings, to derive a changed request.
     *
     * @return a new builder; changing it does not change this request
     */
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

    /**
     * The host whose cf-serverd is asked to run its agent.
     *
     * @return the host and port
     */
    public HostAddress host() {
        return host;
    }

    /**
     * Classes defined for the remote agent (cf-runagent {@code -D}); the server's {@code roles} must allow them.
     *
     * @return the class names, one per element; unmodifiable
     */
    public List<String> classes() {
        return classes;
    }

    /**
     * The remote agent's bundle sequence (cf-runagent {@code --remote-bundles}); the server's bundle ACL must
     * allow them.
     *
     * @return the bundle names, in order; unmodifiable
     */
    public List<String> bundles() {
        return bundles;
    }

    /**
     * Select classes (cf-runagent {@code -s}): the server runs the agent only if one of them is defined there.
     *
     * @return the class names or regular expressions; unmodifiable
     */
    public List<String> selectClasses() {
        return selectClasses;
    }

    /**
     * The listener that receives each reply line as it arrives.
     *
     * @return the listener, or empty for none
     */
    public Optional<OutputListener> listener() {
        return Optional.ofNullable(listener);
    }

    /**
     * Whether the result keeps the reply lines (turn off to stream huge outputs in constant memory).
     *
     * @return {@code true} (the default) if {@link RunResult#lines()} holds every reply line
     */
    public boolean retainOutput() {
        return retainOutput;
    }

    /**
     * The most output lines the server may send before the run is abandoned with
     * {@link OutputLimitExceededException}.
     *
     * @return the limit, at least 1; default {@link #DEFAULT_MAX_OUTPUT_LINES}
     */
    public long maxOutputLines() {
        return maxOutputLines;
    }

    /**
     * The cf-serverd generation the EXEC request is written for.
     *
     * @return {@link ServerDialect#CFENGINE3} unless set otherwise
     */
    public ServerDialect dialect() {
        return dialect;
    }

    /**
     * cfagent options for a CFEngine 2 cfservd (e.g. {@code -v}, {@code -k}); empty for CFEngine 3.
     *
     * @return the options, in order; unmodifiable
     */
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

        /**
         * Replaces the host.
         *
         * @param h the host whose cf-serverd is asked
         * @return this builder
         */
        public Builder host(HostAddress h) {
            this.host = Objects.requireNonNull(h, "host");
            return this;
        }

        /**
         * Adds classes for the remote agent; each name may also be a comma-separated list.
         *
         * @param names class names (cf-runagent {@code -D})
         * @return this builder
         * @throws IllegalArgumentException if a name is not a valid class name
         */
        public Builder defineClasses(Collection<String> names) {
            addNames(classes, names, "class");
            return this;
        }

        /**
         * Adds classes for the remote agent; each name may also be a comma-separated list.
         *
         * @param names class names (cf-runagent {@code -D})
         * @return this builder
         * @throws IllegalArgumentException if a name is not a valid class name
         */
        public Builder defineClasses(String... names) {
            return defineClasses(List.of(names));
        }

        /**
         * Adds bundles to the remote agent's bundle sequence; each may be a comma-separated list.
         *
         * @param names bundle names (cf-runagent {@code --remote-bundles})
         * @return this builder
         * @throws IllegalArgumentException if a name is not a valid bundle name
         */
        public Builder bundles(Collection<String> names) {
            addNames(bundles, names, "bundle");
            return this;
        }

        /**
         * Adds bundles to the remote agent's bundle sequence; each may be a comma-separated list.
         *
         * @param names bundle names (cf-runagent {@code --remote-bundles})
         * @return this builder
         * @throws IllegalArgumentException if a name is not a valid bundle name
         */
        public Builder bundles(String... names) {
            return bundles(List.of(names));
        }

        /**
         * Adds select classes (each may be a list separated by commas, colons or spaces, as cf-runagent splits -s).
         *
         * @param names class names or regular expressions (cf-runagent {@code -s})
         * @return this builder
         * @throws IllegalArgumentException if a part cannot be sent to the server
         */
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

        /**
         * Adds select classes (each may be a list separated by commas, colons or spaces, as cf-runagent splits -s).
         *
         * @param names class names or regular expressions (cf-runagent {@code -s})
         * @return this builder
         * @throws IllegalArgumentException if a part cannot be sent to the server
         */
        public Builder selectClasses(String... names) {
            return selectClasses(List.of(names));
        }

        /**
         * Sets the listener that receives each reply line as it arrives (default: none).
         *
         * @param l the listener, or {@code null} for none
         * @return this builder
         */
        public Builder listener(OutputListener l) {
            this.listener = l;
            return this;
        }

        /**
         * Whether the result keeps the reply lines (default {@code true}); turn off to stream huge
         * outputs through a {@link #listener(OutputListener) listener} in constant memory.
         *
         * @param retain {@code false} to keep only the count of output lines
         * @return this builder
         */
        public Builder retainOutput(boolean retain) {
            this.retainOutput = retain;
            return this;
        }

        /**
         * Bounds the output lines of the run (default {@link RunRequest#DEFAULT_MAX_OUTPUT_LINES}); past it
         * the run is abandoned with {@link OutputLimitExceededException}.
         *
         * @param max the most output lines accepted; at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is less than 1
         */
        public Builder maxOutputLines(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxOutputLines must be at least 1: " + max);
            }
            this.maxOutputLines = max;
            return this;
        }

        /**
         * The server generation (default {@link ServerDialect#CFENGINE3}).
         *
         * @param d the cf-serverd generation of the host
         * @return this builder
         */
        public Builder dialect(ServerDialect d) {
            this.dialect = Objects.requireNonNull(d, "dialect");
            return this;
        }

        /**
         * Arbitrary cfagent options, sent as they are to a CFEngine 2 cfservd (needs {@link ServerDialect#CFENGINE2}).
         *
         * @param options cfagent options, one per element (e.g. {@code -v})
         * @return this builder
         * @throws IllegalArgumentException if an option cannot be sent to the server
         */
        public Builder agentOptions(Collection<String> options) {
            for (String o : options) {
                ExecRequest.checkAgentOption(Objects.requireNonNull(o, "agent option"));
                agentOptions.add(o);
            }
            return this;
        }

        /**
         * Checks the settings together and returns the request.
         *
         * @return the immutable request
         * @throws IllegalArgumentException if the request cannot be sent in the chosen dialect (bundles or options in
         *         the wrong dialect, too long for one transaction)
         */
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
