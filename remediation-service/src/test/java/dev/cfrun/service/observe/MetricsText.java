package dev.cfrun.service.observe;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text format 0.0.4, for the tests: every line must be a {@code # HELP},
 * a {@code # TYPE} or a sample whose family was typed before; labels are read with their escapes.
 */
final class MetricsText {
    private static final Pattern SAMPLE = Pattern.compile(
            "([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (-?[0-9.eE+-]+|NaN|[+-]Inf)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** sample key ({@code name{a="x",b="y"}}, labels sorted) to value */
    final Map<String, Double> samples = new LinkedHashMap<>();
    /** family name to type */
    final Map<String, String> types = new HashMap<>();
    final Set<String> helped = new HashSet<>();

    static MetricsText parse(String text) {
        MetricsText m = new MetricsText();
        int n = 0;
        for (String line : text.split("\n", -1)) {
            n++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# HELP ")) {
                m.helped.add(line.split(" ", 4)[2]);
            } else if (line.startsWith("# TYPE ")) {
                String[] p = line.split(" ");
                if (p.length != 4) {
                    throw new AssertionError("line " + n + ": bad TYPE: " + line);
                }
                m.types.put(p[2], p[3]);
            } else {
                Matcher s = SAMPLE.matcher(line);
                if (!s.matches()) {
                    throw new AssertionError("line " + n + ": not a sample: " + line);
                }
                String name = s.group(1);
                if (m.family(name) == null) {
                    throw new AssertionError("line " + n + ": sample before its TYPE: " + line);
                }
                String key = key(name, labels(s.group(2) == null ? "" : s.group(2), n));
                if (m.samples.put(key, Double.parseDouble(s.group(3).replace("Inf", "Infinity"))) != null) {
                    throw new AssertionError("line " + n + ": repeated sample " + key);
                }
            }
        }
        return m;
    }

    private String family(String sample) {
        for (String suffix : new String[] {"", "_total", "_bucket", "_sum", "_count", "_created"}) {
            if (sample.endsWith(suffix)) {
                String f = sample.substring(0, sample.length() - suffix.length());
                if (types.containsKey(f)) {
                    return f;
                }
            }
        }
        return null;
    }

    private static Map<String, String> labels(String text, int n) {
        Map<String, String> out = new TreeMap<>();
        Matcher l = LABEL.matcher(text);
        int at = 0;
        while (at < text.length()) {
            if (!l.find(at) || l.start() != at) {
                throw new AssertionError("line " + n + ": bad labels: " + text);
            }
            out.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\n", "\n").replace("\\\\", "\\"));
            at = l.end();
        }
        return out;
    }

    static String key(String name, Map<String, String> labels) {
        if (labels.isEmpty()) {
            return name;
        }
        StringBuilder b = new StringBuilder(name).append('{');
        new TreeMap<>(labels).forEach((k, v) -> b.append(k).append("=\"").append(v).append("\","));
        b.setLength(b.length() - 1);
        return b.append('}').toString();
    }

    /** The value of a sample; fails if it is absent. */
    double value(String name, String... labelPairs) {
        Map<String, String> l = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            l.put(labelPairs[i], labelPairs[i + 1]);
        }
        Double v = samples.get(key(name, l));
        if (v == null) {
            throw new AssertionError("no sample " + key(name, l) + " in " + samples.keySet());
        }
        return v;
    }

    boolean has(String name) {
        return samples.keySet().stream().anyMatch(k -> k.equals(name) || k.startsWith(name + "{"));
    }
}
