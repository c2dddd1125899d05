package dev.cfrun.cli;

import dev.cfrun.client.HostAddress;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A {@code cfrun.hosts} file, as CFEngine 2's cfrun reads it:
 * <pre>
 * # comment
 * domain = example.com          appended to host names without a dot
 * maxchild = 10                 parallel runs (cfrun: forked children; default 1 = serial)
 * outputdir = /var/log/cfrun    one output file per host
 * include = other.hosts         read another hosts file (relative to this one)
 * hostnamekeys = true           name server keys root-&lt;hostname&gt;.pub instead of root-&lt;ip&gt;.pub
 * web1                          a host ...
 * web2:5309 -D webserver        ... with a port and per-host agent options
 * </pre>
 * {@code access}, {@code outputlevel} and {@code bindtointerface} are accepted and reported as not used.
 * Parsing is bounded (file size, line length, include depth and cycles, number of hosts) and every
 * error names the file and line.
 */
public final class HostsFile {
    static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
    static final int MAX_LINE = 4096;
    static final int MAX_INCLUDE_DEPTH = 8;
    static final int MAX_HOSTS = 100_000;

    /** One host line. */
    public record Entry(HostAddress address, String name, List<String> options, Path file, int line) {
        public Entry {
            options = List.copyOf(options);
        }
    }

    /** A problem in a hosts file, with its place. */
    public static final class HostsFileException extends Exception {
        private static final long serialVersionUID = 1L;

        HostsFileException(String message) {
            super(message);
        }
    }

    private final List<Entry> entries;
    private final String domain;
    private final Integer maxChild;
    private final Path outputDir;
    private final boolean hostnameKeys;
    private final List<String> notes;

    private HostsFile(List<Entry> entries, String domain, Integer maxChild, Path outputDir, boolean hostnameKeys,
                      List<String> notes) {
        this.entries = List.copyOf(entries);
        this.domain = domain;
        this.maxChild = maxChild;
        this.outputDir = outputDir;
        this.hostnameKeys = hostnameKeys;
        this.notes = List.copyOf(notes);
    }

    public List<Entry> entries() {
        return entries;
    }

    public Optional<String> domain() {
        return Optional.ofNullable(domain);
    }

    public OptionalInt maxChild() {
        return maxChild == null ? OptionalInt.empty() : OptionalInt.of(maxChild);
    }

    public Optional<Path> outputDir() {
        return Optional.ofNullable(outputDir);
    }

    public boolean hostnameKeys() {
        return hostnameKeys;
    }

    /** Settings that were read but have no effect here (to tell the user). */
    public List<String> notes() {
        return notes;
    }

    /**
     * Finds the hosts file as cfrun does: the path as given if it exists; a bare name (no '/') is also
     * looked up in {@code <workdir>/inputs}.
     */
    public static Path locate(String name, Path workdir) {
        Path p = Path.of(name);
        if (Files.exists(p) || name.contains("/")) {
            return p;
        }
        Path inInputs = workdir.resolve("inputs").resolve(name);
        return Files.exists(inInputs) ? inInputs : p;
    }

    public static HostsFile read(Path file) throws HostsFileException {
        Parser p = new Parser();
        p.parse(file.toAbsolutePath().normalize(), 0);
        p.applyDomain();
        return new HostsFile(p.entries, p.domain, p.maxChild, p.outputDir, p.hostnameKeys, p.notes);
    }

    /** Parses text (for tests and fuzzing); includes are resolved relative to {@code dir}. */
    public static HostsFile parse(String text, Path dir) throws HostsFileException {
        Parser p = new Parser();
        p.parseText(text, dir.resolve("(text)"), 0);
        p.applyDomain();
        return new HostsFile(p.entries, p.domain, p.maxChild, p.outputDir, p.hostnameKeys, p.notes);
    }

    /**
     * Selects entries by the names given on the command line (cfrun's bare HOST arguments): a name
     * matches the host as written in the file, with or without the domain.
     */
    public List<Entry> select(List<String> names) throws HostsFileException {
        if (names.isEmpty()) {
            return entries;
        }
        List<Entry> out = new ArrayList<>();
        for (String n : names) {
            boolean found = false;
            for (Entry e : entries) {
                if (matches(e, n)) {
                    out.add(e);
                    found = true;
                }
            }
            if (!found) {
                throw new HostsFileException("host '" + n + "' is not in the hosts file");
            }
        }
        return out;
    }

    private boolean matches(Entry e, String n) {
        String lower = n.toLowerCase(Locale.ROOT);
        String host = e.address().host().toLowerCase(Locale.ROOT);
        String written = e.name().toLowerCase(Locale.ROOT);
        return lower.equals(written) || lower.equals(host) || lower.equals(e.address().toString().toLowerCase(Locale.ROOT))
                || (domain != null && !lower.contains(".") && (lower + "." + domain.toLowerCase(Locale.ROOT)).equals(host));
    }

    private static final class Parser {
        final List<Entry> entries = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final Set<Path> open = new HashSet<>();
        String domain;
        Integer maxChild;
        Path outputDir;
        boolean hostnameKeys;

        void parse(Path file, int depth) throws HostsFileException {
            if (depth > MAX_INCLUDE_DEPTH) {
                throw new HostsFileException(file + ": includes nested deeper than " + MAX_INCLUDE_DEPTH);
            }
            if (!open.add(file)) {
                throw new HostsFileException(file + ": included again from itself (include cycle)");
            }
            String text;
            try (InputStream in = Files.newInputStream(file)) {
                byte[] b = in.readNBytes(MAX_FILE_BYTES + 1);
                if (b.length > MAX_FILE_BYTES) {
                    throw new HostsFileException(file + ": larger than " + MAX_FILE_BYTES + " bytes; not a hosts file");
                }
                text = new String(b, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new HostsFileException(file + ": no such hosts file");
            } catch (IOException e) {
                throw new HostsFileException(file + ": cannot read: " + e.getMessage());
            }
            parseText(text, file, depth);
            open.remove(file);
        }

        void parseText(String text, Path file, int depth) throws HostsFileException {
            String[] lines = text.split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                int no = i + 1;
                String raw = lines[i];
                if (raw.length() > MAX_LINE) {
                    throw new HostsFileException(where(file, no) + "line longer than " + MAX_LINE + " characters");
                }
                if (raw.indexOf('\0') >= 0) {
                    throw new HostsFileException(where(file, no) + "NUL byte: not a text file");
                }
                int hash = raw.indexOf('#');
                String line = (hash >= 0 ? raw.substring(0, hash) : raw).strip();
                if (line.isEmpty()) {
                    continue;
                }
                int eq = line.indexOf('=');
                String[] words = line.split("\\s+");
                if (eq > 0 && !words[0].startsWith("-") && (words[0].indexOf('=') >= 0 || (words.length > 1 && words[1].startsWith("=")))) {
                    keyword(line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip(), file, no, depth);
                    continue;
                }
                host(words, file, no);
            }
        }

        private void keyword(String key, String value, Path file, int no, int depth) throws HostsFileException {
            String at = where(file, no);
            switch (key) {
                case "domain" -> {
                    if (!value.matches("[A-Za-z0-9.-]{1,253}")) {
                        throw new HostsFileException(at + "invalid domain '" + value + "'");
                    }
                    domain = value.startsWith(".") ? value.substring(1) : value;
                }
                case "maxchild" -> {
                    if (!value.matches("\\d{1,6}") || Integer.parseInt(value) < 1) {
                        throw new HostsFileException(at + "maxchild must be a positive number: '" + value + "'");
                    }
                    maxChild = Integer.parseInt(value);
                }
                case "outputdir" -> {
                    if (value.isEmpty()) {
                        throw new HostsFileException(at + "outputdir needs a directory");
                    }
                    outputDir = Path.of(value);
                }
                case "include" -> {
                    if (value.isEmpty()) {
                        throw new HostsFileException(at + "include needs a file name");
                    }
                    Path inc = Path.of(value);
                    Path base = file.getParent() == null ? Path.of(".") : file.getParent();
                    parse((inc.isAbsolute() ? inc : base.resolve(inc)).toAbsolutePath().normalize(), depth + 1);
                }
                case "hostnamekeys" -> hostnameKeys = bool(value, at, key);
                case "access", "outputlevel", "bindtointerface" ->
                        notes.add(at + "'" + key + "' is a cfrun 2.x setting without effect here; ignored");
                default -> throw new HostsFileException(at + "unknown setting '" + key + "'"
                        + " (known: domain, maxchild, outputdir, include, hostnamekeys, access, outputlevel, bindtointerface)");
            }
        }

        private void host(String[] words, Path file, int no) throws HostsFileException {
            if (entries.size() >= MAX_HOSTS) {
                throw new HostsFileException(where(file, no) + "more than " + MAX_HOSTS + " hosts");
            }
            HostAddress a;
            try {
                a = HostAddress.parse(words[0]);
            } catch (IllegalArgumentException e) {
                throw new HostsFileException(where(file, no) + e.getMessage());
            }
            List<String> options = new ArrayList<>();
            for (int i = 1; i < words.length; i++) {
                options.add(words[i]);
            }
            entries.add(new Entry(a, words[0], options, file, no));
        }

        void applyDomain() {
            if (domain == null) {
                return;
            }
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                String h = e.address().host();
                if (!h.contains(".") && !h.contains(":") && !h.equalsIgnoreCase("localhost")) {
                    entries.set(i, new Entry(HostAddress.of(h + "." + domain, e.address().port()), e.name(), e.options(),
                            e.file(), e.line()));
                }
            }
        }

        private static boolean bool(String v, String at, String key) throws HostsFileException {
            return switch (v.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on" -> true;
                case "false", "no", "off" -> false;
                default -> throw new HostsFileException(at + key + " must be true or false: '" + v + "'");
            };
        }

        private static String where(Path file, int no) {
            return file + ":" + no + ": ";
        }
    }
}
