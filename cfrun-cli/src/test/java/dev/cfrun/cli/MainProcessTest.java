package dev.cfrun.cli;

import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.FakeCfServerd.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real entry point ({@link Main#main}: System.exit, the process's own stdout) in a child JVM, under the
 * C locale that cron jobs and non-interactive ssh sessions get.
 */
class MainProcessTest {
    @TempDir
    Path dir;
    private FakeCfServerd fake;
    private Path wd;

    @BeforeEach
    void setUp() throws Exception {
        wd = CliHarness.workdir(dir.resolve("work"));
        CliHarness.trustKeyFile(wd, (RSAPublicKey) FakeCfServerd.defaultKeys().getPublic());
        fake = FakeCfServerd.start();
        fake.allowClient(CliHarness.identity(wd).publicKey());
    }

    @AfterEach
    void tearDown() {
        fake.close();
    }

    private record Proc(int exit, byte[] out, byte[] err) {
    }

    private static Proc cfrun(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.startsWith("JAVA_TOOL")
                || k.equals("JDK_JAVA_OPTIONS") || k.equals("_JAVA_OPTIONS"));
        env.put("LANG", "C");
        env.put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Proc(p.exitValue(), out, err);
    }

    @Test
    void agentOutputIsPrintedAsUtf8WhateverTheLocaleAndTheExitCodeIsTheRemoteOne() throws Exception {
        fake.reply(Reply.ok(3, "héllo wörld ✓", "日本"));
        Proc p = cfrun("--workdir", wd.toString(), "-H", fake.hostSpec());
        assertEquals(3, p.exit(), new String(p.err(), StandardCharsets.UTF_8));
        String expected = "127.0.0.1> cf-serverd executing cfruncommand: /bin/true\n"
                + "127.0.0.1> -> héllo wörld ✓\n"
                + "127.0.0.1> -> 日本\n"
                + "127.0.0.1> (exit code: 3)\n";
        assertEquals(expected, new String(p.out(), StandardCharsets.UTF_8),
                "the server's UTF-8 bytes come out unchanged (cf-runagent copies them)");
    }

    @Test
    void jsonKeepsNonAsciiText() throws Exception {
        fake.reply(Reply.ok(0, "Größe"));
        Proc p = cfrun("--workdir", wd.toString(), "--format", "json", "-H", fake.hostSpec());
        assertEquals(0, p.exit(), new String(p.err(), StandardCharsets.UTF_8));
        var j = new com.fasterxml.jackson.databind.ObjectMapper().readTree(p.out());
        assertEquals("Größe", j.get("output").get(0).textValue());
    }

    @Test
    void usageErrorExitsWith101() throws Exception {
        Proc p = cfrun("--no-such-option");
        assertEquals(ExitCodes.LOCAL_ERROR, p.exit());
        assertTrue(new String(p.err(), StandardCharsets.UTF_8).contains("Try 'cfrun --help'"));
    }
}
