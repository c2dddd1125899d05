package dev.cfrun.cli;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.HostOutcome;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.hosts.HostsFileException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code cfrun}: hail cf-serverd on many hosts, as cf-runagent (CFEngine 3) and cfrun (CFEngine 2) do.
 * Both syntaxes: {@code cfrun -H h1,h2 -D class -b 20} and {@code cfrun -f cfrun.hosts -T web1 -- -D class -- linux}.
 * The options are {@link RunOptions}; {@link RunPlan} turns them into requests; this class runs them, with
 * Ctrl-C handling and the summary, and returns the exit code ({@link ExitCodes}).
 * The help is laid out for 80 columns ({@code CliHelpLayoutTest} checks every line).
 */
@Command(name = "cfrun", mixinStandardHelpOptions = true, versionProvider = Version.class,
        sortOptions = false, usageHelpWidth = 80, usageHelpAutoWidth = false,
        synopsisHeading = "Usage:%n",
        customSynopsis = {
            "  cf-runagent style:  cfrun [OPTIONS] -H HOST[:PORT][,HOST…]",
            "  cfrun 2.x style:    cfrun [OPTIONS] -f HOSTSFILE [HOST…]",
            "                            [-- AGENT-OPTIONS [-- CLASSES]]",
            "  other commands:     cfrun keygen | digest FILE | trust HOST[:PORT] | completion",
            ""},
        description = {
            "Asks the cf-serverd of each host to run its agent now and prints the agent's output as"
                + " cf-runagent does. No CFEngine install is needed here: only a CFEngine key pair in the work"
                + " dir.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  cfrun -H web1,web2 -D restart_httpd          classes for the remote agents",
            "  cfrun -H web1 --remote-bundles fix_httpd     bundles for the remote agent",
            "  cfrun -f ~/cfrun.hosts -b 20 --sorted        a hosts file, 20 hosts at a time",
            "  cfrun -f ~/cfrun.hosts webserver -- -D web   cfrun 2.x: one host, one class",
            "  cfrun -H web1 --format json | jq .exit_code  one JSON object per host",
            "  cfrun trust web1                             show and store web1's key",
            "",
            "Exit status:",
            "  one host       the remote agent's exit code; 255 when the server sent none",
            "                 (refusal, connection or key failure, server older than 3.18)",
            "  several hosts  the number of hosts that did not return 0 (at most 100)",
            "  101            a local error (bad arguments or hosts file, own key unusable)",
            "",
            "Trust: an unknown server key is refused unless --trust, -T or -i says otherwise.",
            "A changed key is always refused, showing both digests. Trusted server keys live",
            "in <workdir>/ppkeys, named as cf-key -t names them (root-MD5=….pub)."})
final class CfRunCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;

    @Mixin
    private RunOptions options;

    /** {@code options}: filled by {@link FastArgs}, or still to be filled by picocli (it fills this instance). */
    CfRunCommand(RunOptions options, PrintStream out, PrintStream err, InputStream in) {
        this.options = options;
        this.out = out;
        this.err = err;
        this.in = in;
    }

    RunOptions options() {
        return options;
    }

    @Override
    public Integer call() {
        RunPlan plan;
        try {
            plan = RunPlan.of(options, err, in);
        } catch (IllegalArgumentException | HostsFileException e) {
            err.println("cfrun: " + e.getMessage());
            return ExitCodes.LOCAL_ERROR;
        }
        CfRunClient client;
        try {
            client = plan.client.build();
        } catch (KeyFileException e) {
            err.println("cfrun: " + Errors.oneLine(e));
            return ExitCodes.LOCAL_ERROR;
        }
        int n = plan.requests.size();
        boolean multi = n > 1;
        Reporter reporter = new Reporter(out, err, plan.format, plan.parallelism == 1, options.sorted, plan.outputDir,
                n, multi && !options.quiet && System.console() != null);
        List<RunRequest> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            RunRequest.Builder b = plan.requests.get(i).toBuilder().listener(reporter.listener(i))
                    .retainOutput(reporter.needsRetainedLines());
            requests.add(b.build());
        }
        CountDownLatch finished = new CountDownLatch(1);
        boolean[] interrupted = {false};
        Thread hook = new Thread(() -> { // Ctrl-C: abort runs in progress, report what finished
            interrupted[0] = true;
            client.close();
            try {
                finished.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "cfrun-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        long t0 = System.nanoTime();
        List<HostOutcome> outcomes = List.of();
        try {
            outcomes = client.runAll(requests, plan.parallelism, reporter::done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            interrupted[0] = true;
        } finally {
            client.close();
            if ((multi || interrupted[0]) && !options.quiet) {
                err.println(reporter.summary(Duration.ofNanos(System.nanoTime() - t0), interrupted[0]));
            }
            out.flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: Ctrl-C
            }
        }
        return ExitCodes.forRun(n, outcomes, reporter.failedHosts());
    }
}
