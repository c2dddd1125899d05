package dev.cfrun.client;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the architecture visible in the package tree honest:
 * <ul>
 *   <li>inside the library, layers depend only downward: internal.transport → internal.keys → keys →
 *       internal.trust → internal.protocol → internal.protocol.tls / internal.protocol.classic (not each
 *       other) → internal → the {@link CfRunClient} façade. Every layer may use the API's value and
 *       exception types, never the façade;</li>
 *   <li>the other modules' main code uses the library's API only: no {@code dev.cfrun.client.internal}
 *       (integration-tests, which checks the internals against real servers, excepted);</li>
 *   <li>the library has no global side effects.</li>
 * </ul>
 * The checks are pure functions of a file's text, so that a test can show they fail when they should.
 */
class LayeringTest {
    private static final Path SRC = Path.of("src/main/java/dev/cfrun/client");
    private static final Path MODULES = Path.of("..");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.cfrun\\.[\\w.]+);", Pattern.MULTILINE);
    private static final String LIBRARY = "dev.cfrun.client.";
    private static final String INTERNAL = "dev.cfrun.client.internal.";

    /** Rank of each library package (relative to dev.cfrun.client): a package may import only lower ranks. */
    private static final Map<String, Integer> RANK = Map.ofEntries(
            Map.entry("internal.transport", 0),
            Map.entry("internal.keys", 1),
            Map.entry("keys", 2),
            Map.entry("internal.trust", 3),
            Map.entry("internal.protocol", 4),
            Map.entry("internal.protocol.tls", 5),
            Map.entry("internal.protocol.classic", 5),
            Map.entry("internal", 6),
            Map.entry("hosts", 6),
            Map.entry("", 7));

    /** The library package of a class name ("internal.trust" for dev.cfrun.client.internal.trust.TrustStore). */
    private static String packageOf(String className) {
        String rest = className.substring(LIBRARY.length());
        int dot = rest.lastIndexOf('.');
        String pkg = dot < 0 ? "" : rest.substring(0, dot);
        // a nested type (ServerKey.Status) or a static member: drop trailing capitalised segments
        while (!pkg.isEmpty() && !RANK.containsKey(pkg)) {
            int d = pkg.lastIndexOf('.');
            pkg = d < 0 ? "" : pkg.substring(0, d);
        }
        return pkg;
    }

    /**
     * The layering violations of one library source file.
     *
     * @param file what to call it in a message
     * @param pkg  its package, relative to dev.cfrun.client ("" for the API package)
     * @param text its text
     */
    static List<String> libraryViolations(String file, String pkg, String text) {
        List<String> out = new ArrayList<>();
        Integer own = RANK.get(pkg);
        if (own == null) {
            out.add(file + " is in package '" + pkg + "', which has no layer: add it to LayeringTest.RANK");
            return out;
        }
        Matcher m = IMPORT.matcher(text);
        while (m.find()) {
            String imp = m.group(1);
            if (!imp.startsWith(LIBRARY)) {
                out.add(file + " imports " + imp); // the CLI, the handler, …: never from the library
                continue;
            }
            String target = packageOf(imp);
            boolean façade = imp.equals(LIBRARY + "CfRunClient") || imp.startsWith(LIBRARY + "CfRunClient.");
            boolean bad = target.isEmpty() ? façade && !pkg.isEmpty()
                    : RANK.get(target) > own || (RANK.get(target).equals(own) && !target.equals(pkg));
            if (bad) {
                out.add(file + " imports " + imp);
            }
        }
        return out;
    }

    /** Uses of the library's internals in another module's source file (imports and qualified names). */
    static List<String> internalUses(String file, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\\b" + Pattern.quote(INTERNAL) + "[\\w.]*").matcher(code(text));
        while (m.find()) {
            String use = m.group().replaceAll("\\.$", "");
            if (!out.contains(file + " imports " + use)) {
                out.add(file + " imports " + use);
            }
        }
        return out;
    }

    private record Source(String file, String pkg, String text) {
    }

    private static List<Source> sources(Path root, Path relativeTo) throws IOException {
        List<Source> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String pkg = root.relativize(f.getParent()).toString().replace('/', '.');
                out.add(new Source(relativeTo.relativize(f).toString(), pkg, Files.readString(f)));
            }
        }
        return out;
    }

    @Test
    void layersDependOnlyDownward() throws IOException {
        List<Source> sources = sources(SRC, SRC);
        assertTrue(sources.size() > 40, "sources not found under " + SRC.toAbsolutePath());
        List<String> violations = new ArrayList<>();
        for (Source s : sources) {
            violations.addAll(libraryViolations(s.file(), s.pkg(), s.text()));
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void otherModulesUseOnlyTheApi() throws IOException {
        List<String> violations = new ArrayList<>();
        int files = 0;
        try (Stream<Path> modules = Files.list(MODULES)) {
            for (Path module : modules.sorted().toList()) {
                String name = module.getFileName().toString();
                Path main = module.resolve("src/main/java");
                if (name.equals("cfrun-client") || name.equals("integration-tests") || !Files.isDirectory(main)) {
                    continue;
                }
                for (Source s : sources(main, MODULES)) {
                    files++;
                    violations.addAll(internalUses(s.file(), s.text()));
                }
            }
        }
        assertTrue(files > 20, "other modules' sources not found under " + MODULES.toAbsolutePath());
        assertEquals(List.of(), violations);
    }

    @Test
    void theCheckFailsWhenTheCliImportsAnInternalClass() {
        String cli = """
                package dev.cfrun.cli;

                import dev.cfrun.client.CfRunClient;
                import dev.cfrun.client.internal.transport.Frames;

                final class Sneaky {
                    byte[] end() {
                        return dev.cfrun.client.internal.protocol.ExecRequest.encode(java.util.List.of(), java.util.List.of());
                    }
                }
                """;
        assertEquals(List.of("cfrun-cli/src/main/java/dev/cfrun/cli/Sneaky.java imports dev.cfrun.client.internal.transport.Frames",
                        "cfrun-cli/src/main/java/dev/cfrun/cli/Sneaky.java imports dev.cfrun.client.internal.protocol.ExecRequest.encode"),
                internalUses("cfrun-cli/src/main/java/dev/cfrun/cli/Sneaky.java", cli));
        assertEquals(List.of(), internalUses("Fine.java", "import dev.cfrun.client.CfRunClient;\n// dev.cfrun.client.internal.x in a comment\n"));
    }

    @Test
    void theCheckFailsWhenALayerImportsUpward() {
        String transport = "package dev.cfrun.client.internal.transport;\n"
                + "import dev.cfrun.client.RunTimeoutException;\n"
                + "import dev.cfrun.client.internal.trust.TrustStore;\n"
                + "import dev.cfrun.client.CfRunClient;\n";
        assertEquals(List.of("T.java imports dev.cfrun.client.internal.trust.TrustStore", "T.java imports dev.cfrun.client.CfRunClient"),
                libraryViolations("T.java", "internal.transport", transport));
        String tls = "import dev.cfrun.client.internal.protocol.classic.Mpi;\nimport dev.cfrun.client.internal.protocol.Peer;\n";
        assertEquals(List.of("U.java imports dev.cfrun.client.internal.protocol.classic.Mpi"),
                libraryViolations("U.java", "internal.protocol.tls", tls));
        assertEquals(List.of(), libraryViolations("V.java", "", "import dev.cfrun.client.internal.RunAttempt;\n"));
    }

    /** The source without comment lines (javadoc examples may print). */
    private static String code(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (!t.startsWith("*") && !t.startsWith("//") && !t.startsWith("/*")) {
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void noGlobalSideEffectsInTheLibrary() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Source s : sources(SRC, SRC)) {
            for (String forbidden : new String[] {"System.exit", "System.out", "System.err", "Security.addProvider",
                "Security.insertProviderAt", "Security.setProperty", "printStackTrace", "setDefaultSSLSocketFactory",
                "HttpsURLConnection.setDefault"}) {
                if (code(s.text()).contains(forbidden)) {
                    violations.add(s.file() + " uses " + forbidden);
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
