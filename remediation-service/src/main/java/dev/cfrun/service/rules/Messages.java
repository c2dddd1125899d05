package dev.cfrun.service.rules;

/** Texts from the rules file or an alert, made fit for a one-line message. */
final class Messages {
    private static final int CLIP = 60;
    /** The longest error line. */
    static final int MAX_LINE = 400;

    private Messages() {
    }

    /**
     * A value for a message: control characters as '?', cut to 60 characters.
     *
     * @param s the value
     * @return the printable, bounded text
     */
    static String clip(String s) {
        return cut(s, CLIP);
    }

    /**
     * A message as one line: control characters as '?', cut to {@value #MAX_LINE} characters.
     *
     * @param s the message
     * @return the printable, bounded line
     */
    static String line(String s) {
        return cut(s, MAX_LINE);
    }

    private static String cut(String s, int max) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max + 3));
        for (int i = 0; i < s.length() && i < max; i++) {
            char c = s.charAt(i);
            sb.append(c < ' ' || c == 0x7f ? '?' : c);
        }
        return s.length() > max ? sb.append("...").toString() : sb.toString();
    }
}
