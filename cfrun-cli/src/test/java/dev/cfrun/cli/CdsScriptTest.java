package dev.cfrun.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/lib/cds.sh, which the launchers source: the archive name follows the JVM build, and a JVM given an
 * archive it cannot use (missing, another JDK's, garbage) runs as if it had none and prints nothing.
 */
class CdsScriptTest {
    private static final Path SCRIPT = Path.of("../bin/lib/cds.sh").toAbsolutePath().normalize();
    private static final Path FIND_JDK = Path.of("../scripts/find-jdk.sh").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private record Out(int exit, String out, String err) {
    }

    private static Out run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Out(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private String archiveFor(Path java, String jar) throws Exception {
        Out o = run(List.of("sh", "-c", ". \"$1\"; cds_archive \"$2\" \"$3\"; printf %s \"$cds_file\"",
                "sh", SCRIPT.toString(), java.toString(), jar));
        assertEquals(0, o.exit(), o.toString());
        return o.out();
    }

    @Test
    void theArchiveIsNamedAfterTheJvmBuildAndLivesNextToTheJar() throws Exception {
        Path jdk = dir.resolve("jdk");
        Files.createDirectories(jdk.resolve("bin"));
        Path java = Files.writeString(jdk.resolve("bin/java"), "#!/bin/sh\n");
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_RUNTIME_VERSION=\"99.0.1+2-test\"\nJAVA_VERSION=\"99.0.1\"\n");
        Files.createSymbolicLink(dir.resolve("java-link"), java);
        assertEquals("/opt/cfrun/target/cds/cfrun-99.0.1+2-test.jsa", archiveFor(java, "/opt/cfrun/target/cfrun.jar"));
        assertEquals("/x/cds/cfrun-nagios-99.0.1+2-test.jsa", archiveFor(dir.resolve("java-link"), "/x/cfrun-nagios.jar"),
                "symlinks to the java binary are followed to its release file");
        Files.delete(jdk.resolve("release"));
        assertEquals("", archiveFor(java, "/opt/cfrun/target/cfrun.jar"), "no release file: no archive");
    }

    @Test
    void theRunningJvmGetsAName() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String a = archiveFor(java, "/opt/cfrun/target/cfrun.jar");
        assertTrue(a.startsWith("/opt/cfrun/target/cds/cfrun-") && a.endsWith(".jsa"), a);
        assertTrue(a.contains(Runtime.version().feature() + "."), a + " names " + Runtime.version());
    }

    /**
     * The java of the JDK 25 that scripts/find-jdk.sh finds ($CFRUN_JDK25, $JAVA_HOME, /usr/lib/jvm, ...). None:
     * a failure under CI=true, else only the running JDK is tried (and this is said on stderr).
     */
    private static Optional<Path> jdk25() throws Exception {
        Out o = run(List.of(FIND_JDK.toString(), "25"));
        if (o.exit() == 0) {
            return Optional.of(Path.of(o.out().strip(), "bin", "java"));
        }
        assertNotEquals("true", System.getenv("CI"), "CI=true and no JDK 25 to try: " + o);
        System.err.println("CdsScriptTest: " + o.err().strip() + " Only the running JDK is tried.");
        return Optional.empty();
    }

    /** What the launcher runs when an archive file is there, on this JDK and on JDK 25. */
    @Test
    void anUnusableArchiveIsIgnoredSilently() throws Exception {
        Path garbage = Files.write(dir.resolve("garbage.jsa"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        Path missing = dir.resolve("missing.jsa");
        List<Path> javas = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")));
        jdk25().ifPresent(javas::add);
        for (Path java : javas) {
            for (Path archive : List.of(garbage, missing)) {
                List<String> cmd = new ArrayList<>(List.of(java.toString()));
                cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Xss512k", "-XX:-UsePerfData",
                        "-Xshare:auto", "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off,cds+dynamic=off",
                        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--version"));
                Out o = run(cmd);
                assertEquals(0, o.exit(), java + " " + archive + ": " + o);
                assertTrue(o.out().startsWith("cfrun "), java + " " + archive + ": " + o);
                assertEquals(2, o.out().lines().count(), java + " " + archive + ": only the version: " + o);
                assertEquals("", o.err(), java + " " + archive + ": " + o);
            }
        }
    }
}
