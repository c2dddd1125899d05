package dev.cfrun.it;

import dev.cfrun.it.SelfHealingLab.Design;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static dev.cfrun.it.ServiceE2E.HOST;
import static dev.cfrun.it.ServiceE2E.OUTAGES;

/**
 * The self-healing loop through the resident service in a real Nagios 4 ({@link ServiceE2E}): the event handler
 * of {@code HTTP-service} is the documented curl event command (macros expanded by Nagios, the token in a header
 * file read with {@code -H @file}), posting to {@code bin/cfrun-service} as its own process (own state
 * directory, token file mode 600, the monitor's client work dir, {@code --nagios-command-file} this Nagios'
 * command pipe). The service hails a real cf-serverd 3.21 whose agent policy restarts exactly that web server,
 * then writes SCHEDULE_FORCED_SVC_CHECK to the pipe. Beside it, in the same Nagios ({@code objects/e2e.cfg}):
 * the article's shell handler + cf-runagent and bin/cfrun-event-handler with {@code --command-file}, checked and
 * retried every 10 s. {@code HTTP-service} is checked and retried only every 60 s, so its OK seconds after the
 * CRITICAL can only come from the service's re-check; nagios.log shows the service's SCHEDULE_FORCED_SVC_CHECK
 * after each run. Everything lives in target/nagios-service-e2e; every process started is stopped by PID at the
 * end, also on failure.
 */
@DisabledIfSystemProperty(named = "cfrun.it.jdk25", matches = "true",
        disabledReason = "the end-to-end loop runs once, on the build JDK (the service runs on java from PATH anyway)")
class NagiosServiceE2EIT {
    /** check_interval = retry_interval of HTTP-service in objects/service-e2e.cfg (6 × interval_length 10 s). */
    static final long SERVICE_INTERVAL_MS = 60_000;

    @Test
    void killedWebServerIsRepairedThroughTheServiceAndRechecked() throws Exception {
        Peers.requireCfEngine();
        Peers.requireNagios();
        ServiceE2E.test("NagiosServiceE2EIT", "nagios-service", (lab, s, root, parts) -> {
            Path runDir = root.resolve("nagios");
            parts.service = s.start("--nagios-command-file", runDir.resolve("rw/nagios.cmd").toString());
            Nagios nagios = NagiosE2EIT.handlerObjects(Nagios.builder(runDir), lab).file("objects/service-e2e.cfg")
                    .value("PORT_SERVICE", lab.loop(Design.SERVICE).port()).value("CURL", ServiceE2E.CURL)
                    .value("CURL_AUTH", s.curlAuth()).value("SERVICE_URL", s.url("/v1/nagios"))
                    .start();
            parts.monitor = nagios;
            Path log = runDir.resolve("nagios.log");
            return new ServiceE2E.Monitor("Nagios 4",
                    svc -> nagios.waitForService(HOST, svc, 0, true, Duration.ofSeconds(60)),
                    svc -> nagios.command("SCHEDULE_FORCED_SVC_CHECK;" + HOST + ";" + svc + ";"
                            + Instant.now().getEpochSecond()),
                    log, () -> Nagios.tail(nagios.log(), 30), () -> forcedChecks(log));
        }, SERVICE_INTERVAL_MS, "Nagios 4.4, interval_length=10; HTTP-classic and HTTP-recheck checked and retried"
                + " every 10 s, HTTP-service every 60 s");
    }

    /** The test wrote one forced check per outage (and one at the start), the service one after each run. */
    private static List<String> forcedChecks(Path nagiosLog) {
        long forced = SelfHealingLab.read(nagiosLog).lines().filter(x -> x.contains(
                "EXTERNAL COMMAND: SCHEDULE_FORCED_SVC_CHECK;" + HOST + ";" + Design.SERVICE.service + ";")).count();
        return forced == 1 + 2L * OUTAGES ? List.of() : List.of("nagios.log shows " + forced
                + " SCHEDULE_FORCED_SVC_CHECK for " + Design.SERVICE.service + ", expected the test's " + (1 + OUTAGES)
                + " and the service's " + OUTAGES);
    }
}
