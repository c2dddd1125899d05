package dev.cfrun.service;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.service.dispatch.DispatchPolicy;
import dev.cfrun.service.ingest.Limits;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.time.Duration;
import java.util.Locale;

/**
 * The command line of {@link Main}, parsed by picocli. Each option is a field below, grouped by what it
 * configures; {@link #parse} checks them all and gives one line for the first problem.
 */
@Command(name = "cfrun-service", sortOptions = false, usageHelpWidth = 80,
        description = "The resident remediation service: Alertmanager webhooks, Nagios and Icinga 2 events "
                + "(posted by curl) and /v1/runs requests become agent runs on the hosts' cf-serverd.",
        footer = {"",
                "Endpoints: POST /v1/alertmanager, POST /v1/nagios, POST /v1/icinga,",
                "POST /v1/runs, GET /v1/runs/ID, GET /v1/runs?host=H[:PORT]&limit=N,",
                "POST /v1/pause, POST /v1/resume (all with Authorization: Bearer TOKEN);",
                "GET /healthz, GET /metrics (Prometheus text format; no token).",
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
                "Examples:",
                "  cfrun-service --token-file /etc/cfrun/token --state /var/lib/cfrun-service \\",
                "      --workdir /var/lib/cfrun-service/workdir --rules /etc/cfrun/rules.yml",
                "  cfrun-service --token-file token --state state --dry-run   # runs nothing",
                "  cfrun-service --check-rules /etc/cfrun/rules.yml",
                "",
                "Reference: docs/alertmanager.md. SIGHUP: read the rules and the TLS files",
                "again, reopen the audit log. Exit: 0 after SIGTERM, 2 bad command line or",
                "file, 1 could not start."})
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

    // --- observability ---
    @Option(names = "--audit-log", paramLabel = "FILE|none",
            description = "append-only JSON-lines audit log (default STATE/audit.jsonl; none: no audit log); "
                    + "reopened on SIGHUP")
    private String auditLog;

    // --- monitoring: the re-check after runs for Nagios / Icinga 2 events ---
    @Option(names = "--nagios-command-file", paramLabel = "FILE",
            description = "after a run for a /v1/nagios event, ask Nagios to check again through its command pipe"
                    + " (its command_file)")
    private Path nagiosCommandFile;

    @Option(names = "--icinga-api", paramLabel = "URL",
            description = "after a run for a /v1/icinga event, ask Icinga 2 to check again"
                    + " (e.g. https://localhost:5665, the name in its certificate)")
    private String icingaApi;

    @Option(names = "--icinga-user", paramLabel = "NAME", description = "ApiUser with actions/reschedule-check")
    private String icingaUser;

    @Option(names = "--icinga-password-file", paramLabel = "FILE", description = "its password (first line; mode 600)")
    private Path icingaPasswordFile;

    @Option(names = "--icinga-ca", paramLabel = "FILE",
            description = "CA of the API's certificate (default /var/lib/icinga2/certs/ca.crt)")
    private Path icingaCa;
    // --- limits ---
    @Option(names = "--runs-per-minute", paramLabel = "N",
            description = "runs started in any 60 seconds, all hosts together; 0 = no limit (default ${DEFAULT-VALUE})")
    private int runsPerMinute = DispatchPolicy.defaults().runsPerMinute();

    @Option(names = "--cooldown", paramLabel = "DURATION",
            description = "after a run on a host, triggers for the same host and alert are suppressed this long, "
                    + "e.g. 30s, 5m, 1h; 0 = none (default ${DEFAULT-VALUE})")
    private String cooldown = Durations.format(DispatchPolicy.defaults().cooldown());

    @Option(names = "--max-hosts-per-group", paramLabel = "N",
            description = "blast radius: distinct hosts run for one alert group within --group-window; 0 = no cap "
                    + "(default ${DEFAULT-VALUE})")
    private int maxHostsPerGroup = DispatchPolicy.defaults().maxHostsPerGroup();

    @Option(names = "--group-window", paramLabel = "DURATION",
            description = "how long a host counts against its group's cap, 1s to 30d (default ${DEFAULT-VALUE})")
    private String groupWindow = Durations.format(DispatchPolicy.defaults().groupWindow());

    @Option(names = "--max-body", paramLabel = "BYTES",
            description = "largest request body, e.g. 262144, 512KiB, 4MiB; larger ones get 413 "
                    + "(default ${DEFAULT-VALUE})")
    private String maxBody = bytes(Limits.DEFAULTS.maxBytes());

    // --- rules ---
    @Option(names = "--rules", paramLabel = "FILE",
            description = "the rules file (YAML): which alerts act, on which host, with which classes and bundles; "
                    + "checked at start, read again on SIGHUP (default: every firing alert runs class "
                    + "alert_<alertname> on its cfrun_host or instance)")
    private Path rules;

    @Option(names = "--check-rules", paramLabel = "FILE",
            description = "check a rules file, print a summary and exit: 0 valid, 1 not (nothing else is needed)")
    private Path checkRules;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this text")
    private boolean help;

    /** Most runs per minute {@link DispatchPolicy} takes. */
    static final int MAX_RUNS_PER_MINUTE = 100_000;
    /** Largest cap on hosts per group {@link DispatchPolicy} takes. */
    static final int MAX_HOSTS_PER_GROUP = 1_000_000;
    /** Longest cooldown and group window {@link DispatchPolicy} takes. */
    static final Duration MAX_DURATION = Duration.ofDays(30);
    /** Smallest {@code --max-body}: below it not even a small Alertmanager delivery fits. */
    static final long MIN_BODY = 1024;
    /** Largest {@code --max-body}: each of the HTTP threads may hold one body in memory. */
    static final long MAX_BODY = 64L * 1024 * 1024;

    private ServiceOptions() {
    }

    /**
     * @param args the command line
     * @return the options ({@link #help()} true or {@link #checkRules()} set: nothing else was checked)
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
        if (o.help || o.checkRules != null) {
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
        if (auditLog != null && auditLog.isBlank()) {
            throw new OptionException("--audit-log: a file, or none");
        }
        range("--runs-per-minute", runsPerMinute, 0, MAX_RUNS_PER_MINUTE, " (0 = no limit)");
        range("--max-hosts-per-group", maxHostsPerGroup, 0, MAX_HOSTS_PER_GROUP, " (0 = no cap)");
        between("--cooldown", cooldown, Duration.ZERO, MAX_DURATION);
        between("--group-window", groupWindow, Duration.ofSeconds(1), MAX_DURATION);
        long body = parseBytes(maxBody);
        if (body < MIN_BODY || body > MAX_BODY) {
            throw new OptionException("--max-body: " + bytes(MIN_BODY) + " to " + bytes(MAX_BODY) + ", not " + maxBody);
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new OptionException("--tls-cert and --tls-key go together (HTTPS needs both)");
        }
    }

    private static void range(String option, int v, int min, int max, String note) throws OptionException {
        if (v < min || v > max) {
            throw new OptionException(option + ": a number from " + min + " to " + max + note + ", not " + v);
        }
    }

    private static void between(String option, String text, Duration min, Duration max) throws OptionException {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new OptionException(option + ": " + e.getMessage());
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new OptionException(option + ": " + Durations.format(min) + " to " + Durations.format(max) + ", not "
                    + text);
        }
    }

    /**
     * @param text bytes, or a whole number of {@code KiB} or {@code MiB}
     * @return the bytes
     * @throws OptionException naming {@code --max-body}
     */
    static long parseBytes(String text) throws OptionException {
        String t = text.strip();
        long unit = 1;
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.endsWith("kib")) {
            unit = 1024;
        } else if (lower.endsWith("mib")) {
            unit = 1024 * 1024;
        }
        String digits = unit == 1 ? t : t.substring(0, t.length() - 3);
        if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new OptionException("--max-body: bytes, or KiB or MiB, like 1048576 or 1MiB, not " + text);
        }
        return Long.parseLong(digits) * unit;
    }

    /** {@code n} bytes as {@code --max-body} is best written: {@code 1MiB}, {@code 512KiB}, {@code 1000}. */
    static String bytes(long n) {
        if (n > 0 && n % (1024 * 1024) == 0) {
            return n / (1024 * 1024) + "MiB";
        }
        return n > 0 && n % 1024 == 0 ? n / 1024 + "KiB" : Long.toString(n);
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

    /**
     * The dispatcher's limits from the options: parallelism, dry run, runs per minute, cooldown, hosts per
     * group and the group window; the rest as {@link DispatchPolicy#defaults()}.
     *
     * @return the policy
     */
    public DispatchPolicy policy() {
        return DispatchPolicy.builder().parallelism(parallelism).dryRun(dryRun).runsPerMinute(runsPerMinute)
                .cooldown(Durations.parse(cooldown)).maxHostsPerGroup(maxHostsPerGroup)
                .groupWindow(Durations.parse(groupWindow)).build();
    }

    /**
     * The bounds on a request body: {@code --max-body}, the rest as {@link Limits#DEFAULTS}.
     *
     * @return the limits
     */
    public Limits limits() {
        Limits d = Limits.DEFAULTS;
        try {
            return new Limits((int) parseBytes(maxBody), d.maxAlerts(), d.maxLabels(), d.maxLabelLength(),
                    d.maxTextLength());
        } catch (OptionException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** @return record what would run, run nothing */
    public boolean dryRun() {
        return dryRun;
    }

    /** @return the audit log file ({@code STATE/audit.jsonl} unless given), or empty for {@code --audit-log none} */
    public Optional<Path> auditLog() {
        if (auditLog == null) {
            return Optional.of(state.resolve("audit.jsonl"));
        }
        return auditLog.equals("none") ? Optional.empty() : Optional.of(Path.of(auditLog));
    }

    /** @return Nagios' command pipe for re-checks, or null */
    public Path nagiosCommandFile() {
        return nagiosCommandFile;
    }

    /** @return the Icinga 2 API URL for re-checks, or null */
    public String icingaApi() {
        return icingaApi;
    }

    /** @return the Icinga 2 ApiUser, or null */
    public String icingaUser() {
        return icingaUser;
    }

    /** @return the file of the ApiUser's password, or null */
    public Path icingaPasswordFile() {
        return icingaPasswordFile;
    }

    /** @return the CA of the Icinga 2 API's certificate, or null for Icinga's own */
    public Path icingaCa() {
        return icingaCa;
    }

    /** @return the rules file, or null for the default rules */
    public Path rules() {
        return rules;
    }

    /** @return the rules file to check and exit, or null */
    public Path checkRules() {
        return checkRules;
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
