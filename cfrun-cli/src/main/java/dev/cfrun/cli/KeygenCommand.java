package dev.cfrun.cli;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code cfrun keygen}: a key pair exactly as cf-key writes it. */
@Command(name = "keygen", mixinStandardHelpOptions = true, usageHelpWidth = 80, usageHelpAutoWidth = false,
        header = "Generates a key pair as cf-key does.",
        description = {"Writes <workdir>/ppkeys/localhost.priv and localhost.pub exactly as cf-key does",
            "(PKCS#1 PEM, RSA, e=65537, mode 0600) and prints the key's digest.", "Never overwrites a key."})
final class KeygenCommand implements Callable<Integer> {
    private final PrintStream out;

    @Option(names = "--workdir", paramLabel = "DIR", description = "Work dir (default: as for cfrun).")
    Path workdir;

    @Option(names = {"--bits", "-T"}, paramLabel = "N", defaultValue = "2048",
            description = "Key size in bits (default ${DEFAULT-VALUE}).")
    int bits;

    @Option(names = {"-f", "--output-file"}, paramLabel = "BASE",
            description = "Write BASE.priv and BASE.pub instead (cf-key -f).")
    Path base;

    KeygenCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws KeyFileException {
        ClientIdentity id;
        if (base != null) {
            id = KeyFiles.generate(Path.of(base + ".priv"), Path.of(base + ".pub"), bits);
            out.println("Wrote " + base + ".priv and " + base + ".pub");
        } else {
            Path w = workdir != null ? workdir : CfRunClient.defaultWorkdir();
            id = KeyFiles.generate(w, bits);
            out.println("Wrote " + KeyFiles.ppkeys(w).resolve(KeyFiles.PRIVATE_FILE) + " and "
                    + KeyFiles.ppkeys(w).resolve(KeyFiles.PUBLIC_FILE));
        }
        out.println(id.digest());
        return 0;
    }
}
