package dev.cfrun.client.internal.protocol;

import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.ReplyLine.Kind;
import dev.cfrun.client.internal.transport.Frames;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Classifies each transaction of cf-serverd's EXEC reply. Pure; never throws on any input. */
public final class ReplyClassifier {
    static final String COMMAND_PREFIX = "cf-serverd executing cfruncommand: ";
    static final String CF2_COMMAND_PREFIX = "cfservd Executing ";
    private static final Pattern EXIT = Pattern.compile("\\(exit code: (-?\\d{1,9})\\)\\s*");

    private ReplyClassifier() {
    }

    /** True for the end-of-reply marker (matched by prefix, as CFEngine does; the server adds a NUL). */
    public static boolean isTerminator(byte[] payload) {
        byte[] t = Frames.TERMINATOR_BYTES;
        if (payload.length < t.length) {
            return false;
        }
        for (int i = 0; i < t.length; i++) {
            if (payload[i] != t[i]) {
                return false;
            }
        }
        return true;
    }

    /** Classifies one payload (already decoded, trailing NUL removed). */
    public static ReplyLine classify(String raw) {
        if (raw.startsWith("BAD:")) {
            return new ReplyLine(Kind.REFUSAL, chompAll(raw.substring(4)).strip(), raw);
        }
        if (raw.startsWith("> ")) {
            return new ReplyLine(Kind.OUTPUT, chompOne(raw.substring(2)), raw);
        }
        if (raw.startsWith("(exit code:")) {
            Matcher m = EXIT.matcher(raw);
            if (m.matches()) {
                return new ReplyLine(Kind.EXIT_CODE, m.group(1), raw);
            }
        }
        if (raw.startsWith(COMMAND_PREFIX)) {
            return new ReplyLine(Kind.COMMAND, chompAll(raw.substring(COMMAND_PREFIX.length())), raw);
        }
        if (raw.startsWith(CF2_COMMAND_PREFIX)) {
            return new ReplyLine(Kind.COMMAND, chompAll(raw.substring(CF2_COMMAND_PREFIX.length())), raw);
        }
        return new ReplyLine(Kind.MESSAGE, chompAll(raw), raw);
    }

    /**
     * cfservd 2.x: the output comes without the {@code "> "} prefix and without an exit code, so the position
     * tells the server's lines from the agent's: only the first transaction can be the server's (a
     * {@code BAD:} refusal, a denial such as {@code Hello …, nothing relevant to do here...}, or
     * {@code cfservd Executing <command>}), and {@code Unable to run <command>} only right after the command
     * line. Every other line is agent output, verbatim (even one that looks like an exit code or a refusal).
     *
     * @param first            the first transaction of the reply
     * @param afterCommandLine the transaction right after {@code cfservd Executing …}
     */
    public static ReplyLine classifyCfengine2(String raw, boolean first, boolean afterCommandLine) {
        if (first || afterCommandLine) {
            ReplyLine l = classify(raw);
            boolean server = first
                    ? l.kind() == Kind.REFUSAL || (l.kind() == Kind.COMMAND && raw.startsWith(CF2_COMMAND_PREFIX))
                    || (l.kind() == Kind.MESSAGE && isDenial(l.text()))
                    : l.kind() == Kind.MESSAGE && l.text().startsWith("Unable to run");
            if (server) {
                return l;
            }
        }
        return new ReplyLine(Kind.OUTPUT, chompOne(raw), raw);
    }

    /** The texts cf-serverd / cfservd send instead of running anything. */
    public static boolean isDenial(String text) {
        return text.startsWith("EXEC denied") || text.contains("nothing relevant to do here")
                || text.startsWith("Unable to run") || text.startsWith("Exec request: no cfrunCommand")
                || text.startsWith("Command line too long with args:");
    }

    private static String chompOne(String s) {
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    private static String chompAll(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }
}
