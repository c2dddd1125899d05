package dev.cfrun.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The plain run command lines ({@code cfrun -H web1 -D fix}, {@code cfrun -f hosts -b 20 --sorted}) parsed
 * without picocli, whose model building costs more than the rest of a cold start (its classes cannot be
 * archived for class-data sharing either: they are Java 5 class files).
 * <p>Only unambiguous forms are accepted: each option as its own argument followed by its value as the
 * next one, every option and flag at most once (except the repeatable list options), no {@code @files},
 * no attached or clustered forms, no help or version, no value that looks like an option. Anything else
 * returns false and picocli parses the same arguments: it alone decides usage errors and their messages.
 * What this parser accepts it fills in exactly as picocli would ({@code FastArgsTest} compares both).
 */
final class FastArgs {
    /** Flags: options without a value. {@code FastArgsTest} checks these sets cover every option of {@link CfRunCommand}. */
    static final Set<String> FLAGS = Set.of("--sorted", "-T", "-i", "--interactive", "-q", "--quiet",
            "-I", "--inform", "-v", "--verbose", "-d", "--debug");
    /** Options with exactly one value; {@code -b}/{@code --background} (optional value) is handled on its own. */
    static final Set<String> WITH_VALUE = Set.of("-H", "--hail", "-f", "--file", "-D", "--define-class",
            "-s", "--select-class", "--remote-bundles", "--format", "--output-dir", "--workdir", "--user", "--protocol",
            "--server-version", "--trust", "-t", "--timeout", "--handshake-timeout", "--idle-timeout", "--max-time",
            "--max-output-lines");

    private FastArgs() {
    }

    /**
     * Fills {@code c} from {@code args} and returns true, or returns false (leaving {@code c} untouched)
     * if picocli must parse them.
     */
    static boolean parse(String[] args, CfRunCommand c, Set<String> subcommands) {
        List<String> hosts = new ArrayList<>();
        List<String> positional = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        List<String> selectClasses = new ArrayList<>();
        List<String> bundles = new ArrayList<>();
        Set<String> once = new HashSet<>(); // canonical names of the single-valued options and flags seen
        String hostsFile = null;
        Integer background = null;
        String format = null;
        Path outputDir = null;
        Path workdir = null;
        String user = null;
        String protocol = null;
        Integer serverVersion = null;
        String trust = null;
        Double connectTimeout = null;
        Double handshakeTimeout = null;
        Double idleTimeout = null;
        Double maxTime = null;
        Long maxOutputLines = null;
        boolean sorted = false;
        boolean trustAll = false;
        boolean interactive = false;
        boolean quiet = false;
        boolean inform = false;
        boolean verbose = false;
        boolean debug = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.isEmpty() || a.charAt(0) == '@' || subcommands.contains(a)) {
                    return false; // picocli expands @files and dispatches subcommands anywhere
                }
                if (a.charAt(0) != '-') {
                    positional.add(a);
                    continue;
                }
                if (FLAGS.contains(a)) {
                    if (!once.add(canonical(a))) {
                        return false;
                    }
                    switch (a) {
                        case "--sorted" -> sorted = true;
                        case "-T" -> trustAll = true;
                        case "-i", "--interactive" -> interactive = true;
                        case "-q", "--quiet" -> quiet = true;
                        case "-I", "--inform" -> inform = true;
                        case "-v", "--verbose" -> verbose = true;
                        default -> debug = true; // -d, --debug
                    }
                    continue;
                }
                if (a.equals("-b") || a.equals("--background")) {
                    if (!once.add("-b")) {
                        return false;
                    }
                    String next = i + 1 < args.length ? args[i + 1] : null;
                    if (next != null && digits(next)) {
                        background = Integer.valueOf(next); // NumberFormatException (too long): picocli decides
                        i++;
                    } else if (next == null || FLAGS.contains(next) || WITH_VALUE.contains(next)
                            || next.equals("-b") || next.equals("--background")) {
                        background = CfRunCommand.DEFAULT_BACKGROUND;
                    } else {
                        return false;
                    }
                    continue;
                }
                if (!WITH_VALUE.contains(a) || i + 1 >= args.length) {
                    return false;
                }
                String v = args[++i];
                if (v.isEmpty() || v.charAt(0) == '-' || v.charAt(0) == '@' || subcommands.contains(v)) {
                    return false;
                }
                switch (a) {
                    case "-H", "--hail" -> {
                        if (!split(v, hosts)) {
                            return false;
                        }
                    }
                    case "-D", "--define-class" -> {
                        if (!split(v, classes)) {
                            return false;
                        }
                    }
                    case "--remote-bundles" -> {
                        if (!split(v, bundles)) {
                            return false;
                        }
                    }
                    case "-s", "--select-class" -> selectClasses.add(v);
                    default -> {
                        if (!once.add(canonical(a))) {
                            return false;
                        }
                        switch (a) {
                            case "-f", "--file" -> hostsFile = v;
                            case "--format" -> format = v;
                            case "--output-dir" -> outputDir = Path.of(v);
                            case "--workdir" -> workdir = Path.of(v);
                            case "--user" -> user = v;
                            case "--protocol" -> protocol = v;
                            case "--server-version" -> serverVersion = Integer.valueOf(v);
                            case "--trust" -> trust = v;
                            case "-t", "--timeout" -> connectTimeout = Double.valueOf(v);
                            case "--handshake-timeout" -> handshakeTimeout = Double.valueOf(v);
                            case "--idle-timeout" -> idleTimeout = Double.valueOf(v);
                            case "--max-output-lines" -> maxOutputLines = Long.valueOf(v);
                            default -> maxTime = Double.valueOf(v); // --max-time
                        }
                    }
                }
            }
        } catch (NumberFormatException | InvalidPathException e) {
            return false; // picocli reports the bad value
        }
        c.hosts = hosts;
        c.positional = positional;
        c.classes = classes;
        c.selectClasses = selectClasses;
        c.bundles = bundles;
        c.hostsFile = hostsFile;
        c.background = background;
        c.outputDir = outputDir;
        c.workdir = workdir;
        c.user = user;
        c.protocol = protocol;
        c.sorted = sorted;
        c.trustAll = trustAll;
        c.interactive = interactive;
        c.quiet = quiet;
        c.inform = inform;
        c.verbose = verbose;
        c.debug = debug;
        // the options picocli gives a defaultValue keep the field's initial value (the same) when absent
        if (format != null) {
            c.format = format;
        }
        if (serverVersion != null) {
            c.serverVersion = serverVersion;
        }
        if (trust != null) {
            c.trust = trust;
        }
        if (connectTimeout != null) {
            c.connectTimeout = connectTimeout;
        }
        if (handshakeTimeout != null) {
            c.handshakeTimeout = handshakeTimeout;
        }
        if (idleTimeout != null) {
            c.idleTimeout = idleTimeout;
        }
        if (maxTime != null) {
            c.maxTime = maxTime;
        }
        if (maxOutputLines != null) {
            c.maxOutputLines = maxOutputLines;
        }
        return true;
    }

    /** A comma-separated value as picocli's {@code split = ","} gives it; false for quoted or empty parts. */
    private static boolean split(String v, List<String> into) {
        if (v.indexOf('"') >= 0 || v.indexOf('\'') >= 0 || v.startsWith(",") || v.endsWith(",") || v.contains(",,")) {
            return false;
        }
        int start = 0;
        for (int comma = v.indexOf(','); comma >= 0; comma = v.indexOf(',', start)) {
            into.add(v.substring(start, comma));
            start = comma + 1;
        }
        into.add(v.substring(start));
        return true;
    }

    private static boolean digits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String canonical(String option) {
        return switch (option) {
            case "--interactive" -> "-i";
            case "--quiet" -> "-q";
            case "--inform" -> "-I";
            case "--verbose" -> "-v";
            case "--debug" -> "-d";
            case "--file" -> "-f";
            case "--timeout" -> "-t";
            default -> option;
        };
    }
}
