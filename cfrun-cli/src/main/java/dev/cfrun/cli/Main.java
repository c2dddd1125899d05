package dev.cfrun.cli;

import picocli.CommandLine;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Entry point of {@code bin/cfrun}. The only place that calls {@link System#exit}. */
public final class Main {
    private static final Set<String> SUBCOMMANDS = Set.of("keygen", "digest", "trust", "completion");

    private Main() {
    }

    public static void main(String[] args) {
        // The agent's output is UTF-8 text (cf-runagent copies its bytes): print it as UTF-8 whatever the
        // locale; Java's System.out would turn every non-ASCII character into '?' under LANG=C (cron, ssh).
        PrintStream out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 8192),
                true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err), 8192),
                true, StandardCharsets.UTF_8);
        System.setOut(out);
        System.setErr(err);
        int code = run(args, out, err, System.in);
        out.flush();
        err.flush();
        System.exit(code);
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, InputStream.nullInputStream());
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests too). */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in) {
        Logging.configure(args);
        CfRunCommand root = new CfRunCommand(out, err, in);
        CommandLine cl = new CommandLine(root);
        cl.addSubcommand("keygen", new KeygenCommand(out));
        cl.addSubcommand("digest", new DigestCommand(out));
        cl.addSubcommand("trust", new TrustCommand(out, err, in));
        cl.addSubcommand("completion", new CompletionCommand(out));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("cfrun: " + ex.getMessage());
            err.println("Try 'cfrun --help' for more information.");
            return ExitCodes.LOCAL_ERROR;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // never a stack trace for a user; -d shows it
            err.println("cfrun: " + Errors.oneLine(ex));
            if (Logging.debug()) {
                ex.printStackTrace(err);
            }
            return ExitCodes.LOCAL_ERROR;
        });
        String[] head = args;
        if (args.length == 0 || !SUBCOMMANDS.contains(args[0])) {
            // cfrun 2.x: cfrun [options] [hosts] -- agent options -- classes
            List<String> a = Arrays.asList(args);
            int first = a.indexOf("--");
            if (first >= 0) {
                List<String> rest = a.subList(first + 1, a.size());
                int second = rest.indexOf("--");
                root.setTrailing(second >= 0 ? rest.subList(0, second) : rest,
                        second >= 0 ? rest.subList(second + 1, rest.size()) : List.of());
                head = new ArrayList<>(a.subList(0, first)).toArray(new String[0]);
            }
        }
        return cl.execute(head);
    }
}
