package dev.cfrun.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path token(String perms) throws Exception {
        Path f = dir.resolve("token-" + perms);
        Files.writeString(f, "0123456789abcdef0123\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    void helpShowsTheReceiverExample() {
        assertEquals(0, run("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("credentials_file: /etc/cfrun/token"), help);
        assertTrue(help.contains("--token-file"), help);
    }

    @Test
    void badOptionsAreOneLineErrorsWithStatus2() throws Exception {
        String t = token("rw-------").toString();
        String s = dir.toString();
        assertEquals(2, run("--bogus"));
        assertEquals(2, run("--state", s));
        assertEquals(2, run("--token-file", t));
        assertEquals(2, run("--token-file", t, "--state"));
        assertEquals(2, run("--token-file", t, "--state", s, "--listen", "nohostport"));
        assertEquals(2, run("--token-file", t, "--state", s, "--listen", "127.0.0.1:70000"));
        assertEquals(2, run("--token-file", t, "--state", s, "--listen", "::1:80"));
        assertEquals(2, run("--token-file", t, "--state", s, "--parallelism", "0"));
        assertEquals(2, run("--token-file", t, "--state", s, "--parallelism=x"));
        assertEquals(2, run("--token-file", dir.resolve("missing").toString(), "--state", s));
        String e = err();
        assertEquals(10, e.lines().count(), e);
        assertTrue(e.lines().allMatch(l -> l.startsWith("cfrun-service: ")), e);
        assertTrue(e.contains("Unknown option: '--bogus'"), e);
        assertTrue(e.contains("--token-file is required"), e);
        assertTrue(e.contains("--parallelism"), e);
    }

    @Test
    void tokenFileReadableByOthersIsRefused() throws Exception {
        String s = dir.toString();
        assertEquals(2, run("--token-file", token("rw-r--r--").toString(), "--state", s));
        assertTrue(err().contains("chmod 600"), err());
        assertEquals(0, run("--token-file", token("r--------").toString(), "--state", s, "--listen",
                "[::1]:0", "--parallelism=4", "--dry-run"));
    }

    @Test
    void listenParsesHostAndPort() throws Exception {
        assertEquals(9308, ServiceOptions.parse(new String[] {"--token-file", "t", "--state", "s"}).listen().getPort());
        assertEquals("127.0.0.1", ServiceOptions.parse(new String[] {"--token-file", "t", "--state", "s"})
                .listen().getHostString());
    }

    @Test
    void auditLogDefaultsToTheStateDirAndNoneTurnsItOff() throws Exception {
        String[] base = {"--token-file", "t", "--state", "/var/lib/cfrun-service"};
        assertEquals(Optional.of(Path.of("/var/lib/cfrun-service/audit.jsonl")), ServiceOptions.parse(base).auditLog());
        assertEquals(Optional.empty(), ServiceOptions.parse(with(base, "--audit-log", "none")).auditLog());
        assertEquals(Optional.of(Path.of("/var/log/cfrun/audit.jsonl")),
                ServiceOptions.parse(with(base, "--audit-log=/var/log/cfrun/audit.jsonl")).auditLog());
        assertEquals(2, run("--token-file", token("rw-------").toString(), "--state", dir.toString(), "--audit-log",
                " "));
        assertEquals("cfrun-service: --audit-log: a file, or none\n", err());
        assertTrue(ServiceOptions.usage().contains("--audit-log"));
    }

    private static String[] with(String[] base, String... more) {
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    // --- monitoring: the re-check options ---

    @Test
    void recheckOptionsAreCheckedAtStart() throws Exception {
        String t = token("rw-------").toString();
        String s = dir.toString();
        Path password = dir.resolve("icinga-password");
        Files.writeString(password, "secret\n");
        Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(2, run("--token-file", t, "--state", s, "--icinga-user", "cfrun"));
        assertEquals(2, run("--token-file", t, "--state", s, "--icinga-api", "https://localhost:5665"));
        assertEquals(2, run("--token-file", t, "--state", s, "--icinga-api", "https://localhost:5665",
                "--icinga-user", "cfrun", "--icinga-password-file", password.toString()));
        String e = err();
        assertEquals(3, e.lines().count(), e);
        assertTrue(e.lines().allMatch(l -> l.startsWith("cfrun-service: ")), e);
        assertTrue(e.contains("need --icinga-api URL"), e);
        assertTrue(e.contains("--icinga-api needs --icinga-user NAME and --icinga-password-file FILE"), e);
        assertTrue(e.contains("--icinga-api: the Icinga API password file") && e.contains("chmod 600"), e);
        assertEquals(0, run("--token-file", t, "--state", s, "--nagios-command-file", dir.resolve("nagios.cmd")
                .toString()));
        assertTrue(out.toString(StandardCharsets.UTF_8).isEmpty());
    }

    @Test
    void helpListsTheMonitoringEndpointsAndOptions() {
        assertEquals(0, run("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String s : new String[] {"POST /v1/nagios", "POST /v1/icinga", "--nagios-command-file",
                "--icinga-api", "--icinga-user", "--icinga-password-file", "--icinga-ca"}) {
            assertTrue(help.contains(s), s + " in " + help);
        }
        assertTrue(help.lines().allMatch(l -> l.length() <= 80), help);
    }
}
