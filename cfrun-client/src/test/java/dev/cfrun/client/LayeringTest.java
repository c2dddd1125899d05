package dev.cfrun.client;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the architecture visible in the package tree honest: layers depend only downward
 * (transport → keys → protocol.tls / protocol.classic → the CfRunClient façade), and the library has
 * no global side effects. Lower layers may use the API's value and exception types, never the façade.
 */
class LayeringTest {
    private static final Path SRC = Path.of("src/main/java/dev/cfrun/client");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(dev\\.cfrun\\.[\\w.]+);", Pattern.MULTILINE);

    private record Source(Path file, String pkg, String text, List<String> imports) {
    }

    private static List<Source> sources() throws IOException {
        List<Source> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(SRC)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                String text = Files.readString(f);
                String pkg = SRC.relativize(f.getParent()).toString().replace('/', '.');
                List<String> imports = new ArrayList<>();
                Matcher m = IMPORT.matcher(text);
                while (m.find()) {
                    imports.add(m.group(1));
                }
                out.add(new Source(f, pkg, text, imports));
            }
        }
        assertTrue(out.size() > 20, "sources not found under " + SRC.toAbsolutePath());
        return out;
    }

    private static boolean inPackage(String imported, String pkg) {
        return imported.startsWith("dev.cfrun.client." + pkg + ".");
    }

    @Test
    void layersDependOnlyDownward() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Source s : sources()) {
            for (String imp : s.imports()) {
                boolean façade = imp.equals("dev.cfrun.client.CfRunClient") || imp.equals("dev.cfrun.client.ServerTrust");
                boolean bad = switch (s.pkg()) {
                    case "transport" -> inPackage(imp, "keys") || inPackage(imp, "protocol") || façade;
                    case "keys" -> inPackage(imp, "transport") || inPackage(imp, "protocol") || façade;
                    case "protocol" -> inPackage(imp, "protocol.tls") || inPackage(imp, "protocol.classic") || façade;
                    case "protocol.tls" -> inPackage(imp, "protocol.classic") || façade;
                    case "protocol.classic" -> inPackage(imp, "protocol.tls") || façade;
                    default -> false;
                };
                if (bad || imp.startsWith("dev.cfrun.cli.") || imp.startsWith("dev.cfrun.nagios.")) {
                    violations.add(s.file() + " imports " + imp);
                }
            }
        }
        assertEquals(List.of(), violations);
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
        for (Source s : sources()) {
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
