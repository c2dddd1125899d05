package dev.cfrun.client.hosts;

import java.util.ArrayList;
import java.util.List;

/**
 * Agent options as cfrun 2.x users write them (after {@code --}, or per host in cfrun.hosts), sorted into
 * what cf-serverd 3.x accepts — classes ({@code -D}) and bundles ({@code -b}) — and the rest, which only a
 * CFEngine 2 cfservd takes. Immutable. {@link #requireCfengine3(String, String)} is the one place that states
 * the rule "cf-serverd 3.x accepts only -D and -b"; the library's request builder uses it too.
 *
 * @param classes classes to define ({@code -D a,b}, {@code -Da}, {@code --define[=]a}, {@code --define-class[=]a})
 * @param bundles the bundle sequence ({@code -b x,y}, {@code --bundlesequence[=]x})
 * @param other   every other word, in order (only a CFEngine 2 cfservd takes them)
 */
public record AgentOptions(List<String> classes, List<String> bundles, List<String> other) {
    private static final String CFENGINE3_RULE = "cf-serverd 3.x accepts only -D classes and -b bundles";

    /**
     * Copies the lists: the options are immutable.
     *
     * @param classes classes to define
     * @param bundles the bundle sequence
     * @param other   every other word, in order
     */
    public AgentOptions {
        classes = List.copyOf(classes);
        bundles = List.copyOf(bundles);
        other = List.copyOf(other);
    }

    /**
     * Sorts words into classes, bundles and the rest; comma lists are split and stripped, empty items dropped.
     *
     * @param words the options word by word, as a shell splits them (e.g. {@code -D}, {@code a,b}, {@code -v})
     * @return the options sorted into classes, bundles and the rest
     * @throws AgentOptionException for {@code -D} or {@code -b} without a value
     */
    public static AgentOptions parse(List<String> words) {
        List<String> classes = new ArrayList<>();
        List<String> bundles = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            String value = null;
            List<String> into = null;
            if (w.equals("-D") || w.equals("--define") || w.equals("--define-class")) {
                into = classes;
                value = i + 1 < words.size() ? words.get(++i) : null;
            } else if (w.startsWith("-D") && w.length() > 2) {
                into = classes;
                value = w.substring(2);
            } else if (w.startsWith("--define=") || w.startsWith("--define-class=")) {
                into = classes;
                value = w.substring(w.indexOf('=') + 1);
            } else if (w.equals("-b") || w.equals("--bundlesequence")) {
                into = bundles;
                value = i + 1 < words.size() ? words.get(++i) : null;
            } else if (w.startsWith("--bundlesequence=")) {
                into = bundles;
                value = w.substring(w.indexOf('=') + 1);
            } else {
                other.add(w);
                continue;
            }
            if (value == null || value.isEmpty()) {
                throw new AgentOptionException("agent option " + w + " needs a value");
            }
            for (String v : value.split(",")) {
                if (!v.isBlank()) {
                    into.add(v.strip());
                }
            }
        }
        return new AgentOptions(classes, bundles, other);
    }

    /**
     * Checks that these options can be sent to cf-serverd 3.x, which accepts only {@code -D} and {@code -b}.
     *
     * @param origin where the options were written (e.g. {@code cfrun.hosts:3}, {@code after --}), or null
     * @param remedy what the user can do instead, shown in parentheses (e.g. an option to name a CFEngine 2
     *               server), or null
     * @return these options, when {@link #other()} is empty
     * @throws AgentOptionException naming the other options, their origin and the rule
     */
    public AgentOptions requireCfengine3(String origin, String remedy) {
        if (!other.isEmpty()) {
            throw notForCfengine3(other, origin, remedy);
        }
        return this;
    }

    /**
     * The error for options that only a CFEngine 2 cfservd takes, sent to cf-serverd 3.x (see
     * {@link #requireCfengine3(String, String)}): for callers that hold such options as they are.
     *
     * @param options the options cf-serverd 3.x does not accept
     * @param origin  where the options were written, or null
     * @param remedy  what the user can do instead, or null
     * @return the exception, for the caller to throw
     */
    public static AgentOptionException notForCfengine3(List<String> options, String origin, String remedy) {
        return new AgentOptionException("agent options " + options + (origin == null ? "" : " (" + origin + ")")
                + " can only be sent to a CFEngine 2 cfservd: " + CFENGINE3_RULE
                + (remedy == null ? "" : " (" + remedy + ")"));
    }
}
