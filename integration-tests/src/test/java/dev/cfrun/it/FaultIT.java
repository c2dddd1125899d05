package dev.cfrun.it;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ConnectFailedException;
import dev.cfrun.client.ConnectionLostException;
import dev.cfrun.client.ErrorKind;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.HostOutcome;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.RunTimeoutException;
import dev.cfrun.client.Timeouts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults of a real cf-serverd while we talk to it: killed mid-output, stopped, restarted, and a fan-out
 * where a third of the hosts misbehave. Each ends with its typed error, within its deadline, and keeps
 * every line that arrived before.
 */
class FaultIT {
    /** 200 numbered lines, 20 ms apart: long enough to hit it in the middle. */
    static final String SLOW = "/bin/sh -c 'i=1; while [ $i -le 200 ]; do echo line-$i; i=$((i+1)); sleep 0.02; done'";

    @TempDir
    Path tmp;

    private static Timeouts timeouts(Duration idle) {
        return Timeouts.builder().connect(Duration.ofSeconds(5)).handshake(Duration.ofSeconds(5)).idle(idle).build();
    }

    /** The numbered lines are exactly line-1 … line-n, in order, none lost. */
    private static int assertPrefix(List<String> lines) {
        for (int i = 0; i < lines.size(); i++) {
            assertEquals("line-" + (i + 1), lines.get(i), "line " + (i + 1) + " of " + lines);
        }
        return lines.size();
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void serverKilledMidOutputKeepsEveryLineReceived(Protocol protocol) throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).cfruncommand(SLOW).start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            CountDownLatch twenty = new CountDownLatch(20);
            List<String> streamed = Collections.synchronizedList(new ArrayList<>());
            try (CfRunClient c = client.clientBuilder(protocol).timeouts(timeouts(Duration.ofSeconds(20))).build()) {
                Thread killer = new Thread(() -> {
                    try {
                        if (twenty.await(20, TimeUnit.SECONDS)) {
                            server.signal("KILL");
                        }
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                });
                killer.start();
                ConnectionLostException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                        assertThrows(ConnectionLostException.class, () -> c.run(RunRequest.builder(server.address())
                                .listener((h, a, l) -> {
                                    if (l.kind() == ReplyLine.Kind.OUTPUT) {
                                        streamed.add(l.text());
                                        twenty.countDown();
                                    }
                                }).build())));
                killer.join();
                List<String> kept = e.linesReceived().stream().filter(l -> l.kind() == ReplyLine.Kind.OUTPUT)
                        .map(ReplyLine::text).toList();
                int n = assertPrefix(kept);
                assertTrue(n >= 20 && n < 200, "cut in the middle: " + n);
                assertEquals(streamed, kept, "the exception carries exactly what was streamed");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void stoppedServerTripsTheIdleDeadline(Protocol protocol) throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).cfruncommand(SLOW).start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            CountDownLatch five = new CountDownLatch(5);
            int threadsBefore = Thread.activeCount();
            try (CfRunClient c = client.clientBuilder(protocol).timeouts(timeouts(Duration.ofSeconds(2))).build()) {
                Thread stopper = new Thread(() -> {
                    try {
                        if (five.await(20, TimeUnit.SECONDS)) {
                            server.signal("STOP");
                        }
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                });
                stopper.start();
                long t0 = System.nanoTime();
                RunTimeoutException e = assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                        assertThrows(RunTimeoutException.class, () -> c.run(RunRequest.builder(server.address())
                                .listener((h, a, l) -> five.countDown()).build())));
                long ms = (System.nanoTime() - t0) / 1_000_000;
                stopper.join();
                assertEquals(RunTimeoutException.Phase.IDLE, e.phase(), e.getMessage());
                assertTrue(ms < 15_000, "the 2 s idle deadline fired in time: " + ms + " ms");
                assertTrue(e.linesReceived().size() >= 5, e.linesReceived().toString());
            } finally {
                server.signal("CONT");
            }
            assertTrue(Thread.activeCount() <= threadsBefore + 1, "threads freed after close");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void serverRestartedBetweenRuns(Protocol protocol) throws Exception {
        Path keys = tmp.resolve("keys");
        ClientWorkdir client;
        int port;
        try (CfServerd first = CfServerd.builder(tmp.resolve("first")).start()) {
            client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(first);
            port = first.port();
            try (CfRunClient c = client.client(protocol)) {
                assertEquals(0, c.run(RunRequest.builder(first.address()).build()).exitCode().orElseThrow());
            }
            java.nio.file.Files.createDirectories(keys);
            for (String f : new String[] {"localhost.priv", "localhost.pub"}) {
                java.nio.file.Files.copy(first.workdir().resolve("ppkeys").resolve(f), keys.resolve(f));
            }
        }
        // the same server (same key, same port) comes back: one client object carries on
        try (CfRunClient c = client.client(protocol)) {
            assertThrows(ConnectFailedException.class, () -> c.run(RunRequest.builder("127.0.0.1:" + port).build()));
            try (CfServerd again = CfServerd.builder(tmp.resolve("again")).serverKeys(keys).port(port).start()) {
                RunResult r = c.run(RunRequest.builder(again.address()).build());
                assertEquals(0, r.exitCode().orElseThrow());
            }
        }
    }

    @Test
    void fanOutWhereAThirdOfTheHostsMisbehaveCompletesTheOthers() throws Exception {
        try (CfServerd good = CfServerd.builder(tmp.resolve("good")).cfruncommand("/bin/echo fine").start();
             CfServerd stuck = CfServerd.builder(tmp.resolve("stuck")).cfruncommand("/bin/echo stuck").start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(good).trustWithCfKey(stuck);
            stuck.signal("STOP"); // accepts nothing: connects hang in the backlog, handshakes time out
            int closed = CfServerd.freePort("127.0.0.1");
            List<RunRequest> requests = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                HostAddress h = switch (i % 3) {
                    case 0 -> good.address();
                    case 1 -> stuck.address();
                    default -> HostAddress.of("127.0.0.1", closed);
                };
                requests.add(RunRequest.builder(h).build());
            }
            Timeouts t = Timeouts.builder().connect(Duration.ofSeconds(2)).handshake(Duration.ofSeconds(2))
                    .idle(Duration.ofSeconds(2)).build();
            long t0 = System.nanoTime();
            List<HostOutcome> outcomes;
            try (CfRunClient c = client.clientBuilder(Protocol.TLS).timeouts(t).build()) {
                outcomes = c.runAll(requests, 10, null);
            } finally {
                stuck.signal("CONT");
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(30, outcomes.size());
            for (HostOutcome o : outcomes) {
                switch (o.index() % 3) {
                    case 0 -> assertTrue(o.succeeded(), o.toString());
                    case 1 -> {
                        CfRunException e = o.error().orElseThrow();
                        assertEquals(ErrorKind.TIMEOUT, e.kind(), e.toString());
                    }
                    default -> assertEquals(ErrorKind.CONNECT, o.error().orElseThrow().kind());
                }
            }
            assertTrue(ms < 30_000, "bounded by the deadlines, not by the broken hosts: " + ms + " ms");
            assertFalse(outcomes.stream().anyMatch(o -> o.error().map(e -> e.kind() == ErrorKind.CANCELLED).orElse(false)));
        }
    }
}
