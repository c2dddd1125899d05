package dev.cfrun.service.rules;

import dev.cfrun.service.Durations;

import java.time.Duration;
import java.util.List;

/**
 * One rule of the rules file, checked and compiled (immutable).
 *
 * @param name          unique in the file
 * @param line          where it starts in the file
 * @param matchers      all must match (none: every alert matches)
 * @param host          the host to hail, or null for the labels ({@code cfrun_host}, else {@code instance})
 * @param port          cf-serverd's port, or null for label {@code cfrun_port}, else 5308
 * @param classes       the classes, canonified after filling; null for the default {@code alert_<alertname>}
 * @param bundles       the bundles
 * @param runOnResolved a resolved alert runs too ({@code on_resolved: run})
 * @param cooldown      the rule's own cooldown, or null for the service's
 * @param skip          {@code action: skip}: matching alerts are recorded, never run
 */
record Rule(String name, int line, List<Matcher> matchers, Template host, Template port, List<Template> classes,
            List<Template> bundles, boolean runOnResolved, Duration cooldown, boolean skip) {
    /** Unmodifiable copies. */
    Rule {
        matchers = List.copyOf(matchers);
        classes = classes == null ? null : List.copyOf(classes);
        bundles = List.copyOf(bundles);
    }

    /**
     * One line describing the rule, for {@code --check-rules}.
     *
     * @return e.g. {@code restart-web (line 2): alertname="WebDown"; host {{ .Labels.cfrun_host }}; ...}
     */
    String summary() {
        StringBuilder sb = new StringBuilder(name).append(" (line ").append(line).append("): ");
        sb.append(matchers.isEmpty() ? "every alert" : String.join(", ", matchers.stream().map(Matcher::toString)
                .toList()));
        if (skip) {
            return sb.append(" -> skip").toString();
        }
        sb.append(" -> host ").append(host == null ? "from labels" : host.text());
        if (port != null) {
            sb.append(", port ").append(port.text());
        }
        sb.append("; classes ").append(classes == null ? "alert_<alertname>"
                : String.join(" ", classes.stream().map(Template::text).toList()));
        if (!bundles.isEmpty()) {
            sb.append("; bundles ").append(String.join(" ", bundles.stream().map(Template::text).toList()));
        }
        if (runOnResolved) {
            sb.append("; runs on resolved");
        }
        if (cooldown != null) {
            sb.append("; cooldown ").append(Durations.format(cooldown));
        }
        return sb.toString();
    }
}
