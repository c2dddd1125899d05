package dev.cfrun.cli;

import dev.cfrun.client.CfRunException;

import java.util.List;

/** One readable line per error (no stack traces for users). */
final class Errors {
    private Errors() {
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        StringBuilder sb = new StringBuilder(m);
        if (e instanceof CfRunException c) {
            List<String> causes = c.likelyCauses();
            if (!causes.isEmpty()) {
                sb.append(" — likely causes: ").append(String.join("; ", causes));
            }
        }
        // messages quote server text: no control character (CR, ESC, …) or line separator may break the line
        for (int i = 0; i < sb.length(); i++) {
            char ch = sb.charAt(i);
            if (Character.isISOControl(ch) || ch == '\u2028' || ch == '\u2029') {
                sb.setCharAt(i, ' ');
            }
        }
        return sb.toString();
    }
}
