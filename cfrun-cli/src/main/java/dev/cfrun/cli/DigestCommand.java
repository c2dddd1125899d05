package dev.cfrun.cli;

import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code cfrun digest FILE}: the key's digest, as {@code cf-key -p FILE} prints it. */
@Command(name = "digest", mixinStandardHelpOptions = true, usageHelpWidth = 80, usageHelpAutoWidth = false,
        header = "Prints a public key's digest as cf-key -p does.",
        description = "The digest is MD5=… (or SHA=… with --sha).")
final class DigestCommand implements Callable<Integer> {
    private final PrintStream out;

    @Parameters(paramLabel = "FILE", description = "A public key file (localhost.pub, ppkeys/*.pub).")
    Path file;

    @Option(names = "--sha", description = "Print the SHA-256 digest (CFEngine Enterprise naming).")
    boolean sha;

    DigestCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws KeyFileException {
        var key = KeyFiles.readPublic(file);
        out.println(sha ? KeyDigest.sha256(key) : KeyDigest.md5(key));
        return 0;
    }
}
