package dev.cfrun.cli;

import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;

/**
 * Parses and runs a command line with picocli: subcommands, help and version, usage errors, and the run
 * command lines {@link FastArgs} leaves to it. Kept apart from {@link Main} so that a plain run loads no
 * picocli class.
 */
final class Picocli {
    private Picocli() {
    }

    static int execute(CfRunCommand root, String[] args, PrintStream out, PrintStream err, InputStream in) {
        return commandLine(root, out, err, in).execute(args);
    }

    /** The command line with its subcommands and handlers, as bin/cfrun runs it. */
    static CommandLine commandLine(CfRunCommand root, PrintStream out, PrintStream err, InputStream in) {
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
        // parsed, not yet run: configure logging from the parsed options before any command creates a logger
        cl.setExecutionStrategy(parsed -> {
            Logging.configure(root.options());
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> Main.executionError(ex, err, root.options().debug));
        return cl;
    }
}
