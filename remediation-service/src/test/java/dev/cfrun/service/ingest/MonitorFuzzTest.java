package dev.cfrun.service.ingest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.cfrun.client.ClassNames;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;

import java.time.Instant;

/**
 * Fuzzes the body of {@code POST /v1/nagios} and {@code /v1/icinga}: a form (what curl --data-urlencode sends)
 * or JSON, then the decision and the trigger. The only expected failure is PayloadException (a 400 with a
 * one-line reason); anything else escaping is a finding. A trigger must name a host, valid class and bundle
 * names, and carry the monitoring host name the re-check needs. Regression mode runs the inputs under
 * src/test/resources/.../MonitorFuzzTestInputs/; scripts/fuzz.sh fuzzes.
 */
class MonitorFuzzTest {
    private static final Instant NOW = Instant.parse("2026-12-06T22:00:00Z");
    /** Small limits, so that the fuzzer reaches them. */
    private static final Limits LIMITS = new Limits(4096, 8, 8, 64, 256);

    @FuzzTest(maxDuration = "30m")
    void form(byte[] data) {
        try {
            check(MonitorTriggers.decide(MonitorEvent.parseForm(data, LIMITS), Source.NAGIOS, NOW, LIMITS));
        } catch (PayloadException e) {
            oneLine(e);
        }
    }

    @FuzzTest(maxDuration = "30m")
    void json(byte[] data) {
        try {
            check(MonitorTriggers.decide(MonitorEvent.parseJson(data, LIMITS), Source.ICINGA, NOW, LIMITS));
        } catch (PayloadException e) {
            oneLine(e);
        }
    }

    private static void check(MonitorDecision d) {
        if (d.reason() == null || d.reason().isEmpty()) {
            throw new AssertionError("a decision without a reason");
        }
        Trigger t = d.trigger();
        if (t == null) {
            return;
        }
        if (t.host() == null || t.classes().isEmpty() || t.classes().stream().anyMatch(c -> !ClassNames.isValid(c))
                || t.bundles().stream().anyMatch(b -> !ClassNames.isValid(b)) || t.labels().get("host") == null
                || t.dedupeKey() == null || t.cooldownKey() == null) {
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
