package dev.cfrun.cli;

import dev.cfrun.client.CfRunClient;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Entry point of {@code bin/cfrun}. The only place that calls {@link System#exit}. */
public final class Main {
    static final Set<String> SUBCOMMANDS = Set.of("keygen", "digest", "trust", "completion");

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

    /**
     * Runs the command line with the given streams and returns the exit code (used by tests too).
     * Order: parse (FastArgs, or picocli in {@link Picocli#execute}), then {@link Logging#configure} from the
     * parsed {@link RunOptions}, then run; nothing creates a logger before logging is configured.
     */
    public static int run(String[] args, PrintStream out, PrintStream err, InputStream in) {
        String[] head = args;
        List<String> agentOptions = List.of();
        List<String> classData = List.of();
        boolean subcommand = args.length > 0 && SUBCOMMANDS.contains(args[0]);
        if (!subcommand) {
            // cfrun 2.x: cfrun [options] [hosts] -- agent options -- classes
            List<String> a = Arrays.asList(args);
            int first = a.indexOf("--");
            if (first >= 0) {
                List<String> rest = a.subList(first + 1, a.size());
                int second = rest.indexOf("--");
                agentOptions = second >= 0 ? rest.subList(0, second) : rest;
                classData = second >= 0 ? rest.subList(second + 1, rest.size()) : List.of();
                head = new ArrayList<>(a.subList(0, first)).toArray(new String[0]);
            }
            RunOptions options = FastArgs.parse(head, SUBCOMMANDS);
            if (options != null) {
                options.setTrailing(agentOptions, classData);
                Logging.configure(options);
                // a plain run: no picocli model to build, and the JDK's TLS (or RSA) set-up can start now,
                // beside the key loading
                CfRunClient.warmUp(RunPlan.warmUpProtocol(options));
                return call(new CfRunCommand(options, out, err, in), err);
            }
        }
        RunOptions options = new RunOptions();
        options.setTrailing(agentOptions, classData);
        return Picocli.execute(new CfRunCommand(options, out, err, in), head, out, err, in);
    }

    /** What picocli's execute does with a parsed run command: call it, errors as one line. */
    private static int call(CfRunCommand root, PrintStream err) {
        try {
            return root.call();
        } catch (Exception ex) {
            return executionError(ex, err, root.options().debug);
        }
    }

    /** A failure while running a command: one line, never a stack trace for a user (-d shows it). */
    static int executionError(Exception ex, PrintStream err, boolean stackTrace) {
        err.println("cfrun: " + Errors.oneLine(ex));
        if (stackTrace) {
            ex.printStackTrace(err);
        }
        return ExitCodes.LOCAL_ERROR;
    }
}
