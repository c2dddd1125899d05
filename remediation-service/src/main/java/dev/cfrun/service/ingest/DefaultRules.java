package dev.cfrun.service.ingest;

import dev.cfrun.client.ClassNames;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;

import java.time.Instant;
import java.util.List;

/**
 * The rules without a rules file: every firing alert acts. Host from {@link HostLabels}; class
 * {@code alert_<alertname>} canonified as CFEngine does; no bundles; cooldown key the alertname; dedupe key
 * {@code <fingerprint>@<startsAt>} (a re-sent delivery is a duplicate, a new outage of the same alert is not);
 * group the delivery's groupKey. Alerts without an alertname or a findable host are skipped with the reason.
 */
public final class DefaultRules implements AlertRules {
    /** The label every Prometheus alert carries. */
    public static final String ALERTNAME = "alertname";
    /** The prefix of the default class. */
    public static final String CLASS_PREFIX = "alert_";

    /** The default rules (stateless). */
    public DefaultRules() {
    }

    @Override
    public Decisions apply(AlertmanagerPayload payload, Instant receivedAt) {
        Decisions.Builder out = Decisions.builder();
        for (Alert a : payload.alerts()) {
            if (a.status() == AlertStatus.RESOLVED) {
                out.resolved(a);
                continue;
            }
            String alertname = a.label(ALERTNAME);
            if (alertname == null || alertname.isEmpty()) {
                out.skip(a, "no label " + ALERTNAME);
                continue;
            }
            String cls = ClassNames.canonify(CLASS_PREFIX + alertname);
            if (!ClassNames.isValid(cls)) {
                out.skip(a, "class " + CLASS_PREFIX + "<alertname> is longer than " + ClassNames.MAX_LENGTH
                        + " characters");
                continue;
            }
            HostLabels.Found host = HostLabels.find(a.labels());
            if (host.host() == null) {
                out.skip(a, host.reason());
                continue;
            }
            out.trigger(new Trigger(Source.ALERTMANAGER, dedupeKey(a), alertname, payload.groupKey(), receivedAt,
                    host.host(), List.of(cls), List.of(), a.labels()));
        }
        return out.build();
    }

    /**
     * The dedupe key of an alert: its fingerprint and start, which stay the same while it fires and across
     * Alertmanager's re-sends.
     *
     * @param a an alert
     * @return {@code <fingerprint>@<startsAt as ISO-8601 UTC>}
     */
    public static String dedupeKey(Alert a) {
        return a.fingerprint() + "@" + a.startsAt();
    }
}
