package dev.cfrun.service.ingest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cfrun.client.ClassNames;
import dev.cfrun.service.Trigger;

import java.time.Instant;

/**
 * Fuzzes the request bodies the service will take from the network: Alertmanager's webhook (parsed, then put
 * through the default rules) and {@code POST /v1/runs}. The only expected failure is PayloadException (a 400
 * with a reason); anything else escaping — a Jackson or JDK exception the parser did not turn into a reason, an
 * IllegalArgumentException from a value type — is a finding. Every trigger produced must name a host and valid
 * class and bundle names. In a normal build these run the checked-in inputs under
 * src/test/resources/.../PayloadFuzzTestInputs/ (regression mode); scripts/fuzz.sh fuzzes.
 */
class PayloadFuzzTest {
    private static final Instant NOW = Instant.parse("2026-12-06T22:00:00Z");
    /** Small limits, so that the fuzzer reaches them. */
    private static final Limits LIMITS = new Limits(4096, 8, 8, 64, 256);
    private static final DefaultRules RULES = new DefaultRules();

    @FuzzTest(maxDuration = "30m")
    void alertmanager(byte[] data) {
        try {
            AlertmanagerPayload p = AlertmanagerPayload.parse(data, LIMITS);
            Decisions d = RULES.apply(p, NOW);
            if (d.triggers().size() + d.skipped().size() + d.resolved().size() != p.alerts().size()) {
                throw new AssertionError("an alert was lost or counted twice");
            }
            d.triggers().forEach(PayloadFuzzTest::check);
        } catch (PayloadException e) {
            oneLine(e);
        }
    }

    @FuzzTest(maxDuration = "30m")
    void runs(byte[] data) {
        try {
            RunsRequest r = RunsRequest.parse(data, LIMITS);
            r.triggers(NOW, null).forEach(PayloadFuzzTest::check);
        } catch (PayloadException e) {
            oneLine(e);
        }
    }

    private static void check(Trigger t) {
        if (t.host() == null || t.classes().stream().anyMatch(c -> !ClassNames.isValid(c))
                || t.bundles().stream().anyMatch(b -> !ClassNames.isValid(b))) {
            throw new AssertionError("invalid trigger: " + t);
        }
    }

    private static void oneLine(PayloadException e) {
        String m = e.getMessage();
        if (m.isEmpty() || m.length() > 303 || m.chars().anyMatch(c -> c < ' ')) {
            throw new AssertionError("not a one-line reason: " + m);
        }
    }
}
