package dev.cfrun.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** {@code --jmh}: JMH's {@link WarmHailBenchmark} (a warm client) in its own JVM, its result table in the details. */
final class JmhSection implements Section {

    @Override
    public void run(BenchOptions o, ProcessDriver d, Report r) throws Exception {
        r.section("JMH: warm client");
        Lab.Server s = d.lab.start(new Lab.Spec("jmh"));
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), "org.openjdk.jmh.Main", WarmHailBenchmark.class.getSimpleName(),
                "-f", "1", "-wi", "3", "-w", "2s", "-i", "5", "-r", "2s", "-jvmArgsAppend",
                "-Dcfrun.bench.workdir=" + d.lab.client + " -Dcfrun.bench.host=" + s.hostPort());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder tail = new StringBuilder();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            boolean result = false;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                r.log().println("  " + line);
                if (line.startsWith("Benchmark ")) {
                    result = true;
                }
                if (result) {
                    tail.append(line).append('\n');
                }
            }
        }
        if (p.waitFor() != 0) {
            r.fail("JMH ended with " + p.exitValue());
        }
        r.details("\n### JMH (WarmHailBenchmark, /bin/echo)\n\n```\n" + tail + "```\n");
    }
}
