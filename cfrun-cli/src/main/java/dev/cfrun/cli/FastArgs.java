package dev.cfrun.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
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
 * returns null and picocli parses the same arguments: it alone decides usage errors and their messages.
 * What this parser accepts it fills in exactly as picocli would ({@code FastArgsTest} compares both).
 */
final class FastArgs {
    /** Flags: options without a value. {@code FastArgsTest} checks these sets cover every option of {@link RunOptions}. */
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
     * The {@link RunOptions} of {@code args}, filled as picocli fills them, or null if picocli must parse
     * them. Reads no system property and creates no logger (logging is configured from the result).
     */
    static RunOptions parse(String[] args, Set<String> subcommands) {
        RunOptions o = new RunOptions(); // its initial values are picocli's defaults
        Set<String> once = new HashSet<>(); // canonical names of the single-valued options and flags seen
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.isEmpty() || a.charAt(0) == '@' || subcommands.contains(a)) {
                    return null; // picocli expands @files and dispatches subcommands anywhere
                }
                if (a.charAt(0) != '-') {
                    o.positional.add(a);
                    continue;
                }
                if (FLAGS.contains(a)) {
                    if (!once.add(canonical(a))) {
                        return null;
                    }
                    switch (a) {
                        case "--sorted" -> o.sorted = true;
                        case "-T" -> o.trustAll = true;
                        case "-i", "--interactive" -> o.interactive = true;
                        case "-q", "--quiet" -> o.quiet = true;
                        case "-I", "--inform" -> o.inform = true;
                        case "-v", "--verbose" -> o.verbose = true;
                        default -> o.debug = true; // -d, --debug
                    }
                    continue;
                }
                if (a.equals("-b") || a.equals("--background")) {
                    if (!once.add("-b")) {
                        return null;
                    }
                    String next = i + 1 < args.length ? args[i + 1] : null;
                    if (next != null && digits(next)) {
                        o.background = Integer.valueOf(next); // NumberFormatException (too long): picocli decides
                        i++;
                    } else if (next == null || FLAGS.contains(next) || WITH_VALUE.contains(next)
                            || next.equals("-b") || next.equals("--background")) {
                        o.background = RunOptions.DEFAULT_BACKGROUND;
                    } else {
                        return null;
                    }
                    continue;
                }
                if (!WITH_VALUE.contains(a) || i + 1 >= args.length) {
                    return null;
                }
                String v = args[++i];
                if (v.isEmpty() || v.charAt(0) == '-' || v.charAt(0) == '@' || subcommands.contains(v)) {
                    return null;
                }
                if (!value(o, a, v, once)) {
                    return null;
                }
            }
        } catch (NumberFormatException | InvalidPathException e) {
            return null; // picocli reports the bad value
        }
        return o;
    }

    /** Sets the value {@code v} of option {@code a}; false if picocli must decide. */
    private static boolean value(RunOptions o, String a, String v, Set<String> once) {
        switch (a) {
            case "-H", "--hail" -> {
                return split(v, o.hosts);
            }
            case "-D", "--define-class" -> {
                return split(v, o.classes);
            }
            case "--remote-bundles" -> {
                return split(v, o.bundles);
            }
            case "-s", "--select-class" -> {
                o.selectClasses.add(v);
                return true;
            }
            default -> {
            }
        }
        if (!once.add(canonical(a))) {
            return false;
        }
        switch (a) {
            case "-f", "--file" -> o.hostsFile = v;
            case "--format" -> o.format = v;
            case "--output-dir" -> o.outputDir = Path.of(v);
            case "--workdir" -> o.workdir = Path.of(v);
            case "--user" -> o.user = v;
            case "--protocol" -> o.protocol = v;
            case "--server-version" -> o.serverVersion = Integer.parseInt(v);
            case "--trust" -> o.trust = v;
            case "-t", "--timeout" -> o.connectTimeout = Double.parseDouble(v);
            case "--handshake-timeout" -> o.handshakeTimeout = Double.parseDouble(v);
            case "--idle-timeout" -> o.idleTimeout = Double.parseDouble(v);
            case "--max-output-lines" -> o.maxOutputLines = Long.parseLong(v);
            default -> o.maxTime = Double.parseDouble(v); // --max-time
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
