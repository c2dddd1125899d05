package dev.cfrun.service;

import dev.cfrun.service.dispatch.DispatchPolicy;
import dev.cfrun.service.ingest.Limits;
import dev.cfrun.service.http.TestCerts;
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
import java.time.Duration;
import java.util.List;

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

    /** @return what went to stderr, checked to be {@code count} lines, each with the program's name */
    private String errorLines(int count) {
        String e = err();
        assertEquals(count, e.lines().count(), e);
        assertTrue(e.lines().allMatch(l -> l.startsWith("cfrun-service: ")), e);
        return e;
    }

    private Path token(String perms) throws Exception {
        Path f = dir.resolve("token-" + perms);
        Files.writeString(f, "0123456789abcdef0123\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
        return f;
    }

    @Test
    void helpFitsEightyColumnsAndSplitsNoPath() {
        assertEquals(0, run("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String line : help.lines().toList()) {
            assertTrue(line.length() <= 80, "longer than 80 columns: " + line);
            assertTrue(!line.strip().matches("^[a-z]+\\)?$"), "a word broken off onto its own line: " + line);
        }
        assertTrue(help.contains("--check-rules"), help);
        assertTrue(help.contains("docs/alertmanager.md"), help);
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
        String e = errorLines(10);
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
    void withoutLimitOptionsThePolicyAndBodyLimitAreTheDefaults() throws Exception {
        ServiceOptions o = ServiceOptions.parse(new String[] {"--token-file", "t", "--state", "s"});
        assertEquals(DispatchPolicy.defaults(), o.policy());
        assertEquals(Limits.DEFAULTS, o.limits());
    }

    @Test
    void limitOptionsBecomeThePolicyAndTheBodyLimit() throws Exception {
        ServiceOptions o = ServiceOptions.parse(new String[] {"--token-file", "t", "--state", "s",
                "--parallelism", "3", "--dry-run", "--runs-per-minute", "0", "--cooldown", "30s",
                "--max-hosts-per-group=0", "--group-window", "1h30m", "--max-body", "512KiB"});
        assertEquals(DispatchPolicy.builder().parallelism(3).dryRun(true).runsPerMinute(0)
                .cooldown(Duration.ofSeconds(30)).maxHostsPerGroup(0).groupWindow(Duration.ofMinutes(90)).build(),
                o.policy());
        assertEquals(512 * 1024, o.limits().maxBytes());
        assertEquals(Limits.DEFAULTS.maxAlerts(), o.limits().maxAlerts());
        ServiceOptions p = ServiceOptions.parse(new String[] {"--token-file", "t", "--state", "s",
                "--cooldown", "0", "--max-body", "2048", "--runs-per-minute", "100000", "--group-window", "30d"});
        assertEquals(Duration.ZERO, p.policy().cooldown());
        assertEquals(100_000, p.policy().runsPerMinute());
        assertEquals(Duration.ofDays(30), p.policy().groupWindow());
        assertEquals(2048, p.limits().maxBytes());
        assertEquals(64 << 20, ServiceOptions.parse(new String[] {"--token-file", "t", "--state", "s",
                "--max-body", "64mib"}).limits().maxBytes());
    }

    @Test
    void badLimitOptionsAreOneLineErrorsNamingTheOption() throws Exception {
        String t = token("rw-------").toString();
        String s = dir.toString();
        List<List<String>> bad = List.of(
                List.of("--runs-per-minute", "-1"),
                List.of("--runs-per-minute", "100001"),
                List.of("--runs-per-minute", "many"),
                List.of("--cooldown", "5 minutes"),
                List.of("--cooldown", "-5m"),
                List.of("--cooldown", "31d"),
                List.of("--cooldown", "5m1h"),
                List.of("--cooldown", "5"),
                List.of("--max-hosts-per-group", "-1"),
                List.of("--group-window", "0"),
                List.of("--group-window", "500ms"),
                List.of("--max-body", "1"),
                List.of("--max-body", "65MiB"),
                List.of("--max-body", "12k"),
                List.of("--max-body", "99999999999"));
        for (List<String> b : bad) {
            List<String> args = new java.util.ArrayList<>(List.of("--token-file", t, "--state", s));
            args.addAll(b);
            assertEquals(2, run(args.toArray(String[]::new)), b.toString());
        }
        List<String> lines = err().lines().toList();
        assertEquals(bad.size(), lines.size(), err());
        for (int i = 0; i < bad.size(); i++) {
            assertTrue(lines.get(i).startsWith("cfrun-service: "), lines.get(i));
            assertTrue(lines.get(i).contains(bad.get(i).get(0)), lines.get(i));
        }
        assertTrue(lines.get(0).contains("a number from 0 to 100000 (0 = no limit), not -1"), lines.get(0));
        assertTrue(lines.get(3).contains("a duration like 30s, 5m"), lines.get(3));
        assertTrue(lines.get(5).contains("0 to 30d, not 31d"), lines.get(5));
        assertTrue(lines.get(9).contains("1s to 30d, not 0"), lines.get(9));
        assertTrue(lines.get(12).contains("1KiB to 64MiB, not 65MiB"), lines.get(12));
    }

    @Test
    void helpListsTheLimitOptionsWithTheirDefaults() {
        assertEquals(0, run("--help"));
        String help = out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ");
        for (String s : List.of("--runs-per-minute", "(default 60)", "--cooldown", "(default 5m)",
                "--max-hosts-per-group", "(default 10)", "--group-window", "(default 1h)", "--max-body",
                "(default 1MiB)")) {
            assertTrue(help.contains(s), s + " in\n" + help);
        }
    }

    @Test
    void tlsFilesAreCheckedAtStartWithOneLineErrors() throws Exception {
        String t = token("rw-------").toString();
        String s = dir.toString();
        TestCerts.Identity id = TestCerts.rsa();
        TestCerts.PemFiles good = id.write(dir, "server");
        String cert = good.cert().toString();
        String key = good.key().toString();
        assertEquals(0, run("--token-file", t, "--state", s, "--tls-cert", cert, "--tls-key", key));
        assertEquals(0, run("--token-file", t, "--state", s, "--tls-cert", cert, "--tls-key",
                TestCerts.file(dir.resolve("both.pem"), id.certificatePem() + id.pkcs8Pem(), "rw-------").toString()));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-cert", cert));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-key", key));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-cert", cert, "--tls-key", s + "/nokey.pem"));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-cert", key, "--tls-key", key));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-cert", cert, "--tls-key",
                TestCerts.file(dir.resolve("open.key"), id.pkcs8Pem(), "rw-r-----").toString()));
        assertEquals(2, run("--token-file", t, "--state", s, "--tls-cert", cert, "--tls-key",
                TestCerts.rsa().write(dir, "other").key().toString()));
        String e = errorLines(6);
        assertTrue(e.contains("--tls-cert and --tls-key go together"), e);
        assertTrue(e.contains("nokey.pem does not exist"), e);
        assertTrue(e.contains("holds no certificate"), e);
        assertTrue(e.contains("open.key is accessible by group or others; chmod 600 it"), e);
        assertTrue(e.contains("other.key does not match the first certificate of " + cert), e);
    }

    @Test
    void checkRulesPrintsASummaryOrEveryErrorAndNeedsNothingElse() throws Exception {
        Path good = dir.resolve("good.yml");
        Files.writeString(good, "rules:\n  - name: web\n    matchers: ['alertname=\"WebDown\"']\n");
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, "rules:\n  - name: web\n    matchers: ['alertname~=\"WebDown\"']\n    cooldown: x\n");
        assertEquals(0, run("--check-rules", good.toString()));
        assertEquals(good + ": 1 rule, valid\n  web (line 2): alertname=\"WebDown\" -> host from labels; classes "
                + "alert_<alertname>\n", out.toString(StandardCharsets.UTF_8));
        assertEquals(1, run("--check-rules", bad.toString()));
        assertEquals(List.of(bad + ":3:16: rules[0].matchers[0]: unknown operator \"~=\" (use =, !=, =~ or !~)",
                bad + ":4:15: rules[0].cooldown: a duration like 30s, 5m, 1h30m, 7d or 0, not \"x\"",
                bad + ": 2 errors, not valid"), err().lines().toList());
    }

    @Test
    void aBadRulesFileStopsTheStartWithItsErrors() throws Exception {
        Path rules = dir.resolve("rules.yml");
        java.util.function.Function<Path, String[]> withRules = f -> new String[] {"--token-file",
                dir.resolve("token-rw-------").toString(), "--state", dir.toString(), "--rules", f.toString()};
        token("rw-------");
        Files.writeString(rules, "rules:\n  - name: web\n    action: maybe\n");
        assertEquals(2, run(withRules.apply(rules)));
        assertEquals("cfrun-service: " + rules + ":3:13: rules[0].action: \"maybe\": expected run or skip\n", err());
        Files.writeString(rules, "rules:\n  - name: web\n    action: skip\n");
        assertEquals(0, run(withRules.apply(rules)));
        assertEquals(2, run(withRules.apply(dir.resolve("none.yml"))));
        assertTrue(err().endsWith("none.yml: cannot read: no such file\n"), err());
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
