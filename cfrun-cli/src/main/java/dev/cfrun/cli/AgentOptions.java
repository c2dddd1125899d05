package dev.cfrun.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Agent options as cfrun 2.x users write them (after {@code --}, or per host in cfrun.hosts), sorted into
 * what cf-serverd 3.x accepts — classes ({@code -D}) and bundles ({@code -b}) — and the rest, which only a
 * CFEngine 2 cfservd takes.
 */
public record AgentOptions(List<String> classes, List<String> bundles, List<String> other) {

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
                throw new IllegalArgumentException("agent option " + w + " needs a value");
            }
            for (String v : value.split(",")) {
                if (!v.isBlank()) {
                    into.add(v.strip());
                }
            }
        }
        return new AgentOptions(classes, bundles, other);
    }
}
