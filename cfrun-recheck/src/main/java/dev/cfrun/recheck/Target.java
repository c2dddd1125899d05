package dev.cfrun.recheck;

import java.util.Objects;

/**
 * What to check again: a host (a host check) or one service of a host, by the names the monitoring system
 * knows them by ({@code $HOSTNAME$} / {@code $SERVICEDESC$}, {@code host.name} / {@code service.name}).
 * Immutable. Names must be non-empty and free of control characters; an implementation may refuse more
 * ({@link Recheck#validate}).
 *
 * @param host    the host name, never empty
 * @param service the service name, empty for a host check
 */
public record Target(String host, String service) {
    /** Checks the names; see the class description. */
    public Target {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(service, "service");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host name for the re-check is empty");
        }
        refuseControl("host", host);
        refuseControl("service", service);
    }

    /** The host check of {@code host}. */
    public static Target ofHost(String host) {
        return new Target(host, "");
    }

    /** The check of service {@code service} on {@code host}. */
    public static Target ofService(String host, String service) {
        if (service.isEmpty()) {
            throw new IllegalArgumentException("the service name for the re-check is empty");
        }
        return new Target(host, service);
    }

    /** True for a host check (no service). */
    public boolean isHostCheck() {
        return service.isEmpty();
    }

    @Override
    public String toString() {
        return isHostCheck() ? host : host + "/" + service;
    }

    private static void refuseControl(String what, String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                throw new IllegalArgumentException("the " + what + " name '" + Outcome.oneLine(name)
                        + "' contains a control character (U+" + String.format("%04X", (int) c) + ")");
            }
        }
    }
}
