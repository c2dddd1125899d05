package dev.cfrun.service.rules;

import dev.cfrun.client.ClassNames;
import dev.cfrun.client.HostAddress;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;
import dev.cfrun.service.ingest.Alert;
import dev.cfrun.service.ingest.AlertRules;
import dev.cfrun.service.ingest.AlertStatus;
import dev.cfrun.service.ingest.AlertmanagerPayload;
import dev.cfrun.service.ingest.Decisions;
import dev.cfrun.service.ingest.DefaultRules;
import dev.cfrun.service.ingest.HostLabels;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of a rules file, applied to Alertmanager's deliveries (immutable, thread-safe). For each alert the
 * first rule whose matchers all match decides:
 * <ul>
 *   <li>no rule matches: a firing alert is skipped ("no rule matched"), a resolved one recorded;</li>
 *   <li>{@code action: skip}: skipped with the rule's name (resolved: recorded);</li>
 *   <li>a resolved alert runs only if the rule says {@code on_resolved: run};</li>
 *   <li>otherwise the rule's templates are filled from the alert: host and port (default as {@link HostLabels}),
 *       classes (canonified; default {@code alert_<alertname>}), bundles. A template the alert cannot fill
 *       skips the alert with the reason.</li>
 * </ul>
 * Triggers are as {@link DefaultRules} makes them (dedupe key fingerprint and start, cooldown key the
 * alertname, the delivery's groupKey) plus the rule's cooldown; a resolved alert's trigger has its own dedupe and
 * cooldown keys (suffix {@code /resolved}), so the firing run neither dedupes nor cools it down.
 */
public final class RuleSet implements AlertRules {
    private static final String RESOLVED_SUFFIX = "/resolved";

    private final String source;
    private final List<Rule> rules;

    RuleSet(String source, List<Rule> rules) {
        this.source = source;
        this.rules = List.copyOf(rules);
    }

    /**
     * How many rules.
     *
     * @return the number of rules
     */
    public int size() {
        return rules.size();
    }

    /**
     * Where the rules came from.
     *
     * @return the file as named when loaded
     */
    public String source() {
        return source;
    }

    /**
     * One line per rule, in order, for {@code --check-rules}.
     *
     * @return the lines
     */
    public List<String> summary() {
        return rules.stream().map(Rule::summary).toList();
    }

    @Override
    public Decisions apply(AlertmanagerPayload payload, Instant receivedAt) {
        Decisions.Builder out = Decisions.builder();
        for (Alert a : payload.alerts()) {
            Rule rule;
            try {
                rule = first(a);
            } catch (Undecided e) {
                out.decline(a, e.getMessage());
                continue;
            }
            if (rule == null) {
                out.decline(a, "no rule matched");
            } else if (rule.skip()) {
                out.decline(a, "rule \"" + rule.name() + "\": action skip");
            } else if (a.status() == AlertStatus.RESOLVED && !rule.runOnResolved()) {
                out.resolved(a);
            } else {
                try {
                    out.trigger(trigger(rule, a, payload.groupKey(), receivedAt));
                } catch (Undecided e) {
                    out.skip(a, "rule \"" + rule.name() + "\": " + e.getMessage());
                }
            }
        }
        return out.build();
    }

    /** The first rule matching the alert's labels, or null. */
    private Rule first(Alert a) throws Undecided {
        for (Rule r : rules) {
            boolean all = true;
            for (Matcher m : r.matchers()) {
                if (!m.matches(a.labels())) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return r;
            }
        }
        return null;
    }

    private static Trigger trigger(Rule r, Alert a, String groupKey, Instant at) throws Undecided {
        HostAddress host = host(r, a);
        String alertname = a.label(DefaultRules.ALERTNAME);
        List<String> classes = classes(r, a, alertname);
        Set<String> bundles = new LinkedHashSet<>();
        for (Template t : r.bundles()) {
            String b = fill(t, a, "bundles");
            if (!ClassNames.isValid(b)) {
                throw new Undecided("bundles: \"" + Messages.clip(b) + "\" is not a bundle name (letters, "
                        + "digits, '_' and ':', at most " + ClassNames.MAX_LENGTH + " characters)");
            }
            bundles.add(b);
        }
        boolean resolved = a.status() == AlertStatus.RESOLVED;
        String cooldownKey = (alertname == null || alertname.isEmpty() ? "rule:" + r.name() : alertname)
                + (resolved ? RESOLVED_SUFFIX : "");
        String dedupeKey = DefaultRules.dedupeKey(a) + (resolved ? RESOLVED_SUFFIX : "");
        return new Trigger(Source.ALERTMANAGER, dedupeKey, cooldownKey, groupKey, at, host, classes,
                List.copyOf(bundles), a.labels(), r.cooldown());
    }

    private static List<String> classes(Rule r, Alert a, String alertname) throws Undecided {
        if (r.classes() == null) {
            if (alertname == null || alertname.isEmpty()) {
                throw new Undecided("no label " + DefaultRules.ALERTNAME
                        + " for the default class (give the rule classes)");
            }
            return List.of(canonified(DefaultRules.CLASS_PREFIX + alertname));
        }
        Set<String> out = new LinkedHashSet<>();
        for (Template t : r.classes()) {
            out.add(canonified(fill(t, a, "classes")));
        }
        return List.copyOf(out);
    }

    private static String canonified(String text) throws Undecided {
        String c = ClassNames.canonify(text);
        if (!ClassNames.isValid(c)) {
            throw new Undecided("classes: \"" + Messages.clip(text) + "\" is "
                    + (c.isEmpty() ? "empty" : "longer than " + ClassNames.MAX_LENGTH + " bytes") + " as a class");
        }
        return c;
    }

    private static String fill(Template t, Alert a, String field) throws Undecided {
        try {
            return t.render(a);
        } catch (Undecided e) {
            throw new Undecided(field + ": " + e.getMessage());
        }
    }

    /** The host: the rule's templates over the labels' defaults, checked as {@link HostLabels} checks them. */
    private static HostAddress host(Rule r, Alert a) throws Undecided {
        Map<String, String> labels = new HashMap<>();
        if (r.host() == null) {
            labels.putAll(a.labels());
        } else {
            labels.put(HostLabels.HOST_LABEL, fill(r.host(), a, "host"));
            String port = a.label(HostLabels.PORT_LABEL);
            if (port != null) {
                labels.put(HostLabels.PORT_LABEL, port);
            }
        }
        if (r.port() != null) {
            labels.put(HostLabels.PORT_LABEL, fill(r.port(), a, "port"));
        }
        if (r.host() != null && labels.get(HostLabels.HOST_LABEL).isBlank()) {
            throw new Undecided("host: empty");
        }
        HostLabels.Found f = HostLabels.find(labels);
        if (f.host() == null) {
            throw new Undecided(r.host() == null && r.port() == null ? f.reason()
                    : "host " + (r.host() == null ? "" : "\"" + r.host().text() + "\" ")
                    + (r.port() == null ? "" : "port \"" + r.port().text() + "\" ") + "filled: " + f.reason());
        }
        return f.host();
    }
}
