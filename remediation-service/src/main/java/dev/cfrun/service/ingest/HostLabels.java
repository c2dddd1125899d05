package dev.cfrun.service.ingest;

import dev.cfrun.client.HostAddress;

import java.util.Map;

/**
 * Finds the host to hail from an alert's labels, never guessing: label {@code cfrun_host} (a host name or
 * address, without a port), else label {@code instance} reduced to its host — {@code host:port} for exporters,
 * a URL such as {@code http://web1:8080/health} for blackbox probes, {@code [::1]:9100} for IPv6. The port is
 * label {@code cfrun_port}, else {@value HostAddress#DEFAULT_PORT} (the instance's port is the exporter's, not
 * cf-serverd's).
 */
public final class HostLabels {
    /** The label naming the host to hail explicitly. */
    public static final String HOST_LABEL = "cfrun_host";
    /** The label giving cf-serverd's port on that host. */
    public static final String PORT_LABEL = "cfrun_port";
    /** Prometheus's target label. */
    public static final String INSTANCE_LABEL = "instance";

    private HostLabels() {
    }

    /**
     * The host, or why there is none.
     *
     * @param host   the address to hail, or null
     * @param reason why no host was found (null when found), one line
     */
    public record Found(HostAddress host, String reason) {
    }

    /**
     * The host to hail for these labels.
     *
     * @param labels an alert's labels
     * @return the host, or the reason it cannot be found
     */
    public static Found find(Map<String, String> labels) {
        String portText = labels.get(PORT_LABEL);
        int port = HostAddress.DEFAULT_PORT;
        if (portText != null) {
            if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
                return none("label " + PORT_LABEL + " is not a port (1-65535): \"" + JsonFields.clip(portText) + "\"");
            }
            port = Integer.parseInt(portText);
        }
        String explicit = labels.get(HOST_LABEL);
        if (explicit != null) {
            String h = explicit.length() > 2 && explicit.startsWith("[") && explicit.endsWith("]")
                    ? explicit.substring(1, explicit.length() - 1) : explicit;
            if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
                return none("label " + HOST_LABEL + " must be a host without a port (use " + PORT_LABEL + "): \""
                        + JsonFields.clip(explicit) + "\"");
            }
            return of(h, port, HOST_LABEL);
        }
        String instance = labels.get(INSTANCE_LABEL);
        if (instance == null) {
            return none("no label " + HOST_LABEL + " or " + INSTANCE_LABEL);
        }
        String hostPart = instanceHost(instance);
        if (hostPart == null) {
            return none("cannot find a host in label " + INSTANCE_LABEL + ": \"" + JsonFields.clip(instance)
                    + "\" (set " + HOST_LABEL + ")");
        }
        return of(hostPart, port, INSTANCE_LABEL);
    }

    /**
     * The host part of a Prometheus instance: of {@code host:port}, {@code [v6]:port}, {@code host}, or of a URL's
     * authority ({@code scheme://[user@]host[:port][/path]}).
     *
     * @param instance the label's value
     * @return the host (IPv6 without brackets), or null if there is none or it is ambiguous (a bare IPv6
     *         literal, where the last group could be a port)
     */
    static String instanceHost(String instance) {
        String s = instance.strip();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            if (scheme == 0 || !s.substring(0, scheme).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
                return null;
            }
            s = s.substring(scheme + 3);
            int end = firstOf(s, "/?#");
            s = s.substring(0, end);
            s = s.substring(s.lastIndexOf('@') + 1);
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 2) {
                return null;
            }
            String rest = s.substring(close + 1);
            return rest.isEmpty() || rest.matches(":[0-9]{1,5}") ? s.substring(1, close) : null;
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            return s.isEmpty() ? null : s;
        }
        if (s.indexOf(':', colon + 1) >= 0) {
            return null; // a bare IPv6 literal: "fe80::1:9100" could be a host or a host and a port
        }
        String host = s.substring(0, colon);
        return host.isEmpty() || !s.substring(colon + 1).matches("[0-9]{0,5}") ? null : host;
    }

    private static int firstOf(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }

    private static Found of(String host, int port, String label) {
        try {
            return new Found(HostAddress.of(host, port), null);
        } catch (IllegalArgumentException e) {
            return none("label " + label + ": " + PayloadException.oneLine(e.getMessage()));
        }
    }

    private static Found none(String reason) {
        return new Found(null, reason);
    }
}
