package dev.cfrun.service.rules;

import dev.cfrun.client.ClassNames;
import dev.cfrun.service.Durations;
import dev.cfrun.service.rules.YamlTree.Entry;
import dev.cfrun.service.rules.YamlTree.MapNode;
import dev.cfrun.service.rules.YamlTree.Node;
import dev.cfrun.service.rules.YamlTree.Pos;
import dev.cfrun.service.rules.YamlTree.Scalar;
import dev.cfrun.service.rules.YamlTree.Seq;
import dev.cfrun.service.store.Bounds;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads and checks a rules file (YAML), reporting every error with its line and column:
 * <pre>
 * rules:
 *   - name: restart-web              # required, unique
 *     matchers: ['alertname="WebDown"', 'severity=~"critical|page"', 'env!="dev"']
 *     host: '{{ .Labels.cfrun_host }}'   # default: label cfrun_host, else instance's host
 *     port: '{{ .Labels.cfrun_port }}'   # default: label cfrun_port, else 5308
 *     classes: ['alert_{{ .Labels.alertname }}', 'web_restart']   # default: alert_&lt;alertname&gt;
 *     bundles: ['restart_web']
 *     on_resolved: ignore                # ignore (default) | run
 *     cooldown: 10m                      # default: the service's
 *     action: run                        # run (default) | skip
 * </pre>
 * Bounded: at most {@value #MAX_BYTES} bytes, {@value #MAX_RULES} rules, {@value #MAX_LIST} entries per list,
 * no YAML anchors or aliases, nesting at most {@value YamlTree#MAX_DEPTH} deep.
 */
public final class RulesFile {
    /** The largest file read: 1 MiB. */
    public static final int MAX_BYTES = 1 << 20;
    /** The most rules in one file. */
    public static final int MAX_RULES = 1000;
    /** The most entries of one list (matchers, classes, bundles). */
    public static final int MAX_LIST = 64;
    /** Errors reported at most; beyond, one line says how many more. */
    static final int MAX_ERRORS = 100;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}");
    private static final List<String> RULE_FIELDS = List.of("name", "matchers", "host", "port", "classes", "bundles",
            "on_resolved", "cooldown", "action");
    private static final Set<String> ALERTMANAGER_OLD = Set.of("match", "match_re");

    private RulesFile() {
    }

    /**
     * Reads and checks a rules file.
     *
     * @param file the file; errors name it as given
     * @return the rules
     * @throws RulesException listing every error found, one line each
     */
    public static RuleSet load(Path file) throws RulesException {
        String name = file.toString();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new RulesException(List.of(name + ": cannot read: no such file"));
        } catch (AccessDeniedException e) {
            throw new RulesException(List.of(name + ": cannot read: permission denied"));
        } catch (IOException e) {
            throw new RulesException(List.of(name + ": cannot read: " + oneLine(e)));
        }
        return parse(name, bytes);
    }

    /**
     * Checks rules given as bytes.
     *
     * @param name    the file's name, for the errors
     * @param content the YAML text, UTF-8
     * @return the rules
     * @throws RulesException listing every error found, one line each
     */
    public static RuleSet parse(String name, byte[] content) throws RulesException {
        if (content.length > MAX_BYTES) {
            throw new RulesException(List.of(name + ": larger than " + MAX_BYTES + " bytes"));
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            throw new RulesException(List.of(name + ": not UTF-8 text"));
        }
        Node root;
        try {
            root = YamlTree.read(text);
        } catch (YamlTree.YamlException e) {
            throw new RulesException(List.of(name + ":" + (e.pos() == null ? "" : e.pos() + ":") + " "
                    + oneLine(e)));
        }
        Reader r = new Reader(name);
        List<Rule> rules = r.file(root);
        List<String> errors = r.errors();
        if (!errors.isEmpty()) {
            if (errors.size() > MAX_ERRORS) {
                int more = errors.size() - MAX_ERRORS;
                errors.subList(MAX_ERRORS, errors.size()).clear();
                errors.add(name + ": " + more + " more errors not shown");
            }
            throw new RulesException(errors);
        }
        return new RuleSet(name, rules);
    }

    /**
     * {@code --check-rules}: checks a file and prints a summary (like {@code promtool check rules}).
     *
     * @param file the rules file
     * @param out  the summary: one line for the file, one per rule
     * @param err  the errors, one line each
     * @return 0 if the file is valid, 1 if not
     */
    public static int check(Path file, PrintStream out, PrintStream err) {
        try {
            RuleSet rules = load(file);
            out.println(file + ": " + rules.size() + (rules.size() == 1 ? " rule" : " rules") + ", valid");
            for (String line : rules.summary()) {
                out.println("  " + line);
            }
            return 0;
        } catch (RulesException e) {
            e.errors().forEach(err::println);
            err.println(file + ": " + e.errors().size() + (e.errors().size() == 1 ? " error" : " errors")
                    + ", not valid");
            return 1;
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("[\\r\\n\\t]+", " ").strip();
    }

    /** Walks the tree, collecting every error. */
    private static final class Reader {
        private final String file;
        private final List<Found> found = new ArrayList<>();

        /** An error and where. */
        private record Found(Pos pos, String line) {
        }

        Reader(String file) {
            this.file = file;
        }

        void error(Pos pos, String path, String message) {
            found.add(new Found(pos, file + ":" + pos + ": " + (path.isEmpty() ? "" : path + ": ") + message));
        }

        /** The errors in the order of the file (stable: errors at one place keep the order they were found in). */
        List<String> errors() {
            return found.stream().sorted(Comparator.comparingInt((Found f) -> f.pos().line())
                    .thenComparingInt(f -> f.pos().column())).map(Found::line).collect(Collectors.toCollection(
                    ArrayList::new));
        }

        List<Rule> file(Node root) {
            if (root == null) {
                found.add(new Found(new Pos(0, 0), file + ": empty (write rules: followed by a list of rules)"));
                return List.of();
            }
            if (!(root instanceof MapNode map)) {
                error(root.pos(), "", "expected a map with the key rules, got " + root.kind());
                return List.of();
            }
            for (Entry e : map.entries().values()) {
                if (!e.key().equals("rules")) {
                    error(e.keyPos(), "", "unknown key \"" + Messages.clip(e.key()) + "\" (known: rules)");
                }
            }
            Entry rules = map.entries().get("rules");
            if (rules == null) {
                error(root.pos(), "", "missing the key rules");
                return List.of();
            }
            if (!(rules.value() instanceof Seq seq)) {
                error(rules.value().pos(), "rules", "expected a list of rules, got " + rules.value().kind());
                return List.of();
            }
            if (seq.items().size() > MAX_RULES) {
                error(seq.pos(), "rules", "too many rules (" + seq.items().size() + ", limit " + MAX_RULES + ")");
                return List.of();
            }
            List<Rule> out = new ArrayList<>();
            Map<String, String> names = new HashMap<>();
            for (int i = 0; i < seq.items().size(); i++) {
                Rule r = rule(seq.items().get(i), "rules[" + i + "]", names);
                if (r != null) {
                    out.add(r);
                }
            }
            return out;
        }

        /** A rule, or null after an error; its name goes into names (name → where) even then. */
        private Rule rule(Node node, String path, Map<String, String> names) {
            if (!(node instanceof MapNode m)) {
                error(node.pos(), path, "expected a rule (a map with name, matchers, ...), got " + node.kind());
                return null;
            }
            int before = found.size();
            for (Entry e : m.entries().values()) {
                if (ALERTMANAGER_OLD.contains(e.key())) {
                    error(e.keyPos(), path, "unknown field \"" + e.key() + "\" (Alertmanager's old form: write "
                            + "matchers: ['name=\"value\"', 'name=~\"regex\"'])");
                } else if (!RULE_FIELDS.contains(e.key())) {
                    error(e.keyPos(), path, "unknown field \"" + Messages.clip(e.key()) + "\" (known: "
                            + String.join(", ", RULE_FIELDS) + ")");
                }
            }
            Map<String, Entry> f = m.entries();
            String name = name(f.get("name"), m.pos(), path);
            if (name != null) {
                String first = names.putIfAbsent(name, path + " (line " + m.pos().line() + ")");
                if (first != null) {
                    error(f.get("name").value().pos(), path + ".name", "\"" + name + "\" is also the name of "
                            + first + " (names are unique)");
                }
            }
            List<Matcher> matchers = matchers(f.get("matchers"), path + ".matchers");
            Template host = template(f.get("host"), path + ".host");
            Template port = template(f.get("port"), path + ".port");
            List<Template> classes = f.containsKey("classes") ? names(f.get("classes"), path + ".classes", true)
                    : null;
            List<Template> bundles = f.containsKey("bundles") ? names(f.get("bundles"), path + ".bundles", false)
                    : List.of();
            String onResolved = choice(f.get("on_resolved"), path + ".on_resolved", "ignore", "run");
            Duration cooldown = cooldown(f.get("cooldown"), path + ".cooldown");
            String action = choice(f.get("action"), path + ".action", "run", "skip");
            if (found.size() > before || name == null) {
                return null;
            }
            return new Rule(name, m.pos().line(), matchers, host, port, classes, bundles, onResolved.equals("run"),
                    cooldown, action.equals("skip"));
        }

        /** A scalar's text (strings and numbers), or null after an error. */
        private String text(Node n, String path) {
            if (n instanceof Scalar s && s.text() != null && switch (s.token()) {
                case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> true;
                default -> false;
            }) {
                return s.text();
            }
            error(n.pos(), path, "expected a string, got " + n.kind());
            return null;
        }

        private String name(Entry e, Pos rulePos, String path) {
            if (e == null) {
                error(rulePos, path, "missing the field name");
                return null;
            }
            String s = text(e.value(), path + ".name");
            if (s != null && !NAME.matcher(s).matches()) {
                error(e.value().pos(), path + ".name", "\"" + Messages.clip(s) + "\" is not a rule name (letters, "
                        + "digits, '_', '.', ':', '-', starting with a letter or digit, at most 128 characters)");
                return null;
            }
            return s;
        }

        private List<Matcher> matchers(Entry e, String path) {
            if (e == null) {
                return List.of();
            }
            List<Matcher> out = new ArrayList<>();
            List<Scalar> items = list(e.value(), path);
            for (int i = 0; i < items.size(); i++) {
                String s = text(items.get(i), path + "[" + i + "]");
                if (s == null) {
                    continue;
                }
                try {
                    out.addAll(Matcher.parseAll(s));
                } catch (InvalidRule x) {
                    error(items.get(i).pos(), path + "[" + i + "]", x.getMessage());
                }
            }
            return out;
        }

        /** The scalars of a list of at most MAX_LIST entries; empty after an error. */
        private List<Scalar> list(Node n, String path) {
            if (!(n instanceof Seq seq)) {
                error(n.pos(), path, "expected a list, got " + n.kind());
                return List.of();
            }
            if (seq.items().size() > MAX_LIST) {
                error(n.pos(), path, "too many entries (" + seq.items().size() + ", limit " + MAX_LIST + ")");
                return List.of();
            }
            List<Scalar> out = new ArrayList<>();
            for (int i = 0; i < seq.items().size(); i++) {
                Node item = seq.items().get(i);
                if (item instanceof Scalar s) {
                    out.add(s);
                } else {
                    error(item.pos(), path + "[" + i + "]", "expected a string, got " + item.kind());
                }
            }
            return out;
        }

        private Template template(Entry e, String path) {
            if (e == null) {
                return null;
            }
            String s = text(e.value(), path);
            return s == null ? null : template(s, e.value().pos(), path);
        }

        private Template template(String s, Pos pos, String path) {
            try {
                Template t = Template.parse(s);
                if (t.text().isBlank()) {
                    error(pos, path, "empty");
                    return null;
                }
                return t;
            } catch (InvalidRule x) {
                error(pos, path, x.getMessage());
                return null;
            }
        }

        /** Classes (canonified when filled) or bundles (checked as cf-serverd does). */
        private List<Template> names(Entry e, String path, boolean classes) {
            List<Template> out = new ArrayList<>();
            List<Scalar> items = list(e.value(), path);
            for (int i = 0; i < items.size(); i++) {
                String at = path + "[" + i + "]";
                String s = text(items.get(i), at);
                Template t = s == null ? null : template(s, items.get(i).pos(), at);
                if (t == null) {
                    continue;
                }
                if (t.isLiteral()) {
                    String name = classes ? ClassNames.canonify(s) : s;
                    try {
                        ClassNames.check(name, classes ? "class" : "bundle");
                    } catch (IllegalArgumentException x) {
                        error(items.get(i).pos(), at, x.getMessage());
                        continue;
                    }
                }
                out.add(t);
            }
            return out;
        }

        private String choice(Entry e, String path, String dflt, String other) {
            if (e == null) {
                return dflt;
            }
            String s = text(e.value(), path);
            if (s != null && !s.equals(dflt) && !s.equals(other)) {
                error(e.value().pos(), path, "\"" + Messages.clip(s) + "\": expected " + dflt + " or " + other);
            }
            return s;
        }

        private Duration cooldown(Entry e, String path) {
            if (e == null) {
                return null;
            }
            String s = text(e.value(), path);
            if (s == null) {
                return null;
            }
            try {
                Duration d = Durations.parse(s);
                if (d.compareTo(Bounds.MAX_COOLDOWN) > 0) {
                    error(e.value().pos(), path, s + " is longer than " + Durations.format(Bounds.MAX_COOLDOWN));
                    return null;
                }
                return d;
            } catch (IllegalArgumentException x) {
                error(e.value().pos(), path, x.getMessage());
                return null;
            }
        }
    }
}
