package dev.cfrun.cli;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.ServerKey;
import dev.cfrun.client.Timeouts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code cfrun trust HOST[:PORT]}: show a server's key digest and store the key on confirmation. */
@Command(name = "trust", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 80,
        usageHelpAutoWidth = false,
        header = "Shows a server's key digest and stores the key when you confirm.",
        description = {"Connects to HOST and shows its key digest: compare it with 'cf-key -p' there.",
            "Stores the key as trusted when you confirm. Nothing is run on the host.",
            "Exit: 0 trusted (now or already), 1 declined, 255 connection failed,",
            "      101 local error."})
final class TrustCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;

    @Parameters(paramLabel = "HOST[:PORT]", description = "The server.")
    String host;

    @Option(names = {"-y", "--yes"}, description = "Store without asking (for scripts); only a new key.")
    boolean yes;

    @Option(names = "--replace-changed",
            description = "Also accept a key other than the one trusted for this address, once you verified"
                    + " it on the server.")
    boolean replaceChanged;

    @Option(names = "--workdir", paramLabel = "DIR", description = "Work dir (default: as for cfrun).")
    Path workdir;

    @Option(names = "--user", paramLabel = "NAME", description = "User name claimed to the server.")
    String user;

    @Option(names = "--protocol", paramLabel = "tls|classic|auto", defaultValue = "tls",
            description = "How to fetch the key (default ${DEFAULT-VALUE}); only TLS proves that the server holds"
                    + " it.")
    String protocol;

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "30", description = "Connect timeout.")
    double timeout;

    TrustCommand(PrintStream out, PrintStream err, InputStream in) {
        this.out = out;
        this.err = err;
        this.in = in;
    }

    @Override
    public Integer call() throws Exception {
        HostAddress h = HostAddress.parse(host);
        CfRunClient.Builder b = CfRunClient.builder().workdir(workdir != null ? workdir : CfRunClient.defaultWorkdir())
                .protocol(RunPlan.protocol(protocol))
                .timeouts(Timeouts.builder().connect(Timeouts.seconds(timeout, "--timeout")).build());
        if (user != null) {
            b.user(user);
        }
        try (CfRunClient client = b.build()) {
            ServerKey key;
            try {
                key = client.fetchServerKey(h);
            } catch (CfRunException e) {
                err.println("cfrun: " + h + ": " + Errors.oneLine(e));
                return ExitCodes.NO_EXIT_CODE;
            }
            out.println("Server " + h + " (" + key.address() + ") presents the key " + key.digest());
            out.println("  Enterprise form: " + key.shaDigest());
            if (key.protocol() == Protocol.CLASSIC) {
                out.println("  (fetched over the classic protocol: the server has not proved it holds this key)");
            }
            switch (key.status()) {
                case TRUSTED -> {
                    out.println("This key is already trusted.");
                    return 0;
                }
                case CHANGED -> {
                    out.println("WARNING: " + key.expectedDigest().orElse("?") + " is trusted for this address, and"
                            + " the server now presents " + key.digest() + ".");
                    if (!replaceChanged) {
                        err.println("cfrun: refusing to replace a changed key without --replace-changed;"
                                + " verify the new digest on the server (cf-key -p) first");
                        return 1;
                    }
                }
                default -> {
                }
            }
            boolean accept = yes || TerminalTrustPrompt.confirm(out, in);
            if (!accept) {
                out.println("Not trusted; nothing was stored.");
                return 1;
            }
            client.trustServerKey(key);
            out.println("Trusted: stored in " + client.trustDirectory());
            return 0;
        }
    }
}
