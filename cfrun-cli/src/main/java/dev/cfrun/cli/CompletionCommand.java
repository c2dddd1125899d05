package dev.cfrun.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/** {@code cfrun completion}: a bash (and zsh) completion script, generated from the command definitions. */
@Command(name = "completion", mixinStandardHelpOptions = true, usageHelpWidth = 80, usageHelpAutoWidth = false,
        header = "Prints a bash/zsh completion script for cfrun.",
        description = {"Install it with:", "  bin/cfrun completion > /etc/bash_completion.d/cfrun"})
final class CompletionCommand implements Callable<Integer> {
    private final PrintStream out;

    @Spec
    CommandLine.Model.CommandSpec spec;

    CompletionCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        out.print(AutoComplete.bash("cfrun", spec.root().commandLine()));
        out.flush();
        return 0;
    }
}
