package dev.cfrun.it;

import dev.cfrun.it.SelfHealingLab.Design;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static dev.cfrun.it.ServiceE2E.HOST;

/**
 * The self-healing loop through the resident service in a real Icinga 2 ({@link ServiceE2E}, a private
 * instance: {@link Icinga}): the {@code EventCommand} of {@code HTTP-service} is the documented curl command
 * (an array, run without a shell, macros expanded by Icinga, the token in a header file read with
 * {@code -H @file}), posting to {@code bin/cfrun-service} as its own process (own state directory, token file
 * mode 600, the monitor's client work dir, {@code --icinga-api} this Icinga's API as the ApiUser allowed only
 * {@code actions/reschedule-check}, TLS verified against this instance's CA). The service hails a real
 * cf-serverd 3.21 whose agent policy restarts exactly that web server, then asks the API to check again.
 * Beside it, in the same Icinga ({@code e2e.conf}): the article's shell handler + cf-runagent and
 * bin/cfrun-event-handler with {@code --icinga-api}, checked and retried every 10 s. {@code HTTP-service} is
 * checked and retried only every 60 s, so its OK seconds after the CRITICAL can only come from the service's
 * re-check. Everything lives in target/icinga-service-e2e; every process started is stopped by PID at the
 * end, also on failure.
 */
@DisabledIfSystemProperty(named = "cfrun.it.jdk25", matches = "true",
        disabledReason = "the end-to-end loop runs once, on the build JDK (the service runs on java from PATH anyway)")
class IcingaServiceE2EIT {
    /** check_interval = retry_interval of HTTP-service in icinga-e2e/e2e-service.conf. */
    static final long SERVICE_INTERVAL_MS = 60_000;

    @Test
    void killedWebServerIsRepairedThroughTheServiceAndRechecked() throws Exception {
        Peers.requireCfEngine();
        Peers.requireIcinga();
        ServiceE2E.test("IcingaServiceE2EIT", "icinga-service", (lab, s, root, parts) -> {
            Icinga.Builder b = IcingaE2EIT.handlerObjects(Icinga.builder(root.resolve("icinga")), lab);
            // Icinga first: the service checks the API's CA and password file when it starts
            Icinga icinga = b.file("e2e-service.conf").value("PORT_SERVICE", lab.loop(Design.SERVICE).port())
                    .value("CURL", ServiceE2E.CURL).value("CURL_AUTH", s.curlAuth()).value("SERVICE_URL", s.url("/v1/icinga"))
                    .start();
            parts.monitor = icinga;
            parts.service = s.start("--icinga-api", b.apiUrl(), "--icinga-user", Icinga.RECHECK_USER,
                    "--icinga-password-file", b.recheckPasswordFile().toString(), "--icinga-ca", b.ca().toString());
            return new ServiceE2E.Monitor("Icinga 2", svc -> icinga.waitOkHard(HOST, svc, Duration.ofSeconds(60)),
                    svc -> icinga.reschedule(HOST, svc), icinga.compatLog(), () -> Nagios.tail(icinga.log(), 30)
                    + "\n--- compat log (end)\n" + Nagios.tail(SelfHealingLab.read(icinga.compatLog()), 30), List::of);
        }, SERVICE_INTERVAL_MS, "Icinga 2.13: HTTP-classic and HTTP-recheck checked and retried every 10 s,"
                + " HTTP-service every 60 s");
    }
}
