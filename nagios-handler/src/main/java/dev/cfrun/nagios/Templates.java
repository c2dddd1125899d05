package dev.cfrun.nagios;

import dev.cfrun.client.internal.protocol.ExecRequest;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Class and bundle names from templates such as {@code nagios_${service}_${state}}: each value is made a
 * valid CFEngine class name first (as CFEngine's canonify: every character outside [A-Za-z0-9_] becomes
 * '_'), so that a service called "HTTP-ours" gives {@code nagios_HTTP_ours_CRITICAL} and no macro value can
 * inject anything into the request.
 */
public final class Templates {
    private static final Pattern VAR = Pattern.compile("\\$\\{([^}]*)}");
    static final java.util.List<String> VARIABLES = java.util.List.of("service", "state", "statetype", "attempt",
            "hostname", "address");

    private Templates() {
    }

    /** CFEngine's canonify(): byte by byte over the UTF-8 form, so "café" gives "caf__" as it does in policy. */
    public static String canonify(String value) {
        byte[] bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            sb.append((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ? c : '_');
        }
        return sb.toString();
    }

    /**
     * Expands a template.
     *
     * @throws IllegalArgumentException for an unknown variable, or a result that is not a valid name
     */
    public static String expand(String template, Map<String, String> values, String what) {
        Matcher m = VAR.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            if (!VARIABLES.contains(name)) {
                throw new IllegalArgumentException("unknown variable ${" + name + "} in " + what + " template '" + template
                        + "' (known: " + String.join(", ", VARIABLES.stream().map(v -> "${" + v + "}").toList()) + ")");
            }
            String v = values.get(name);
            if (v == null || v.isEmpty()) {
                throw new IllegalArgumentException(what + " template '" + template + "' uses ${" + name
                        + "}, which has no value (pass it, e.g. --service \"$SERVICEDESC$\")");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(canonify(v)));
        }
        m.appendTail(sb);
        String result = sb.toString();
        ExecRequest.checkName(result, what);
        return result;
    }
}
