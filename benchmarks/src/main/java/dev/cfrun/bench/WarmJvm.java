package dev.cfrun.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A {@link WarmClient} JVM, driven over stdin/stdout: one line per command, one line per reply. */
final class WarmJvm implements AutoCloseable {
    private final Report report;
    private final Process p;
    private final Writer in;
    private final BufferedReader out;

    WarmJvm(List<String> jvmOptions, Path clientWorkdir, Report report) throws IOException {
        this.report = report;
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), WarmClient.class.getName(), clientWorkdir.toString()));
        p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private String[] call(String line) throws IOException {
        in.write(line + "\n");
        in.flush();
        String reply = out.readLine();
        if (reply == null) {
            throw new IOException("the warm client ended (see above)");
        }
        return reply.split(" ");
    }

    /** One run's latency, ms. */
    double hail(String host, String proto) throws IOException {
        String[] r = call("hail " + host + " " + proto);
        if (!r[0].equals("ok") || !r[2].equals("0")) {
            report.fail("warm hail " + host + " " + proto + ": " + String.join(" ", r));
        }
        return Long.parseLong(r[1]) / 1e6;
    }

    /** {runs, seconds}. */
    double[] burst(String host, String proto, double seconds, int threads) throws IOException {
        String[] r = call("burst " + host + " " + proto + " " + seconds + " " + threads);
        return new double[] {Long.parseLong(r[1]), Long.parseLong(r[2]) / 1e9};
    }

    /** {hosts that ran, wall ms, process CPU ms} of one TLS fan-out in this JVM. */
    double[] fanout(Path hostsFile, int parallelism) throws IOException {
        String[] r = call("fanout " + hostsFile + " " + parallelism);
        return new double[] {Long.parseLong(r[1]), Long.parseLong(r[2]) / 1e6, Long.parseLong(r[3]) / 1e6};
    }

    /** {lines, ms, live MB before, peak live MB during, collections}. */
    double[] stream(String host) throws IOException {
        String[] r = call("stream " + host + " 0");
        return new double[] {Long.parseLong(r[1]), Long.parseLong(r[2]) / 1e6, Long.parseLong(r[3]) / 1048576.0,
            Long.parseLong(r[4]) / 1048576.0, Long.parseLong(r[5])};
    }

    @Override
    public void close() throws IOException {
        try {
            in.write("quit\n");
            in.flush();
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            p.destroy();
        }
    }
}
