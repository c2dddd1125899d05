package dev.cfrun.service;

import dev.cfrun.client.CfRunClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The command line of {@link Main}, parsed by picocli. Each option is a field below, grouped by what it
 * configures; {@link #parse} checks them all and gives one line for the first problem.
 */
@Command(name = "cfrun-service", sortOptions = false, usageHelpWidth = 80,
        description = "The resident remediation service: Alertmanager webhooks and /v1/runs requests become "
                + "agent runs.",
        footer = {"",
                "Endpoints: POST /v1/alertmanager, POST /v1/runs, GET /v1/runs/ID,",
                "GET /v1/runs?host=H&limit=N, POST /v1/pause, POST /v1/resume (all with",
                "Authorization: Bearer TOKEN); GET /healthz.",
                "",
                "Alertmanager receiver (alertmanager.yml):",
                "  receivers:",
                "    - name: cfrun",
                "      webhook_configs:",
                "        - url: http://127.0.0.1:9308/v1/alertmanager",
                "          http_config:",
                "            authorization:",
                "              credentials_file: /etc/cfrun/token",
                "",
                "Example:",
                "  cfrun-service --token-file /etc/cfrun/token --state /var/lib/cfrun-service"})
public final class ServiceOptions {
    /** Bad command line: a one-line reason. */
    public static final class OptionException extends Exception {
        private static final long serialVersionUID = 1L;

        /** @param message one line */
        public OptionException(String message) {
            super(message);
        }
    }

    // --- where and how it listens ---
    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "where to listen (default 127.0.0.1:9308; IPv6 as [ADDR]:PORT)")
    private String listen = "127.0.0.1:9308";

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "the bearer token of the /v1 endpoints (first line; mode 600); required")
    private Path tokenFile;

    // --- TLS ---
    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "serve HTTPS (TLS 1.3/1.2) with this certificate chain: PEM, the server's first; "
                    + "needs --tls-key")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "the private key of --tls-cert: PEM, unencrypted, mode 600 (may be the same file)")
    private Path tlsKey;

    // --- state and the client ---
    @Option(names = "--state", paramLabel = "DIR",
            description = "the service's state directory (database cfrun-service.db); required")
    private Path state;

    @Option(names = "--workdir", paramLabel = "DIR",
            description = "the CFEngine work dir of the client (identity, trusted keys; default ${DEFAULT-VALUE})")
    private Path workdir = CfRunClient.defaultWorkdir();

    // --- dispatching ---
    @Option(names = "--parallelism", paramLabel = "N", description = "runs at the same time (default 8)")
    private int parallelism = 8;

    @Option(names = "--dry-run", description = "record what would run, run nothing")
    private boolean dryRun;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    private ServiceOptions() {
    }

    /**
     * @param args the command line
     * @return the options ({@link #help()} true: nothing else was checked)
     * @throws OptionException on an unknown option, a missing or bad value, no {@code --token-file} or
     *                         {@code --state}
     */
    public static ServiceOptions parse(String[] args) throws OptionException {
        ServiceOptions o = new ServiceOptions();
        CommandLine cl = new CommandLine(o);
        try {
            cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new OptionException(oneLine(e.getMessage()) + " (see --help)");
        }
        if (o.help) {
            return o;
        }
        o.check();
        return o;
    }

    /**
     * The usage text, as {@code --help} prints it.
     *
     * @return the text
     */
    public static String usage() {
        StringWriter w = new StringWriter();
        new CommandLine(new ServiceOptions()).usage(new PrintWriter(w));
        return w.toString();
    }

    private void check() throws OptionException {
        if (tokenFile == null) {
            throw new OptionException("--token-file is required");
        }
        if (state == null) {
            throw new OptionException("--state is required (the directory of the service's database)");
        }
        if (parallelism < 1 || parallelism > 1024) {
            throw new OptionException("--parallelism: a number from 1 to 1024, not " + parallelism);
        }
        address(listen);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new OptionException("--tls-cert and --tls-key go together (HTTPS needs both)");
        }
    }

    /** @return where the HTTP server listens */
    public InetSocketAddress listen() {
        try {
            return address(listen);
        } catch (OptionException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** @return the CFEngine work dir of the client (identity, trust store) */
    public Path workdir() {
        return workdir;
    }

    /** @return the state directory (SQLite store) */
    public Path state() {
        return state;
    }

    /** @return the bearer token file */
    public Path tokenFile() {
        return tokenFile;
    }

    /** @return the TLS certificate chain file, or null for plain HTTP */
    public Path tlsCert() {
        return tlsCert;
    }

    /** @return the TLS private key file, or null for plain HTTP */
    public Path tlsKey() {
        return tlsKey;
    }

    /** @return runs at the same time */
    public int parallelism() {
        return parallelism;
    }

    /** @return record what would run, run nothing */
    public boolean dryRun() {
        return dryRun;
    }

    /** @return {@code --help} was given */
    public boolean help() {
        return help;
    }

    private static String oneLine(String s) {
        return s == null ? "bad command line" : s.replaceAll("[\\r\\n]+", " ").strip();
    }

    /**
     * @param spec {@code HOST:PORT}, IPv6 as {@code [::1]:PORT}
     * @return the socket address
     * @throws OptionException if malformed
     */
    static InetSocketAddress address(String spec) throws OptionException {
        int colon = spec.lastIndexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new OptionException("--listen: HOST:PORT, not " + spec);
        }
        String host = spec.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new OptionException("--listen: write IPv6 addresses as [ADDR]:PORT, not " + spec);
        }
        int port;
        try {
            port = Integer.parseInt(spec.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new OptionException("--listen: port 0 to 65535, not " + spec.substring(colon + 1));
        }
        return new InetSocketAddress(host, port);
    }
}
