package dev.cfrun.service.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One label matcher in Alertmanager's syntax: {@code name="value"}, {@code name!="value"}, {@code name=~"regex"},
 * {@code name!~"regex"}; the value quoted (escapes {@code \"}, {@code \\}, {@code \n}) or bare, spaces around
 * the operator allowed. As in Alertmanager a missing label is the empty value, and a regex must match the whole
 * value (it is anchored at both ends). Regexes are compiled at load with {@link java.util.regex}, refusing what
 * RE2 (Alertmanager's engine) does not have — back-references, look-around, atomic groups, possessive
 * quantifiers — and each match has a step budget, so a regex that backtracks without end gives up instead of
 * holding a thread (immutable, thread-safe).
 */
final class Matcher {
    /** The longest value or regex accepted. */
    static final int MAX_VALUE = 1024;
    /** Character reads one regex match may do before it gives up. */
    static final int MATCH_BUDGET = 10_000_000;
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    /** The four operators. */
    enum Op {
        EQ("="), NE("!="), RE("=~"), NRE("!~");

        final String text;

        Op(String text) {
            this.text = text;
        }

        static Op of(String s) {
            for (Op o : values()) {
                if (o.text.equals(s)) {
                    return o;
                }
            }
            return null;
        }
    }

    private final String name;
    private final Op op;
    private final String value;
    private final Pattern regex;
    private final int budget;

    private Matcher(String name, Op op, String value, Pattern regex, int budget) {
        this.name = name;
        this.op = op;
        this.value = value;
        this.regex = regex;
        this.budget = budget;
    }

    /** @return the label name */
    String name() {
        return name;
    }

    /** @return the value or regex, unquoted */
    String value() {
        return value;
    }

    /**
     * Parses one entry of a {@code matchers} list as Alertmanager does: one matcher, or several separated by
     * commas, optionally in braces ({@code {a="b", c=~"d"}}).
     *
     * @param text the entry
     * @return its matchers, at least one
     * @throws InvalidRule saying what is wrong
     */
    static List<Matcher> parseAll(String text) throws InvalidRule {
        return parseAll(text, MATCH_BUDGET);
    }

    /**
     * As {@link #parseAll(String)}, with another step budget (the fuzz test's is smaller).
     *
     * @param text   the entry
     * @param budget character reads one regex match may do
     * @return its matchers
     * @throws InvalidRule saying what is wrong
     */
    static List<Matcher> parseAll(String text, int budget) throws InvalidRule {
        String s = text.strip();
        if (s.startsWith("{")) {
            if (!s.endsWith("}")) {
                throw new InvalidRule("missing the closing '}'");
            }
            s = s.substring(1, s.length() - 1);
        }
        List<Matcher> out = new ArrayList<>();
        for (String part : split(s)) {
            if (part.isBlank()) {
                continue;
            }
            out.add(parse(part, budget));
        }
        if (out.isEmpty()) {
            throw new InvalidRule("no matcher (write name=\"value\")");
        }
        return out;
    }

    /** Splits at commas outside double quotes (a backslash escapes the next character inside them). */
    private static List<String> split(String s) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        boolean escaped = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (escaped) {
                escaped = false;
            } else if (c == '\\' && quoted) {
                escaped = true;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /**
     * Parses one matcher.
     *
     * @param text e.g. {@code severity=~"critical|page"}
     * @return the matcher, its regex compiled
     * @throws InvalidRule saying what is wrong
     */
    static Matcher parse(String text) throws InvalidRule {
        return parse(text, MATCH_BUDGET);
    }

    private static Matcher parse(String text, int budget) throws InvalidRule {
        String s = text.strip();
        int i = 0;
        while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == ':')) {
            i++;
        }
        String name = s.substring(0, i);
        if (name.isEmpty() || !NAME.matcher(name).matches()) {
            throw new InvalidRule(name.isEmpty() ? "no label name in \"" + Messages.clip(s) + "\""
                    : "invalid label name \"" + Messages.clip(name) + "\"");
        }
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        int opStart = i;
        while (i < s.length() && i - opStart < 3 && "=!~<>".indexOf(s.charAt(i)) >= 0) {
            i++;
        }
        String opText = s.substring(opStart, i);
        Op op = Op.of(opText);
        if (op == null) {
            throw new InvalidRule(opText.isEmpty() ? "no operator after label " + name + " (use =, !=, =~ or !~)"
                    : "unknown operator \"" + opText + "\" (use =, !=, =~ or !~)");
        }
        String value = value(s.substring(i).strip());
        if (value.length() > MAX_VALUE) {
            throw new InvalidRule("value longer than " + MAX_VALUE + " characters");
        }
        Pattern regex = null;
        if (op == Op.RE || op == Op.NRE) {
            regex = compile(value);
        }
        return new Matcher(name, op, value, regex, budget);
    }

    /** A quoted value unquoted (Alertmanager's escapes), or a bare value as it is. */
    private static String value(String raw) throws InvalidRule {
        if (!raw.startsWith("\"")) {
            if (raw.indexOf('"') >= 0) {
                throw new InvalidRule("unbalanced double quote in value " + Messages.clip(raw));
            }
            return raw;
        }
        if (raw.length() < 2 || !raw.endsWith("\"")) {
            throw new InvalidRule("missing the closing double quote in value " + Messages.clip(raw));
        }
        String body = raw.substring(1, raw.length() - 1);
        StringBuilder sb = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\\' && i + 1 < body.length()) {
                char n = body.charAt(++i);
                switch (n) {
                    case 'n' -> sb.append('\n');
                    case '"', '\\' -> sb.append(n);
                    default -> sb.append('\\').append(n);
                }
            } else if (c == '"') {
                throw new InvalidRule("unescaped double quote in value " + Messages.clip(raw)
                        + " (write \\\")");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Compiles a regex after refusing the constructs RE2 does not have. */
    static Pattern compile(String re) throws InvalidRule {
        String bad = notRe2(re);
        if (bad != null) {
            throw new InvalidRule("regex \"" + Messages.clip(re) + "\": " + bad
                    + " (not in RE2, Alertmanager's regex syntax)");
        }
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw new InvalidRule("regex \"" + Messages.clip(re) + "\" does not compile: "
                    + e.getDescription() + " near index " + e.getIndex());
        }
    }

    /** What of Java's regex syntax beyond RE2's the text uses, or null. */
    private static String notRe2(String re) {
        boolean inClass = false;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                if (i + 1 < re.length()) {
                    char n = re.charAt(i + 1);
                    if (!inClass && ((n >= '1' && n <= '9') || n == 'k')) {
                        return "back-reference \\" + n;
                    }
                }
                i++;
            } else if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
            } else if (c == '[') {
                inClass = true;
                if (i + 1 < re.length() && re.charAt(i + 1) == '^') {
                    i++;
                }
                if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
                    i++; // a leading ']' is literal
                }
            } else if (c == '(' && re.startsWith("(?", i)) {
                String rest = re.substring(i + 2, Math.min(re.length(), i + 4));
                if (rest.startsWith("=") || rest.startsWith("!") || rest.startsWith("<=") || rest.startsWith("<!")) {
                    return "look-around (?" + rest.charAt(0) + "...)";
                }
                if (rest.startsWith(">")) {
                    return "atomic group (?>...)";
                }
            } else if (c == '+' && i > 0 && "*+?}".indexOf(re.charAt(i - 1)) >= 0 && !escapedAt(re, i - 1)) {
                return "possessive quantifier " + re.charAt(i - 1) + "+";
            }
        }
        return null;
    }

    private static boolean escapedAt(String s, int i) {
        int n = 0;
        for (int j = i - 1; j >= 0 && s.charAt(j) == '\\'; j--) {
            n++;
        }
        return n % 2 == 1;
    }

    /**
     * Whether the labels satisfy this matcher (a missing label counts as the empty value).
     *
     * @param labels an alert's labels
     * @return the answer
     * @throws Undecided if the regex ran out of its step budget or of stack
     */
    boolean matches(Map<String, String> labels) throws Undecided {
        String v = labels.getOrDefault(name, "");
        return switch (op) {
            case EQ -> v.equals(value);
            case NE -> !v.equals(value);
            case RE -> regexMatches(v);
            case NRE -> !regexMatches(v);
        };
    }

    /** java.util.regex recurses per repetition of some groups: a long value can overflow the stack. */
    private boolean regexMatches(String v) throws Undecided {
        try {
            return regex.matcher(new Budgeted(v, budget)).matches();
        } catch (Budgeted.Spent e) {
            throw new Undecided("the regex gave up after " + budget + " steps");
        } catch (StackOverflowError e) {
            throw new Undecided("the regex recursed too deep on a value of " + v.length() + " characters");
        }
    }

    @Override
    public String toString() {
        return name + op.text + "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** A text that counts the reads of the regex engine and stops it beyond the budget. */
    private static final class Budgeted implements CharSequence {
        /** Thrown out of the regex engine when the budget is spent. */
        static final class Spent extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Spent() {
                super(null, null, false, false);
            }
        }

        private final String s;
        private int left;

        Budgeted(String s, int budget) {
            this.s = s;
            left = budget;
        }

        @Override
        public char charAt(int index) {
            if (--left < 0) {
                throw new Spent();
            }
            return s.charAt(index);
        }

        @Override
        public int length() {
            return s.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return s.subSequence(start, end);
        }

        @Override
        public String toString() {
            return s;
        }
    }
}
