package dev.cfrun.service.ingest;

import dev.cfrun.client.ClassNames;
import dev.cfrun.client.HostAddress;
import dev.cfrun.recheck.Target;
import dev.cfrun.recheck.decision.Decision;
import dev.cfrun.service.Source;
import dev.cfrun.service.Trigger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Nagios / Naemon / Icinga 2 event ({@link MonitorEvent}) to a trigger, deciding exactly as the event handler
 * does ({@link Decision}: CRITICAL — DOWN for a host — HARD, or SOFT at attempt 3, unless the event's
 * {@code states}, {@code soft_attempt}, {@code hard} fields say otherwise).
 *
 * <ul>
 *   <li>host to hail: {@code address} (default {@code host}), port from {@code port}, else the address's, else
 *   5308;</li>
 *   <li>classes: {@code classes} (comma list, each canonified as CFEngine does), by default the handler's
 *   documented naming {@code nagios_<service>_<state>} ({@code nagios_host_<state>} for a host event);</li>
 *   <li>dedupe key {@code <source>:<host>;<service>;<state>;<state_type>;<attempt>;<last_state_change>}
 *   (then {@code ;e<event_id>} when given): the
 *   same event posted again is a duplicate, the next outage is not; without {@code last_state_change} the
 *   minute of arrival stands in for it;</li>
 *   <li>cooldown key {@code nagios:<service>} (per host: the same repair, whichever system asked);</li>
 *   <li>labels: the monitoring names ({@code host}, {@code service}) for the re-check after the run, and the
 *   event ({@code state}, {@code state_type}, {@code attempt}, {@code last_state_change}).</li>
 * </ul>
 */
public final class MonitorTriggers {
    /** The prefix of the default class names, as in the event handler's documented templates. */
    public static final String CLASS_PREFIX = "nagios_";
    /** The prefix of the cooldown key. */
    public static final String COOLDOWN_PREFIX = "nagios:";
    private static final Decision.Wording WORDS = new Decision.Wording(MonitorEvent.STATE, MonitorEvent.STATE_TYPE,
            MonitorEvent.ATTEMPT, "send no service field", MonitorEvent.HARD + "=no");

    private MonitorTriggers() {
    }

    /**
     * Decides on an event and, when it acts, makes its trigger.
     *
     * @param e          the event
     * @param source     {@link Source#NAGIOS} or {@link Source#ICINGA}
     * @param receivedAt when it arrived
     * @param limits     at most {@code maxLabels} classes and bundles
     * @return the trigger, or no run with the reason
     * @throws PayloadException with a one-line reason for a missing or invalid field (nothing is run)
     */
    public static MonitorDecision decide(MonitorEvent e, Source source, Instant receivedAt, Limits limits)
            throws PayloadException {
        String host = required(e, MonitorEvent.HOST);
        String service = e.get(MonitorEvent.SERVICE);
        boolean hostEvent = service == null;
        Decision.Rules rules = rules(e, hostEvent);
        Decision.Outcome d;
        try {
            d = Decision.decide(hostEvent, required(e, MonitorEvent.STATE), required(e, MonitorEvent.STATE_TYPE),
                    required(e, MonitorEvent.ATTEMPT), rules, WORDS);
            Decision.macro(host, MonitorEvent.HOST);
            if (service != null) {
                Decision.macro(service, MonitorEvent.SERVICE);
            }
            new Target(host, service == null ? "" : service); // the re-check must be able to name it
        } catch (IllegalArgumentException x) {
            throw new PayloadException(x.getMessage());
        }
        HostAddress address = address(e, host);
        String state = e.get(MonitorEvent.STATE).toUpperCase(Locale.ROOT);
        String type = e.get(MonitorEvent.STATE_TYPE).toUpperCase(Locale.ROOT);
        String attempt = Integer.toString(Integer.parseInt(e.get(MonitorEvent.ATTEMPT)));
        List<String> classes = classes(e, service, state, limits);
        List<String> bundles = bundles(e, limits);
        String lastChange = matching(e, MonitorEvent.LAST_STATE_CHANGE, SECONDS,
                "a time in seconds since 1970 (e.g. 1733500000 or 1733500000.25)");
        String eventId = matching(e, MonitorEvent.EVENT_ID, WHOLE_NUMBER,
                "a whole number ($SERVICEEVENTID$ or $HOSTEVENTID$)");
        if (!d.act()) {
            return new MonitorDecision(null, d.reason());
        }
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MonitorEvent.HOST, host);
        if (service != null) {
            labels.put(MonitorEvent.SERVICE, service);
        }
        labels.put(MonitorEvent.STATE, state);
        labels.put(MonitorEvent.STATE_TYPE, type);
        labels.put(MonitorEvent.ATTEMPT, attempt);
        if (lastChange != null) {
            labels.put(MonitorEvent.LAST_STATE_CHANGE, lastChange);
        }
        if (eventId != null) {
            labels.put(MonitorEvent.EVENT_ID, eventId);
        }
        String dedupe = source.name().toLowerCase(Locale.ROOT) + ":" + String.join(";", part(host),
                part(service == null ? "" : service), state, type, attempt,
                lastChange != null ? lastChange : "t" + receivedAt.getEpochSecond() / 60)
                + (eventId != null ? ";e" + eventId : "");
        Trigger t = new Trigger(source, dedupe, COOLDOWN_PREFIX + (service == null ? "" : service), null, receivedAt,
                address, classes, bundles, labels);
        return new MonitorDecision(t, d.reason());
    }

    private static String required(MonitorEvent e, String field) throws PayloadException {
        String v = e.get(field);
        if (v == null) {
            throw new PayloadException(field + ": missing");
        }
        return v;
    }

    private static Decision.Rules rules(MonitorEvent e, boolean hostEvent) throws PayloadException {
        Decision.Rules d = Decision.Rules.defaults(hostEvent);
        String states = e.get(MonitorEvent.STATES);
        String soft = e.get(MonitorEvent.SOFT_ATTEMPT);
        String hard = e.get(MonitorEvent.HARD);
        try {
            return new Decision.Rules(states == null ? d.states() : Decision.states(states, hostEvent),
                    soft == null ? d.softAttempt() : number(MonitorEvent.SOFT_ATTEMPT, soft, 0, 1_000_000),
                    hard == null || yes(hard));
        } catch (IllegalArgumentException x) {
            throw new PayloadException(MonitorEvent.STATES + ": " + x.getMessage());
        }
    }

    private static boolean yes(String v) throws PayloadException {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "yes", "true", "1" -> true;
            case "no", "false", "0" -> false;
            default -> throw new PayloadException(MonitorEvent.HARD + ": yes or no, not '" + JsonFields.clip(v) + "'");
        };
    }

    private static int number(String field, String v, int min, int max) throws PayloadException {
        if (!v.matches("\\d{1,7}") || Integer.parseInt(v) < min || Integer.parseInt(v) > max) {
            throw new PayloadException(field + ": a number from " + min + " to " + max + ", not '"
                    + JsonFields.clip(v) + "'");
        }
        return Integer.parseInt(v);
    }

    private static HostAddress address(MonitorEvent e, String host) throws PayloadException {
        String a = e.get(MonitorEvent.ADDRESS);
        String field = a == null ? MonitorEvent.HOST : MonitorEvent.ADDRESS;
        HostAddress parsed;
        try {
            parsed = HostAddress.parse(Decision.macro(a == null ? host : a, field));
        } catch (IllegalArgumentException x) {
            throw new PayloadException(field + ": " + x.getMessage());
        }
        String p = e.get(MonitorEvent.PORT);
        return p == null ? parsed : HostAddress.of(parsed.host(), number(MonitorEvent.PORT, p, 1, 65535));
    }

    private static List<String> classes(MonitorEvent e, String service, String state, Limits limits)
            throws PayloadException {
        String given = e.get(MonitorEvent.CLASSES);
        if (given == null) {
            String name = CLASS_PREFIX + (service == null ? "host" : ClassNames.canonify(service)) + "_" + state;
            return List.of(check(name, "class", MonitorEvent.CLASSES));
        }
        List<String> out = new ArrayList<>();
        List<String> named = list(given, MonitorEvent.CLASSES, limits);
        if (named.isEmpty()) {
            throw new PayloadException(MonitorEvent.CLASSES + ": no class named (leave the field out for the default "
                    + CLASS_PREFIX + "<service>_<state>)");
        }
        for (String c : named) {
            out.add(check(ClassNames.canonify(c), "class", MonitorEvent.CLASSES));
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    private static List<String> bundles(MonitorEvent e, Limits limits) throws PayloadException {
        String given = e.get(MonitorEvent.BUNDLES);
        if (given == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String b : list(given, MonitorEvent.BUNDLES, limits)) {
            out.add(check(b, "bundle", MonitorEvent.BUNDLES));
        }
        return List.copyOf(new LinkedHashSet<>(out));
    }

    private static List<String> list(String commaList, String field, Limits limits) throws PayloadException {
        List<String> out = new ArrayList<>();
        for (String s : commaList.split(",", -1)) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        if (out.size() > limits.maxLabels()) {
            throw new PayloadException(field + ": too many (" + out.size() + ", limit " + limits.maxLabels() + ")");
        }
        return out;
    }

    private static String check(String name, String what, String field) throws PayloadException {
        try {
            return ClassNames.check(name, what);
        } catch (IllegalArgumentException x) {
            throw new PayloadException(field + ": " + x.getMessage());
        }
    }

    /** {@code $LASTSERVICESTATECHANGE$}: seconds since 1970, whole or with a fraction. */
    private static final Pattern SECONDS = Pattern.compile("\\d[0-9.eE+-]{0,31}");
    /** {@code $SERVICEEVENTID$} / {@code $HOSTEVENTID$}: a whole number. */
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,19}");

    /** The field's value if absent or matching, else a 4xx that says what it must be. */
    private static String matching(MonitorEvent e, String field, Pattern form, String expected) throws PayloadException {
        String v = e.get(field);
        if (v != null && !form.matcher(v).matches()) {
            throw new PayloadException(field + ": " + expected + ", not '" + JsonFields.clip(v) + "'");
        }
        return v;
    }

    /** A name as a part of the dedupe key: ';' and '%' escaped, so that parts cannot run into each other. */
    private static String part(String name) {
        return name.replace("%", "%25").replace(";", "%3B");
    }
}
