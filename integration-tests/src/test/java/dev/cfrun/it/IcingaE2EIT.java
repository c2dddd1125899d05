package dev.cfrun.it;

import dev.cfrun.it.SelfHealingLab.Design;
import dev.cfrun.it.SelfHealingLab.Loop;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The self-healing loop in a real Icinga 2 (Debian {@code icinga2} 2.13, a private instance: {@link Icinga})
 * with realistic intervals scaled down: check_interval and retry_interval 10 s, 3 attempts. Three web
 * servers, one service and one {@code EventCommand} each ({@link SelfHealingLab.Design}): the article's shell
 * handler + cf-runagent, our handler, and our handler with {@code --icinga-api} (it asks Icinga's REST API,
 * as an API user allowed only {@code actions/reschedule-check}, to check again once the repair is done).
 * Every handler gets {@code $service.state$ $service.state_type$ $service.check_attempt$ $host.address$},
 * acts on the first SOFT CRITICAL and asks a real cf-serverd 3.21 to run the agent, which restarts exactly
 * that web server. {@link Recovery} measures kill → OK and CRITICAL → OK and counts HARD states (from the
 * CompatLogger's SERVICE ALERT lines); the test asserts only ratios measured in the same run (design 3
 * against design 1), that design 3 never reached HARD, and that every run finished on its own with exit 0
 * and restarted its web server. Everything lives in target/icinga-e2e; every process started is stopped at
 * the end, also on failure.
 */
@DisabledIfSystemProperty(named = "cfrun.it.jdk25", matches = "true",
        disabledReason = "the end-to-end loop runs once, on the build JDK (the handler runs on java from PATH anyway)")
class IcingaE2EIT {
    static final String HOST = SelfHealingLab.HOST;
    /** check_interval = retry_interval of the HTTP services in icinga-e2e/e2e.conf. */
    static final long INTERVAL_MS = 10_000;

    @Test
    void killedWebServerIsRepairedThroughIcingaEventCommand() throws Exception {
        Peers.requireCfEngine();
        Peers.requireIcinga();
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        Path root = module.resolve("target/icinga-e2e");
        Path report = module.resolve("target/e2e-recovery-icinga.txt");
        Files.deleteIfExists(report);

        Icinga icinga = null;
        SelfHealingLab lab = null;
        boolean passed = false;
        try {
            lab = SelfHealingLab.start(module, root);
            icinga = handlerObjects(Icinga.builder(root.resolve("icinga")), lab).start();
            for (Loop l : lab.loops) {
                icinga.waitOkHard(HOST, l.service(), Duration.ofSeconds(30));
            }

            Recovery.Monitor monitor = new IcingaMonitor(icinga, "Icinga 2", INTERVAL_MS);
            List<Recovery.Cycle> cycles = Recovery.run(monitor, lab);
            List<String> problems = new ArrayList<>(Recovery.report(monitor, lab, cycles, "Icinga 2.13: check_interval 10s,"
                    + " retry_interval 10s, max_check_attempts 3, handlers act on the first SOFT CRITICAL", report));
            problems.addAll(lab.loopProblems(cycles, Recovery.CYCLES));
            // Icinga called every handler with the four macros (the compat log names the EventCommand)
            String compat = SelfHealingLab.read(icinga.compatLog());
            for (Loop l : lab.loops) {
                if (!compat.contains("SERVICE EVENT HANDLER: " + HOST + ";" + l.service() + ";CRITICAL;SOFT;1;")) {
                    problems.add("Icinga's compat log shows no event handler call for " + l.service() + " CRITICAL SOFT 1");
                }
            }
            assertTrue(problems.isEmpty(), String.join("\n\n", problems) + "\n\n" + SelfHealingLab.read(report));
            passed = true;
        } finally {
            SelfHealingLab.finish("IcingaE2EIT", root, passed, icinga, lab);
        }
    }

    /** e2e.conf (the three handler designs' services and event commands) and its values, from the lab. */
    static Icinga.Builder handlerObjects(Icinga.Builder b, SelfHealingLab lab) {
        return b.file("e2e.conf").value("HOST", HOST)
                .value("PORT_CLASSIC", lab.loop(Design.CLASSIC).port())
                .value("PORT_OURS", lab.loop(Design.OURS).port())
                .value("PORT_RECHECK", lab.loop(Design.RECHECK).port())
                .value("CHECK_TIMED", lab.checkTimed).value("CHECK_LOG", lab.checkLog)
                .value("HANDLER", lab.handler).value("CFSERVERD_PORT", lab.server.port())
                .value("OURS_WORKDIR", lab.oursWd.workdir)
                .value("OURS_STATE", lab.loop(Design.OURS).stateDir()).value("OURS_LOG", lab.loop(Design.OURS).log())
                .value("RECHECK_STATE", lab.loop(Design.RECHECK).stateDir())
                .value("RECHECK_LOG", lab.loop(Design.RECHECK).log())
                .value("API_URL", b.apiUrl()).value("RECHECK_PASSWORD_FILE", b.recheckPasswordFile())
                .value("CA", b.ca())
                .value("CLASSIC_HANDLER", lab.classicHandler);
    }

    /** Icinga 2 as {@link Recovery} sees it: its REST API (as the test's user) and the CompatLogger's log. */
    private record IcingaMonitor(Icinga icinga, String name, long intervalMs) implements Recovery.Monitor {
        @Override
        public void waitOkHard(String service, Duration timeout) {
            icinga.waitOkHard(HOST, service, timeout);
        }

        @Override
        public long nextCheckMs(String service) {
            Map<String, Double> s = icinga.service(HOST, service, "next_check");
            if (!s.containsKey("next_check")) {
                throw new AssertionError("no next_check for " + service + ": " + s);
            }
            return Math.round(s.get("next_check") * 1000);
        }

        @Override
        public Path alertLog() {
            return icinga.compatLog();
        }

        @Override
        public String logTail() {
            return Nagios.tail(icinga.log(), 40) + "\n--- compat log (end)\n"
                    + Nagios.tail(SelfHealingLab.read(icinga.compatLog()), 40);
        }
    }
}
