package dev.cfrun.bench;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * JMH: one warm client hailing a real cf-serverd (TLS or classic) over and over; latency per run and runs
 * per second. The server and the client work dir come from system properties set by {@code scripts/bench.sh
 * --jmh} (which starts the server): {@code cfrun.bench.workdir}, {@code cfrun.bench.host}.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.AverageTime, Mode.Throughput})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class WarmHailBenchmark {
    @Param({"tls", "classic"})
    public String protocol;

    private CfRunClient client;
    private RunRequest request;

    @Setup(Level.Trial)
    public void setUp() throws KeyFileException {
        String wd = System.getProperty("cfrun.bench.workdir");
        String host = System.getProperty("cfrun.bench.host");
        if (wd == null || host == null) {
            throw new IllegalStateException("run through scripts/bench.sh --jmh (it starts cf-serverd)");
        }
        client = CfRunClient.builder().workdir(Path.of(wd))
                .protocol(protocol.equals("classic") ? Protocol.CLASSIC : Protocol.TLS).build();
        request = RunRequest.builder(HostAddress.parse(host)).build();
    }

    @Benchmark
    public RunResult hail() throws Exception {
        return client.run(request);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
    }
}
