package dev.cfrun.service.recheck;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.cfrun.client.HostAddress;
import dev.cfrun.recheck.Fifos;
import dev.cfrun.recheck.IcingaApi;
import dev.cfrun.recheck.NagiosCommandFile;
import dev.cfrun.recheck.Outcome;
import dev.cfrun.recheck.Recheck;
import dev.cfrun.recheck.Target;
import dev.cfrun.recheck.TestPki;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.store.RunOutcome;
import dev.cfrun.service.store.StoredTrigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The re-check after a run: which triggers ask for one, on its own thread, through the real command pipe and API. */
class RecheckAfterRunTest {
    private static final HostAddress WEB1 = HostAddress.of("192.0.2.20", 5308);
    private static final RunOutcome OK = new RunOutcome(Instant.EPOCH, OptionalInt.of(0), null, "ok", List.of());
    private static final RunOutcome FAILED = new RunOutcome(Instant.EPOCH, OptionalInt.empty(), "connect",
            "refused", List.of());

    @TempDir
    Path dir;

    private static StoredTrigger trigger(long id, Source source, Map<String, String> labels) {
        return new StoredTrigger(id, new Trigger(source, "k" + id, null, null, Instant.EPOCH, WEB1, List.of("c"),
                List.of(), labels));
    }

    private static StoredTrigger service(long id, Source source, String service) {
        return trigger(id, source, Map.of("host", "web1", "service", service, "state", "CRITICAL"));
    }

    /** A re-check that records its targets (and can be held). */
    private static final class Recording implements Recheck {
        final List<Target> asked = new CopyOnWriteArrayList<>();
        final CountDownLatch release;

        Recording(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public Outcome request(Target target) {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            asked.add(target);
            return Outcome.scheduled();
        }
    }

    @Test
    void aNagiosRunWritesTheForcedCheckToTheCommandPipe() throws Exception {
        Path fifo = Fifos.mkfifo(dir.resolve("nagios.cmd"));
        CompletableFuture<String> nagios = Fifos.readUntilEof(fifo);
        Clock clock = Clock.fixed(Instant.ofEpochSecond(1_733_526_445L), ZoneOffset.UTC);
        BlockingQueue<RecheckAfterRun.Result> done = new LinkedBlockingQueue<>();
        try (RecheckAfterRun r = new RecheckAfterRun(Map.of(Source.NAGIOS,
                new NagiosCommandFile(fifo, clock, Duration.ofSeconds(2))), 10, done::add)) {
            r.runFinished(7, WEB1, List.of(service(1, Source.NAGIOS, "HTTP")), OK, Duration.ofMillis(5));
            assertEquals("[1733526445] SCHEDULE_FORCED_SVC_CHECK;web1;HTTP;1733526445\n",
                    nagios.get(10, TimeUnit.SECONDS));
            RecheckAfterRun.Result res = done.poll(10, TimeUnit.SECONDS);
            assertNotNull(res);
            assertEquals(new RecheckAfterRun.Result(7, Source.NAGIOS, Target.ofService("web1", "HTTP"),
                    Outcome.scheduled()), res);
        }
    }

    @Test
    void aHostEventAsksForTheHostCheck() throws Exception {
        Path fifo = Fifos.mkfifo(dir.resolve("nagios.cmd"));
        CompletableFuture<String> nagios = Fifos.readUntilEof(fifo);
        try (RecheckAfterRun r = new RecheckAfterRun(Map.of(Source.NAGIOS, new NagiosCommandFile(fifo)))) {
            r.runFinished(8, WEB1, List.of(trigger(1, Source.NAGIOS, Map.of("host", "web1", "state", "DOWN"))),
                    FAILED, Duration.ZERO);
            String line = nagios.get(10, TimeUnit.SECONDS);
            assertTrue(line.matches("\\[\\d+] SCHEDULE_FORCED_HOST_CHECK;web1;\\d+\n"), line);
        }
    }

    @Test
    void aPipeWithNoReaderIsLoggedAsUnavailableWithoutHoldingTheCaller() throws Exception {
        Path fifo = Fifos.mkfifo(dir.resolve("nagios.cmd"));
        BlockingQueue<RecheckAfterRun.Result> done = new LinkedBlockingQueue<>();
        try (RecheckAfterRun r = new RecheckAfterRun(Map.of(Source.NAGIOS, new NagiosCommandFile(fifo,
                Clock.systemUTC(), Duration.ofMillis(300))), 10, done::add)) {
            long t0 = System.nanoTime();
            r.runFinished(9, WEB1, List.of(service(1, Source.NAGIOS, "HTTP")), OK, Duration.ZERO);
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(200), "runFinished returns at once");
            RecheckAfterRun.Result res = done.poll(10, TimeUnit.SECONDS);
            assertNotNull(res);
            assertFalse(res.outcome().isScheduled());
            assertTrue(res.outcome().reason().contains("has no reader"), res.outcome().reason());
        }
    }

    @Test
    void icingaTriggersGoToTheApi() throws Exception {
        TestPki pki = new TestPki();
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(pki.serverContext()));
        server.createContext("/", ex -> {
            bodies.add(ex.getRequestURI().getRawPath() + " " + new String(ex.getRequestBody().readAllBytes(),
                    StandardCharsets.UTF_8));
            byte[] b = "{\"results\":[{\"code\":200.0}]}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        try {
            Path password = dir.resolve("pw");
            Files.writeString(password, "secret\n");
            Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
            IcingaApi api = IcingaApi.builder("https://localhost:" + server.getAddress().getPort()).user("cfrun")
                    .passwordFile(password).caFile(pki.writeCa(dir.resolve("ca.crt"))).build();
            BlockingQueue<RecheckAfterRun.Result> done = new LinkedBlockingQueue<>();
            try (RecheckAfterRun r = new RecheckAfterRun(Map.of(Source.ICINGA, api), 10, done::add)) {
                r.runFinished(3, WEB1, List.of(service(1, Source.ICINGA, "http")), OK, Duration.ZERO);
                RecheckAfterRun.Result res = done.poll(20, TimeUnit.SECONDS);
                assertNotNull(res);
                assertTrue(res.outcome().isScheduled(), res.outcome().toString());
            }
            assertEquals(List.of("/v1/actions/reschedule-check {\"type\":\"Service\",\"service\":\"web1!http\","
                    + "\"force\":true}"), bodies);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void mergedTriggersOfOneServiceAskOnceOtherSourcesNever() throws Exception {
        Recording nagios = new Recording(new CountDownLatch(0));
        try (RecheckAfterRun r = new RecheckAfterRun(Map.of(Source.NAGIOS, nagios))) {
            r.runFinished(1, WEB1, List.of(service(1, Source.NAGIOS, "HTTP"), service(2, Source.NAGIOS, "HTTP"),
                    service(3, Source.NAGIOS, "SSH"), trigger(4, Source.ALERTMANAGER, Map.of("host", "web1")),
                    trigger(5, Source.API, Map.of()), service(6, Source.ICINGA, "HTTP")), OK, Duration.ZERO);
            r.runFinished(2, WEB1, List.of(service(7, Source.NAGIOS, "HTTP")),
                    new RunOutcome(Instant.EPOCH, OptionalInt.empty(), "dry_run", "dry run", List.of()), Duration.ZERO);
            r.close(Duration.ofSeconds(10));
        }
        assertEquals(List.of(Target.ofService("web1", "HTTP"), Target.ofService("web1", "SSH")), nagios.asked,
                "one per service; no Icinga system configured; nothing after a dry run");
    }

    @Test
    void aFullQueueDropsInsteadOfBlockingTheDispatcher() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Recording slow = new Recording(release);
        try (RecheckAfterRun r = new RecheckAfterRun(Map.of(Source.NAGIOS, slow), 2, x -> { })) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                r.runFinished(i, WEB1, List.of(service(i, Source.NAGIOS, "S" + i)), OK, Duration.ZERO);
            }
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(1), "never waits for the monitoring");
            release.countDown();
            r.close(Duration.ofSeconds(10));
        }
        // one running + two waiting; the other seven were dropped
        assertEquals(3, slow.asked.size(), slow.asked.toString());
    }

    @Test
    void triggersWithoutNamesAreNotReChecked() {
        assertNull(RecheckAfterRun.target(trigger(1, Source.NAGIOS, Map.of()).trigger()));
        assertNull(RecheckAfterRun.target(trigger(1, Source.NAGIOS, Map.of("service", "HTTP")).trigger()));
        assertEquals(Target.ofHost("web1"),
                RecheckAfterRun.target(trigger(1, Source.NAGIOS, Map.of("host", "web1")).trigger()));
    }

    @Test
    void theOptionsConfigureOneSystemPerSource() throws Exception {
        Path password = dir.resolve("pw");
        Files.writeString(password, "secret\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
        Path ca = new TestPki().writeCa(dir.resolve("ca.crt"));
        Map<Source, Recheck> m = Rechecks.configure(dir.resolve("nagios.cmd"), "https://localhost:5665", "cfrun",
                password, ca);
        assertTrue(m.get(Source.NAGIOS) instanceof NagiosCommandFile);
        assertTrue(m.get(Source.ICINGA) instanceof IcingaApi);
        assertEquals(Map.of(), Rechecks.configure(null, null, null, null, null));
        List<String> errors = new ArrayList<>();
        for (Runnable bad : List.<Runnable>of(
                () -> Rechecks.configure(null, "https://localhost:5665", null, password, null),
                () -> Rechecks.configure(null, null, "cfrun", null, null),
                () -> Rechecks.configure(null, "http://localhost:5665", "cfrun", password, ca))) {
            errors.add(assertThrows(IllegalArgumentException.class, bad::run).getMessage());
        }
        assertTrue(errors.get(0).contains("--icinga-api needs --icinga-user"), errors.get(0));
        assertTrue(errors.get(1).contains("need --icinga-api"), errors.get(1));
        assertTrue(errors.get(2).startsWith("--icinga-api: ") && errors.get(2).contains("https://"), errors.get(2));
    }
}
