package dev.cfrun.client.hosts;

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
 * web1                          a host ...
 * web2:5309 -D webserver        ... with a port and per-host agent options ({@link AgentOptions})
 * </pre>
 * {@code access}, {@code outputlevel}, {@code bindtointerface} and {@code hostnamekeys} are accepted and
 * reported in {@link #notes()} as without effect: {@code hostnamekeys} because a server key is always
 * looked up as {@code root-<host name>.pub} before {@code root-<ip>.pub}, so cfrun 2.x's
 * {@code hostnamekeys = true} is what happens anyway. Parsing is bounded (file size, line length, include
 * depth and cycles, number of hosts) and every error names the file and line.
 * <p>
 * Immutable once read. {@link #matches(Entry, String)} is the one rule that decides whether a name given by a
 * user (a command-line host, a monitoring system's host name or address) stands for an entry.
 */
public final class HostsFile {
    static final int MAX_FILE_BYTES = 4 * 1024 * 1024;
    static final int MAX_LINE = 4096;
    static final int MAX_INCLUDE_DEPTH = 8;
    static final int MAX_HOSTS = 100_000;

    /**
     * One host line.
     *
     * @param address the host and port to hail, the file's {@code domain} appended to a name without a dot
     * @param name    the host as written in the file (with its {@code :port}, without the domain)
     * @param options the per-host agent options, word by word (see {@link AgentOptions#parse(List)})
     * @param file    the file the line is in (an included file for included hosts)
     * @param line    the line number, from 1
     */
    public record Entry(HostAddress address, String name, List<String> options, Path file, int line) {
        /**
         * Copies {@code options}: an entry is immutable.
         *
         * @param address the host and port to hail
         * @param name    the host as written in the file
         * @param options the per-host agent options, word by word
         * @param file    the file the line is in
         * @param line    the line number, from 1
         */
        public Entry {
            options = List.copyOf(options);
        }

        /**
         * Where the entry is written, {@code file:line}, for messages.
         *
         * @return the file's path and the line number, joined by {@code :}
         */
        public String origin() {
            return file + ":" + line;
        }
    }

    private final List<Entry> entries;
    private final String domain;
    private final Integer maxChild;
    private final Path outputDir;
    private final List<String> notes;

    private HostsFile(Parser p) {
        this.entries = List.copyOf(p.entries);
        this.domain = p.domain;
        this.maxChild = p.maxChild;
        this.outputDir = p.outputDir;
        this.notes = List.copyOf(p.notes);
    }

    /**
     * The hosts, in file order (included files in place of their {@code include} line).
     *
     * @return every host entry; unmodifiable
     */
    public List<Entry> entries() {
        return entries;
    }

    /**
     * The {@code domain} setting (without a leading dot), if any.
     *
     * @return the domain appended to host names without a dot, or empty
     */
    public Optional<String> domain() {
        return Optional.ofNullable(domain);
    }

    /**
     * The {@code maxchild} setting: how many hosts to hail at once.
     *
     * @return the number of parallel runs the file asks for, or empty if it does not set one (cfrun: 1, serial)
     */
    public OptionalInt maxChild() {
        return maxChild == null ? OptionalInt.empty() : OptionalInt.of(maxChild);
    }

    /**
     * The {@code outputdir} setting: a directory for one output file per host.
     *
     * @return the directory for the per-host output files, or empty when the file does not set one
     */
    public Optional<Path> outputDir() {
        return Optional.ofNullable(outputDir);
    }

    /**
     * Settings that were read but have no effect here (to tell the user).
     *
     * @return one people-readable note per ignored setting; unmodifiable
     */
    public List<String> notes() {
        return notes;
    }

    /**
     * Finds the hosts file as cfrun does: the path as given if it exists; a bare name (no '/') is also
     * looked up in {@code <workdir>/inputs}.
     *
     * @param name    the hosts file as the user gave it
     * @param workdir the CFEngine work dir whose {@code inputs} directory holds the policy
     * @return the path to read; the name as a path when it is found nowhere (reading it then reports it missing)
     */
    public static Path locate(String name, Path workdir) {
        Path p = Path.of(name);
        if (Files.exists(p) || name.contains("/")) {
            return p;
        }
        Path inInputs = workdir.resolve("inputs").resolve(name);
        return Files.exists(inInputs) ? inInputs : p;
    }

    /**
     * Reads a hosts file and the files it includes.
     *
     * @param file the hosts file
     * @return the parsed file, includes resolved
     * @throws HostsFileException when a file is missing, unreadable, too large, or has an error (file and line named)
     */
    public static HostsFile read(Path file) throws HostsFileException {
        Parser p = new Parser();
        p.parse(file.toAbsolutePath().normalize(), 0);
        p.applyDomain();
        return new HostsFile(p);
    }

    /**
     * Parses text (for tests and fuzzing); includes are resolved relative to {@code dir}.
     *
     * @param text the content of a hosts file
     * @param dir  the directory {@code include} lines are relative to
     * @return the parsed file
     * @throws HostsFileException as {@link #read(Path)}
     */
    public static HostsFile parse(String text, Path dir) throws HostsFileException {
        Parser p = new Parser();
        p.parseText(text, dir.resolve("(text)"), 0);
        p.applyDomain();
        return new HostsFile(p);
    }

    /**
     * Whether a name stands for an entry — the one matching rule, used for cfrun's bare HOST arguments and
     * for the event handler's host name and address. Case-insensitive, the name matches the host as written
     * in the file ({@code web1}, {@code web1:5309}), the host hailed ({@code web1.example.com}, an address),
     * that host with its port ({@code web1.example.com:5309}), or, when the file sets a {@code domain}, a name
     * without a dot that the domain completes to the host hailed. An empty name matches nothing.
     *
     * @param e    an entry of this file
     * @param name a host name, {@code host:port} or address a user gave
     * @return whether the name stands for the entry
     */
    public boolean matches(Entry e, String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.isEmpty()) {
            return false;
        }
        String host = e.address().host().toLowerCase(Locale.ROOT);
        return n.equals(e.name().toLowerCase(Locale.ROOT)) || n.equals(host)
                || n.equals(e.address().toString().toLowerCase(Locale.ROOT))
                || (domain != null && !n.contains(".") && (n + "." + domain.toLowerCase(Locale.ROOT)).equals(host));
    }

    /**
     * Selects entries by the names given on the command line (cfrun's bare HOST arguments): for each name in
     * turn, every entry it {@link #matches matches}, in file order. No names select every entry.
     *
     * @param names the host names given; empty selects every entry
     * @return the selected entries, in the order of the names (an entry matched twice appears twice)
     * @throws HostsFileException naming the first name that matches no entry
     */
    public List<Entry> select(List<String> names) throws HostsFileException {
        if (names.isEmpty()) {
            return entries;
        }
        List<Entry> out = new ArrayList<>();
        for (String n : names) {
            List<Entry> found = entries.stream().filter(e -> matches(e, n)).toList();
            if (found.isEmpty()) {
                throw new HostsFileException("host '" + n + "' is not in the hosts file");
            }
            out.addAll(found);
        }
        return out;
    }

    /**
     * The first entry, in file order, that one of the names {@link #matches matches} (e.g. a monitored host's
     * address and its name); empty when none does.
     *
     * @param names names that may stand for one host, e.g. its address and its name
     * @return the first matching entry, or empty
     */
    public Optional<Entry> first(List<String> names) {
        return entries.stream().filter(e -> names.stream().anyMatch(n -> matches(e, n))).findFirst();
    }

    private static final class Parser {
        final List<Entry> entries = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final Set<Path> open = new HashSet<>();
        String domain;
        Integer maxChild;
        Path outputDir;

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
                case "hostnamekeys" -> notes.add(at + "'hostnamekeys' has no effect here: a server key is always looked up"
                        + " as root-<host name>.pub before root-<ip>.pub; ignored");
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

        private static String where(Path file, int no) {
            return file + ":" + no + ": ";
        }
    }
}
