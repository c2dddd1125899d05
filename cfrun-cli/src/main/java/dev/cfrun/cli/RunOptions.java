package dev.cfrun.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of a run command line: the one value both parsers fill, picocli (through these annotations,
 * a mixin of {@link CfRunCommand}) and {@link FastArgs} (plain run command lines, without loading picocli).
 * Everything else reads this value: {@link Logging} its -I/-v/-d, {@link RunPlan} the rest.
 * The field initialisers equal the {@code defaultValue}s: a parser that does not see an option leaves it so.
 * The help texts are laid out for 80 columns ({@code CliHelpLayoutTest}).
 */
final class RunOptions {
    static final int DEFAULT_BACKGROUND = 50;

    @Option(names = {"-H", "--hail"}, paramLabel = "HOST[:PORT]", split = ",",
            description = "Hosts to hail: host, host:port or [v6]:port; comma-separated, repeatable.")
    List<String> hosts = new ArrayList<>();

    @Option(names = {"-f", "--file"}, paramLabel = "HOSTSFILE",
            description = {"A cfrun.hosts file: domain=, maxchild=, outputdir=,",
                "include= and host[:port] [options] lines.", "A bare name is also looked up in <workdir>/inputs.",
                "No policy is evaluated."})
    String hostsFile;

    @Parameters(paramLabel = "HOST", arity = "0..*",
            description = {"With -f: the file's hosts to hail (default: all).",
                "Without -f: hosts to hail."})
    List<String> positional = new ArrayList<>();

    @Option(names = {"-D", "--define-class"}, paramLabel = "CLASS", split = ",",
            description = {"Classes for the remote agent.",
                "The server needs a roles rule for them."})
    List<String> classes = new ArrayList<>();

    @Option(names = {"-s", "--select-class"}, paramLabel = "CLASS",
            description = "Run only where one of these classes (or regexes) is defined; comma-separated.")
    List<String> selectClasses = new ArrayList<>();

    @Option(names = "--remote-bundles", paramLabel = "BUNDLE", split = ",",
            description = {"Bundle sequence for the remote agent.",
                "The server needs a bundle access rule."})
    List<String> bundles = new ArrayList<>();

    @Option(names = {"-b", "--background"}, paramLabel = "N", arity = "0..1", fallbackValue = "" + DEFAULT_BACKGROUND,
            description = {"Hail up to N hosts at once; no process is forked.",
                "Default with -b: ${FALLBACK-VALUE}.", "Without -b: the hosts file's maxchild, else 1."})
    Integer background;

    @Option(names = "--sorted",
            description = {"Print hosts in given order, not as they finish:",
                "the hosts file or arguments, then -H."})
    boolean sorted;

    @Option(names = "--format", paramLabel = "text|json", defaultValue = "text",
            description = {"text: as cf-runagent, <ip>> lines (the default);",
                "json: one object per host and line."})
    String format = "text";

    @Option(names = "--output-dir", paramLabel = "DIR",
            description = {"Write each host's output to DIR/<host>, not stdout", "(cfrun's outputdir)."})
    Path outputDir;

    @Option(names = "--workdir", paramLabel = "DIR",
            description = {"Holds ppkeys/localhost.priv, localhost.pub and trusted server keys.",
                "Default: /var/lib/cfengine3 or /var/cfengine if it holds a key, else ~/.cfrun."})
    Path workdir;

    @Option(names = "--user", paramLabel = "NAME",
            description = {"User name claimed (for allowusers and roles).",
                "Default: the login name."})
    String user;

    @Option(names = "--protocol", paramLabel = "tls|classic|auto",
            description = {"tls: CFEngine 3.7 and later (the default).",
                "classic: needs allowlegacyconnects; EXEC in clear.",
                "auto: TLS, or classic if the server has no TLS (someone on the path can force classic)."})
    String protocol;

    @Option(names = "--server-version", paramLabel = "3|2", defaultValue = "3",
            description = {"3 (the default) or 2 for CFEngine 2 cfservd:",
                "classic protocol, any cfagent options after --."})
    int serverVersion = 3;

    @Option(names = "--trust", paramLabel = "strict|tofu|DIGEST[,DIGEST]", defaultValue = "strict",
            description = {"What to do with an unknown server key:",
                "strict: refuse it (the default);", "tofu: store and accept it, print its digest;",
                "MD5=… or SHA=… digests: accept exactly those keys."})
    String trust = "strict";

    @Option(names = "-T", description = "cfrun 2.x: the same as --trust tofu.")
    boolean trustAll;

    @Option(names = {"-i", "--interactive"},
            description = "Show an unknown server key's digest and ask.")
    boolean interactive;

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "30",
            description = "Connect timeout (default ${DEFAULT-VALUE}).")
    double connectTimeout = 30;

    @Option(names = "--handshake-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "Handshake limit, TLS or classic (default ${DEFAULT-VALUE}).")
    double handshakeTimeout = 30;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "Give up when a server sends nothing for this long while its agent runs;"
                    + " 0 = never (default ${DEFAULT-VALUE}).")
    double idleTimeout = 3600;

    @Option(names = "--max-time", paramLabel = "SECONDS", defaultValue = "0",
            description = "Limit for a host's whole run; 0 = none (default).")
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

    /** cfrun 2.x: what came after the first {@code --} (agent options); not an option of either parser. */
    List<String> agentOptionWords = List.of();
    /** cfrun 2.x: what came after the second {@code --} (classes to select on). */
    List<String> classData = List.of();

    /** What came after the first {@code --} (agent options) and the second (classes), cfrun 2.x style. */
    void setTrailing(List<String> agentOptions, List<String> classData) {
        this.agentOptionWords = List.copyOf(agentOptions);
        this.classData = List.copyOf(classData);
    }

    /** The SLF4J level -I, -v and -d ask for: the most detailed one given wins. */
    String logLevel() {
        return debug || verbose ? "debug" : inform ? "info" : "warn";
    }
}
