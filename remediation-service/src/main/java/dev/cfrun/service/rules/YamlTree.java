package dev.cfrun.service.rules;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document read into a small tree whose every node knows its line and column, so that the rules reader
 * can point at the value it refuses. Read with Jackson's YAML parser (SnakeYAML underneath) with bounds against
 * YAML bombs: anchors and aliases are refused (nothing is expanded), nesting is at most {@value #MAX_DEPTH}
 * deep, the document at most {@link RulesFile#MAX_BYTES} bytes, keys unique, one document only.
 */
final class YamlTree {
    /** Deeper than the rules format needs (4). */
    static final int MAX_DEPTH = 8;
    /** Nodes in one document: more than 1,000 rules of a few dozen values need. */
    static final int MAX_NODES = 200_000;

    private YamlTree() {
    }

    /** Where a node starts: 1-based line and column. */
    record Pos(int line, int column) {
        @Override
        public String toString() {
            return line + ":" + column;
        }
    }

    /** A node of the tree. */
    sealed interface Node permits Scalar, Seq, MapNode {
        /** @return where it starts */
        Pos pos();

        /** @return what it is, for messages: "a string", "a list", "a map"... */
        String kind();
    }

    /**
     * A scalar.
     *
     * @param text  its text as written (null: YAML's null)
     * @param token Jackson's token: VALUE_STRING, VALUE_NUMBER_INT, VALUE_TRUE...
     */
    record Scalar(String text, JsonToken token, Pos pos) implements Node {
        @Override
        public String kind() {
            return switch (token) {
                case VALUE_STRING -> "a string";
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
                case VALUE_TRUE, VALUE_FALSE -> "a boolean";
                case VALUE_NULL -> "null";
                default -> "a value";
            };
        }
    }

    /** A sequence. */
    record Seq(List<Node> items, Pos pos) implements Node {
        @Override
        public String kind() {
            return "a list";
        }
    }

    /** One key of a mapping, with where the key is written. */
    record Entry(String key, Pos keyPos, Node value) {
    }

    /** A mapping, in the document's order. */
    record MapNode(Map<String, Entry> entries, Pos pos) implements Node {
        @Override
        public String kind() {
            return "a map";
        }
    }

    /** The document cannot be read as YAML, or breaks a bound; the message is one line, with the position. */
    static final class YamlException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Pos pos;

        YamlException(Pos pos, String message) {
            super(message);
            this.pos = pos;
        }

        /** @return where, or null if unknown */
        Pos pos() {
            return pos;
        }
    }

    private static final YAMLFactory FACTORY = factory();

    private static YAMLFactory factory() {
        LoaderOptions lo = new LoaderOptions();
        lo.setAllowDuplicateKeys(false);
        lo.setMaxAliasesForCollections(0);
        lo.setAllowRecursiveKeys(false);
        lo.setNestingDepthLimit(MAX_DEPTH + 2);
        lo.setCodePointLimit(RulesFile.MAX_BYTES);
        return YAMLFactory.builder().loaderOptions(lo)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH + 2)
                        .maxDocumentLength(RulesFile.MAX_BYTES).maxStringLength(RulesFile.MAX_BYTES).build())
                .build();
    }

    /**
     * Reads one document.
     *
     * @param text the document
     * @return its root node, or null for an empty document
     * @throws YamlException if it is not YAML, has an anchor or alias, is too deep or too large, has a key twice,
     *                       a key that is not a plain scalar, or more than one document
     */
    static Node read(String text) throws YamlException {
        try (YAMLParser p = (YAMLParser) FACTORY.createParser(text)) {
            Reader r = new Reader(p);
            JsonToken t = r.next();
            if (t == null) {
                return null;
            }
            Node root = r.node(t, 1);
            if (r.next() != null) {
                throw new YamlException(r.pos(), "more than one YAML document (one only)");
            }
            return root;
        } catch (IOException | RuntimeException e) {
            throw fromJackson(e);
        }
    }

    private static YamlException fromJackson(Exception e) {
        if (e instanceof YamlHolder h) {
            return h.error;
        }
        Pos pos = null;
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException j) {
            msg = j.getOriginalMessage();
            JsonLocation l = j.getLocation();
            if (l != null && l.getLineNr() > 0) {
                pos = new Pos(l.getLineNr(), l.getColumnNr());
            }
        }
        // SnakeYAML's messages span lines (a snippet of the document with a caret): keep the first line
        String first = msg == null ? "unreadable" : msg.strip().lines().findFirst().orElse("unreadable").strip();
        return new YamlException(pos, "not valid YAML: " + first);
    }

    /** Carries a YamlException out of the walker (it throws IOException only). */
    private static final class YamlHolder extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient YamlException error;

        YamlHolder(YamlException error) {
            super(error.getMessage(), null, false, false);
            this.error = error;
        }
    }

    /** Walks the parser's tokens into nodes. */
    private static final class Reader {
        private final YAMLParser p;
        private int nodes;

        Reader(YAMLParser p) {
            this.p = p;
        }

        JsonToken next() throws IOException {
            return p.nextToken();
        }

        Pos pos() {
            JsonLocation l = p.currentTokenLocation();
            return new Pos(Math.max(l.getLineNr(), 1), Math.max(l.getColumnNr(), 1));
        }

        private YamlHolder error(String message) {
            return new YamlHolder(new YamlException(pos(), message));
        }

        Node node(JsonToken t, int depth) throws IOException {
            if (++nodes > MAX_NODES) {
                throw error("too many values (limit " + MAX_NODES + ")");
            }
            if (p.isCurrentAlias()) {
                throw error("YAML aliases (*name) are not allowed in the rules file");
            }
            if (p.getObjectId() != null) {
                throw error("YAML anchors (&name) are not allowed in the rules file");
            }
            Pos pos = pos();
            if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                if (depth > MAX_DEPTH) {
                    throw error("nested too deep (limit " + MAX_DEPTH + " levels)");
                }
                return t == JsonToken.START_OBJECT ? map(pos, depth) : seq(pos, depth);
            }
            return new Scalar(t == JsonToken.VALUE_NULL ? null : p.getText(), t, pos);
        }

        private Node seq(Pos pos, int depth) throws IOException {
            List<Node> items = new ArrayList<>();
            for (JsonToken t = next(); t != JsonToken.END_ARRAY; t = next()) {
                if (t == null) {
                    throw error("the document ends inside a list");
                }
                items.add(node(t, depth + 1));
            }
            return new Seq(Collections.unmodifiableList(items), pos);
        }

        private Node map(Pos pos, int depth) throws IOException {
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (JsonToken t = next(); t != JsonToken.END_OBJECT; t = next()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw error("expected a key");
                }
                if (p.isCurrentAlias() || p.getObjectId() != null) {
                    throw error("YAML anchors and aliases are not allowed in the rules file");
                }
                String key = p.currentName();
                Pos keyPos = pos();
                JsonToken v = next();
                if (v == null) {
                    throw error("the document ends inside a map");
                }
                Node value = node(v, depth + 1);
                if (entries.putIfAbsent(key, new Entry(key, keyPos, value)) != null) {
                    throw new YamlHolder(new YamlException(keyPos, "key \"" + Messages.clip(key)
                            + "\" appears twice (first at " + entries.get(key).keyPos() + ")"));
                }
            }
            return new MapNode(Collections.unmodifiableMap(entries), pos);
        }
    }
}
