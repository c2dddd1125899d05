package dev.cfrun.bench;

import static dev.cfrun.bench.Report.fmt;

import dev.cfrun.bench.AlertLoad.Answer;
import dev.cfrun.bench.Report.Row;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * 7. The remediation service under load: bin/cfrun-service as its own process (SQLite store in its own
 * directory) with real runs against one cf-serverd answering for a fleet of loopback addresses (cfruncommand
 * /bin/echo, so a run is cheap but real: handshake, cf-serverd forks, output back). Alertmanager deliveries of
 * 100 alerts each are posted by several concurrent posters after a warm-up; then: accepted alerts per second,
 * answer times, how long until every trigger is decided, runs started, triggers merged and suppressed, the
 * service's memory, and "nothing lost" (every accepted trigger ended in a run that {@code GET /v1/runs} lists
 * or a suppression with a reason, nothing else in the store) — and the same deliveries sent again are all
 * duplicates.
 */
final class ServiceSection implements Section {
    private static final String WHAT = "7 service";

    @Override
    public List<String> jars() {
        return List.of("remediation-service/target/cfrun-service.jar");
    }

    @Override
    public void run(BenchOptions o, ProcessDriver d, Report r) throws Exception {
        int each = o.serviceAlertsPerDelivery;
        int deliveries = o.serviceAlerts / each;
        int warmup = Math.max(1, deliveries / 10);
        List<String> limits = List.of("--runs-per-minute", "0", "--cooldown", "0", "--max-hosts-per-group",
                Integer.toString(o.serviceGroupCap), "--group-window", "10m");
        r.section("the remediation service: " + deliveries * each + " alerts");
        Lab.Server server = d.lab.start(new Lab.Spec("service").bindAll(2000).roles());
        List<String> hosts = Lab.addresses(o.serviceHosts);
        AlertLoad load = new AlertLoad(hosts, server.port(), each, o.serviceHostsPerDelivery);
        try (ServiceProcess s = ServiceProcess.start(d.root, d.work.resolve("service"), d.lab.client, limits)) {
            Set<Long> accepted = new HashSet<>();
            r.log().printf("  warm-up: %d deliveries%n", warmup);
            List<Answer> warm = load.post(s, 0, warmup, o.servicePosters);
            checkAnswers(r, warm, each, accepted, "warm-up");
            drain(s, r);
            String loadBefore = Machine.loadAverage();
            double cpu0 = s.cpuMs();
            r.log().printf("  %d deliveries × %d alerts, %d posters%n", deliveries, each, o.servicePosters);
            List<Answer> answers = load.post(s, warmup, deliveries, o.servicePosters);
            long lastAnswer = answers.stream().mapToLong(Answer::answeredNanos).max().orElseThrow();
            long firstSent = answers.stream().mapToLong(Answer::sentNanos).min().orElseThrow();
            int before = accepted.size();
            checkAnswers(r, answers, each, accepted, "load");
            int acceptedNow = accepted.size() - before;
            drain(s, r);
            double decidedMs = (System.nanoTime() - lastAnswer) / 1e6;
            double cpuMs = s.cpuMs() - cpu0;
            String loadAfter = Machine.loadAverage();
            List<Answer> again = load.post(s, warmup, Math.min(10, deliveries), o.servicePosters);
            long dup = again.stream().mapToLong(a -> a.duplicates().size()).sum();
            long newOnes = again.stream().mapToLong(a -> a.accepted().size()).sum();
            boolean dupOk = dup == (long) Math.min(10, deliveries) * each && newOnes == 0
                    && again.stream().allMatch(a -> a.status() == 202 && accepted.containsAll(a.duplicates()));
            if (!dupOk) {
                r.fail("service: sent again, " + dup + " duplicates and " + newOnes + " new triggers");
            }
            // the ingress alone: the same kind of deliveries with the dispatcher paused (no pass competes for the store)
            int quiet = Math.min(20, deliveries);
            pause(s, r, true);
            List<Answer> paused = load.post(s, warmup + deliveries, quiet, o.servicePosters);
            pause(s, r, false);
            checkAnswers(r, paused, each, accepted, "paused");
            drain(s, r);
            double[] rss = s.rssMb();
            ServiceProcess.Heap heap = s.heap();
            s.collect();
            ServiceProcess.Heap live = s.heap();
            ServiceLedger.Store store = ServiceLedger.read(s.database());
            ServiceLedger.Api api = ServiceLedger.api(s, hosts);
            List<String> problems = ServiceLedger.check(accepted, store, api);
            problems.forEach(p -> r.fail("service: " + p));
            double wallS = (lastAnswer - firstSent) / 1e9;
            Stats ms = Stats.of(answers.stream().map(Answer::ms).toList());
            Map<String, Integer> states = ServiceLedger.states(store);
            int done = states.getOrDefault("DONE", 0);
            String n = deliveries * each + " alerts (" + deliveries + " deliveries × " + each + ", " + o.servicePosters
                    + " posters)";
            r.row(new Row(WHAT, n + ": accepted alerts per second", fmt(acceptedNow / wallS, 0), "–", Double.NaN, "",
                    null));
            r.row(new Row(WHAT, n + ": answer time per delivery, ms, median [p10–p90] / p99 / max", ms.spread(1)
                    + " / " + fmt(Stats.quantile(answers.stream().map(Answer::ms).sorted().toList(), 0.99), 1) + " / "
                    + fmt(ms.max(), 1), "–", Double.NaN, "", null));
            Stats pausedMs = Stats.of(paused.stream().map(Answer::ms).toList());
            r.row(new Row(WHAT, quiet + " more deliveries with the dispatcher paused (the ingress alone): answer "
                    + "time, ms, median [p10–p90] / max", pausedMs.spread(1) + " / " + fmt(pausedMs.max(), 1), "–",
                    Double.NaN, "", null));
            r.row(new Row(WHAT, n + ": last answer → every trigger run or suppressed, ms", fmt(decidedMs, 0), "–",
                    Double.NaN, "", null));
            r.row(new Row(WHAT, "runs started (all " + accepted.size() + " triggers, warm-up and paused ones included) / triggers "
                    + "run / suppressed", store.runs() + " / " + done + " / " + states.getOrDefault("SUPPRESSED", 0),
                    "–", Double.NaN, "", null));
            r.row(new Row(WHAT, "service RSS after, MB / its peak / heap used / live after a full GC / heap size",
                    fmt(rss[0], 0) + " / " + fmt(rss[1], 0) + " / " + fmt(heap.usedMb(), 1) + " / "
                            + fmt(live.usedMb(), 1) + " / " + fmt(live.committedMb(), 0), "–", Double.NaN, "", null));
            r.row(new Row(WHAT, "nothing lost: every accepted trigger in a run GET /v1/runs lists or suppressed with "
                    + "a reason; sent again → all duplicates", problems.isEmpty() && dupOk ? "yes" : "no", "–",
                    Double.NaN, "all", problems.isEmpty() && dupOk));
            String javaOpts = System.getenv("JAVA_OPTS");
            r.detail(WHAT + ", how", (javaOpts == null || javaOpts.isBlank() ? "" : "JAVA_OPTS=" + javaOpts + " ")
                    + "bin/cfrun-service " + String.join(" ", limits) + " (parallelism 8, SQLite in "
                    + "its own directory), real runs against one cf-serverd for " + hosts.size() + " loopback "
                    + "addresses (cfruncommand /bin/echo); each delivery one alert group over "
                    + o.serviceHostsPerDelivery + " hosts (" + each / o.serviceHostsPerDelivery + " alert names each), "
                    + "every alert its own fingerprint; a warm-up of " + warmup + " deliveries first; the group cap "
                    + o.serviceGroupCap + " makes the rest of each group suppressed (blast radius)");
            r.detail(WHAT + ", figures", "service CPU during the load and until decided " + fmt(cpuMs, 0) + " ms; "
                    + "triggers merged into runs: " + fmt((double) done / Math.max(1, store.runs()), 2)
                    + " per run; run outcomes " + store.runOutcomes() + "; GET /v1/runs statuses " + api.statuses()
                    + "; suppressed by reason " + ServiceLedger.suppressions(store) + "; load average before "
                    + loadBefore + ", after " + loadAfter);
            int exit = s.stop();
            if (exit != 143 && exit != 0) {
                r.fail("service: SIGTERM → exit " + exit + "\n" + s.logTail(20));
            }
        }
    }

    /** Every answer 202, every alert accepted (none duplicate or skipped); collects the ids. */
    private static void checkAnswers(Report r, List<Answer> answers, int each, Set<Long> accepted, String phase) {
        for (Answer a : answers) {
            if (a.status() != 202 || a.accepted().size() != each || a.skipped() != 0 || !a.duplicates().isEmpty()) {
                r.fail("service " + phase + ": delivery " + a.delivery() + ": " + a.status() + " " + a.accepted().size()
                        + " accepted, " + a.duplicates().size() + " duplicates, " + a.skipped() + " skipped"
                        + (a.error() == null ? "" : ": " + a.error()));
            }
            accepted.addAll(a.accepted());
        }
    }

    private static void pause(ServiceProcess s, Report r, boolean on) throws Exception {
        java.net.http.HttpResponse<String> a = s.post(on ? "/v1/pause" : "/v1/resume", new byte[0]);
        if (a.statusCode() != 200 || !a.body().contains("\"paused\":" + on)) {
            r.fail("service: " + (on ? "pause" : "resume") + ": " + a.statusCode() + " " + a.body().strip());
        }
    }

    /** Waits until no trigger is queued or running (at most 5 minutes, polling the store every 20 ms). */
    private static void drain(ServiceProcess s, Report r) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + 300_000_000_000L;
        long pending;
        while ((pending = ServiceLedger.pending(s.database())) != 0) {
            if (System.nanoTime() > deadline) {
                r.fail("service: " + pending + " triggers still queued or running after 5 minutes\n" + s.logTail(20));
                break;
            }
            Thread.sleep(20);
        }
    }
}
