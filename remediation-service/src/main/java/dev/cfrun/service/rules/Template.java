package dev.cfrun.service.rules;

import dev.cfrun.service.ingest.Alert;
import dev.cfrun.service.ingest.AlertStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A value of the rules file with Go-template-like references to the alert, and nothing else: literal text and
 * {@code {{ .Labels.NAME }}}, {@code {{ .Annotations.NAME }}}, {@code {{ .Status }}} ({@code firing} or
 * {@code resolved}); Go's {@code {{-} and {@code -}}} trim the spaces before and after. Nothing is evaluated
 * (no functions, pipelines or code), a reference to a label the alert does not have is an error at run time
 * (never Go's {@code <no value>}), and the output is at most {@value #MAX_OUTPUT} characters (immutable).
 */
final class Template {
    /** The longest template text accepted. */
    static final int MAX_TEXT = 1024;
    /** The longest output: a CFEngine name's length. */
    static final int MAX_OUTPUT = 1024;
    private static final Pattern REF = Pattern.compile("\\.(Labels|Annotations)\\.([a-zA-Z_][a-zA-Z0-9_]*)|\\.Status");

    /** A piece: literal text (ref null), or a reference to a label, an annotation or the status. */
    private record Part(String literal, String kind, String name) {
    }

    private final String text;
    private final List<Part> parts;

    private Template(String text, List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    /** @return whether it has no reference (its text is its output) */
    boolean isLiteral() {
        return parts.stream().allMatch(p -> p.kind() == null);
    }

    /** @return the template as written */
    String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * Parses a template.
     *
     * @param text the value from the rules file
     * @return the template
     * @throws InvalidRule if it is too long, has an unclosed or empty {@code {{ }}}, or anything inside
     *                           other than the three references
     */
    static Template parse(String text) throws InvalidRule {
        if (text.length() > MAX_TEXT) {
            throw new InvalidRule("longer than " + MAX_TEXT + " characters");
        }
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf("{{", i);
            if (open < 0) {
                lit.append(text, i, text.length());
                break;
            }
            lit.append(text, i, open);
            int close = text.indexOf("}}", open + 2);
            if (close < 0) {
                throw new InvalidRule("\"{{\" at character " + (open + 1) + " is not closed by \"}}\"");
            }
            String inner = text.substring(open + 2, close);
            int next = close + 2;
            if (inner.startsWith("- ") || inner.startsWith("-\t") || inner.equals("-")) {
                inner = inner.substring(1);
                trimEnd(lit);
            }
            if (inner.endsWith(" -") || inner.endsWith("\t-")) {
                inner = inner.substring(0, inner.length() - 1);
                while (next < text.length() && Character.isWhitespace(text.charAt(next))) {
                    next++;
                }
            }
            String ref = inner.strip();
            java.util.regex.Matcher m = REF.matcher(ref);
            if (!m.matches()) {
                throw new InvalidRule("{{" + Messages.clip(inner) + "}} at character " + (open + 1)
                        + ": only {{ .Labels.NAME }}, {{ .Annotations.NAME }} and {{ .Status }} are allowed");
            }
            if (!lit.isEmpty()) {
                parts.add(new Part(lit.toString(), null, null));
                lit.setLength(0);
            }
            parts.add(m.group(1) == null ? new Part(null, "Status", null) : new Part(null, m.group(1), m.group(2)));
            i = next;
        }
        if (!lit.isEmpty()) {
            parts.add(new Part(lit.toString(), null, null));
        }
        return new Template(text, parts);
    }

    private static void trimEnd(StringBuilder sb) {
        int n = sb.length();
        while (n > 0 && Character.isWhitespace(sb.charAt(n - 1))) {
            n--;
        }
        sb.setLength(n);
    }

    /**
     * Fills the template from an alert.
     *
     * @param a the alert
     * @return the text
     * @throws Undecided if the alert lacks a referenced label or annotation, or the output would be longer than
     *                  {@value #MAX_OUTPUT} characters
     */
    String render(Alert a) throws Undecided {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            String v;
            if (p.kind() == null) {
                v = p.literal();
            } else if (p.kind().equals("Status")) {
                v = a.status() == AlertStatus.RESOLVED ? "resolved" : "firing";
            } else {
                Map<String, String> from = p.kind().equals("Labels") ? a.labels() : a.annotations();
                v = from.get(p.name());
                if (v == null) {
                    throw new Undecided("no " + (p.kind().equals("Labels") ? "label " : "annotation ") + p.name());
                }
            }
            if (sb.length() + v.length() > MAX_OUTPUT) {
                throw new Undecided("longer than " + MAX_OUTPUT + " characters");
            }
            sb.append(v);
        }
        return sb.toString();
    }
}
