package dev.cfrun.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code contrib/cfrun-service.service}: hardened as documented, its command line one the service accepts, and
 * (where {@code systemd-analyze} exists) valid for systemd.
 */
class SystemdUnitTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path UNIT = ROOT.resolve("contrib/cfrun-service.service");

    @TempDir
    Path dir;

    /** @return "Section.Key" to its values in order (continuation lines joined, comments dropped) */
    private static Map<String, List<String>> parse(Path unit) throws Exception {
        Map<String, List<String>> m = new LinkedHashMap<>();
        String section = "";
        String pending = "";
        for (String raw : Files.readAllLines(unit)) {
            String line = pending + raw.strip();
            if (line.endsWith("\\")) {
                pending = line.substring(0, line.length() - 1).strip() + " ";
                continue;
            }
            pending = "";
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                section = line.substring(1, line.indexOf(']'));
                continue;
            }
            int eq = line.indexOf('=');
            m.computeIfAbsent(section + "." + line.substring(0, eq), k -> new ArrayList<>())
                    .add(line.substring(eq + 1));
        }
        return m;
    }

    private static String one(Map<String, List<String>> unit, String key) {
        List<String> v = unit.getOrDefault("Service." + key, List.of());
        assertEquals(1, v.size(), key + " set once: " + v);
        return v.get(0);
    }

    @Test
    void theUnitIsHardenedAsDocumented() throws Exception {
        Map<String, List<String>> u = parse(UNIT);
        assertEquals("cfrun", one(u, "User"));
        assertFalse(u.containsKey("Service.DynamicUser"), "a fixed user: the state and the keys outlive the unit");
        assertEquals("strict", one(u, "ProtectSystem"));
        assertEquals("/var/lib/cfrun-service", one(u, "ReadWritePaths"));
        assertEquals("cfrun-service", one(u, "StateDirectory"));
        for (String yes : List.of("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices",
                "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups", "RestrictNamespaces",
                "RestrictSUIDSGID", "LockPersonality")) {
            assertEquals("yes", one(u, yes), yes);
        }
        assertEquals("", one(u, "CapabilityBoundingSet"));
        assertEquals("AF_INET AF_INET6 AF_UNIX", one(u, "RestrictAddressFamilies"));
        assertEquals("@system-service", u.get("Service.SystemCallFilter").get(0));
        assertEquals("no", one(u, "MemoryDenyWriteExecute"), "the JIT needs writable, then executable memory");
        assertEquals("/bin/kill -HUP $MAINPID", one(u, "ExecReload"));
        assertEquals("0077", one(u, "UMask"));
    }

    @Test
    void itsCommandLineIsOneTheServiceAccepts() throws Exception {
        List<String> words = Arrays.asList(one(parse(UNIT), "ExecStart").split("\\s+"));
        assertEquals("/opt/cfrun/bin/cfrun-service", words.get(0));
        ServiceOptions o = ServiceOptions.parse(words.subList(1, words.size()).toArray(String[]::new));
        assertEquals("127.0.0.1", o.listen().getHostString(), "loopback unless told otherwise");
        assertTrue(o.state().startsWith("/var/lib/cfrun-service"), "the state where it may write");
        assertTrue(o.workdir().startsWith("/var/lib/cfrun-service"), "the key pair and trust where it may write");
        assertTrue(Files.isExecutable(ROOT.resolve("bin/cfrun-service")));
    }

    @Test
    void systemdAnalyzeVerifiesIt() throws Exception {
        assumeTrue(TestCommands.onPath("systemd-analyze"), "no systemd-analyze on PATH");
        // verify wants ExecStart's program to exist: point it at this tree's launcher
        Path copy = dir.resolve("cfrun-service.service");
        Files.writeString(copy, Files.readString(UNIT).replace("/opt/cfrun/", ROOT + "/"));
        TestCommands.Result r = TestCommands.run(dir, List.of("systemd-analyze", "verify", copy.toString()));
        assertEquals(0, r.exit(), r.toString());
        assertEquals("", r.output(), "no warnings");
    }
}
