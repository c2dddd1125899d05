package dev.cfrun.cli;

import dev.cfrun.cli.CliHarness.Result;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static dev.cfrun.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** cfrun keygen, digest and completion. */
class KeygenDigestCompletionTest {
    @TempDir
    Path dir;

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void keygenWritesAKeyPairAndPrintsItsDigestOnce() throws Exception {
        Path wd = dir.resolve("work");
        Result r = run("keygen", "--workdir", wd.toString());
        assertEquals(0, r.exit(), r.toString());
        Path pp = KeyFiles.ppkeys(wd);
        Path priv = pp.resolve("localhost.priv");
        Path pub = pp.resolve("localhost.pub");
        assertEquals("rw-------", mode(priv));
        assertEquals("rw-------", mode(pub));
        assertEquals("rwx------", mode(pp));
        assertTrue(Files.readString(priv).startsWith("-----BEGIN RSA PRIVATE KEY-----\n"), "PKCS#1 as cf-key writes it");
        assertTrue(Files.readString(pub).startsWith("-----BEGIN RSA PUBLIC KEY-----\n"));
        List<String> lines = r.outLines();
        assertEquals(2, lines.size(), r.toString());
        assertEquals("Wrote " + priv + " and " + pub, lines.get(0));
        String digest = lines.get(1);
        assertTrue(digest.matches("MD5=[0-9a-f]{32}"), digest);
        assertEquals(CliHarness.identity(wd).digest(), digest, "the pair is usable as our identity");

        Result d = run("digest", pub.toString());
        assertEquals(0, d.exit(), d.toString());
        assertEquals(digest + "\n", d.out());
        assertEquals("", d.err());

        Result sha = run("digest", "--sha", pub.toString());
        assertEquals(0, sha.exit(), sha.toString());
        assertTrue(sha.out().matches("SHA=[0-9a-f]{64}\n"), sha.out());
        assertEquals(KeyDigest.sha256(KeyFiles.readPublic(pub)) + "\n", sha.out());

        // never overwrites
        byte[] privBefore = Files.readAllBytes(priv);
        byte[] pubBefore = Files.readAllBytes(pub);
        Result again = run("keygen", "--workdir", wd.toString());
        assertEquals(ExitCodes.LOCAL_ERROR, again.exit(), again.toString());
        assertEquals("", again.out());
        assertEquals(1, again.errLines().size(), again.toString());
        assertTrue(again.err().startsWith("cfrun: ") && again.err().contains("already exists"), again.toString());
        assertArrayEquals(privBefore, Files.readAllBytes(priv));
        assertArrayEquals(pubBefore, Files.readAllBytes(pub));
    }

    @Test
    void keygenToNamedFiles() throws Exception {
        Path base = dir.resolve("keys/host1");
        Result r = run("keygen", "--bits", "1024", "-f", base.toString());
        assertEquals(0, r.exit(), r.toString());
        assertEquals("rw-------", mode(dir.resolve("keys/host1.priv")));
        Result d = run("digest", dir.resolve("keys/host1.pub").toString());
        assertEquals(r.outLines().get(1) + "\n", d.out());
    }

    @Test
    void keygenRejectsABadSize() {
        Result r = run("keygen", "--workdir", dir.resolve("w").toString(), "--bits", "1000");
        assertEquals(ExitCodes.LOCAL_ERROR, r.exit(), r.toString());
        assertTrue(r.err().contains("key size"), r.toString());
        assertFalse(Files.exists(dir.resolve("w/ppkeys/localhost.priv")));
    }

    @Test
    void digestOfSomethingElseIsAOneLineError() throws Exception {
        Path notAKey = dir.resolve("promises.cf");
        Files.writeString(notAKey, "bundle agent main { reports: \"hi\"; }\n", StandardCharsets.UTF_8);
        for (Path p : List.of(notAKey, dir.resolve("missing.pub"), dir)) {
            Result r = run("digest", p.toString());
            assertEquals(ExitCodes.LOCAL_ERROR, r.exit(), p + ": " + r);
            assertEquals("", r.out());
            assertEquals(1, r.errLines().size(), r.toString());
            assertTrue(r.err().startsWith("cfrun: "), r.toString());
            assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), r.toString());
        }
    }

    @Test
    void digestOfAPrivateKeyIsRefused() throws Exception {
        Path wd = CliHarness.workdir(dir.resolve("work"));
        Result r = run("digest", KeyFiles.ppkeys(wd).resolve("localhost.priv").toString());
        assertEquals(ExitCodes.LOCAL_ERROR, r.exit(), r.toString());
        assertEquals("", r.out());
    }

    @Test
    void digestNeedsAFile() {
        Result r = run("digest");
        assertEquals(ExitCodes.LOCAL_ERROR, r.exit(), r.toString());
        assertTrue(r.err().contains("Try 'cfrun --help'"), r.toString());
    }

    @Test
    void completionIsABashScriptForEverything() {
        Result r = run("completion");
        assertEquals(0, r.exit(), r.toString());
        String s = r.out();
        assertTrue(s.startsWith("#!/usr/bin/env bash"), s.substring(0, Math.min(200, s.length())));
        assertTrue(s.contains("complete -F"), "registers a completion function");
        for (String word : List.of("keygen", "digest", "trust", "completion", "--remote-bundles", "--hail",
                "--define-class", "--select-class", "--background", "--output-dir", "--format", "--replace-changed",
                "--sha", "--bits")) {
            assertTrue(s.contains(word), word);
        }
        assertEquals("", r.err());
    }
}
