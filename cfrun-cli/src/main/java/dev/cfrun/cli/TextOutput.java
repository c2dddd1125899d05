package dev.cfrun.cli;

import dev.cfrun.client.ReplyLine;

/**
 * cf-runagent's text output, byte for byte: every reply line is prefixed with the server's numeric address
 * and {@code "> "}; agent output gets {@code "-> "}, refusals {@code "!! "}; a newline is added where the
 * server's line has none (so {@code BAD:} refusals are followed by an empty line, as with cf-runagent).
 */
public final class TextOutput {
    private TextOutput() {
    }

    public static String format(String address, ReplyLine line) {
        String raw = line.raw();
        int nul = raw.indexOf('\0');
        if (nul >= 0) {
            raw = raw.substring(0, nul); // C strings end at the first NUL
        }
        StringBuilder sb = new StringBuilder(address.length() + raw.length() + 8);
        if (raw.startsWith("BAD:")) {
            sb.append(address).append("> !! ").append(raw, 4, raw.length()).append('\n');
        } else if (raw.startsWith("> ")) {
            sb.append(address).append("> -> ").append(raw, 2, raw.length());
        } else {
            sb.append(address).append("> ").append(raw);
        }
        if (!raw.isEmpty() && raw.charAt(raw.length() - 1) != '\n') {
            sb.append('\n');
        }
        return sb.toString();
    }
}
