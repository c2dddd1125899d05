package dev.cfrun.cli;

import picocli.CommandLine;

import java.io.PrintStream;
import java.io.PrintWriter;

/** Entry point of {@code bin/cfrun}. The only place that calls {@link System#exit}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line with the given streams and returns the exit code (used by tests too). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Logging.configure(args);
        CfRunCommand root = new CfRunCommand(out, err);
        CommandLine cl = new CommandLine(root);
        cl.addSubcommand("keygen", new KeygenCommand(out));
        cl.addSubcommand("digest", new DigestCommand(out));
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
        return cl.execute(args);
    }
}
