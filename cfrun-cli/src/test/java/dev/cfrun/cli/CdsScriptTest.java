package dev.cfrun.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * bin/lib/cds.sh, which the launchers source: the archive name follows the JVM build (a dynamic archive, or
 * on JDK 25+ an AOT cache), and a JVM given an archive it cannot use (missing, another JDK's, garbage) runs as
 * if it had none and prints nothing.
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

    /** A stand-in JDK (a release file and a bin/java that is never run) whose JAVA_RUNTIME_VERSION is {@code version}. */
    private Path fakeJava(String name, String version) throws IOException {
        Path jdk = dir.resolve(name);
        Files.createDirectories(jdk.resolve("bin"));
        Files.writeString(jdk.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_RUNTIME_VERSION=\"" + version + "\"\nJAVA_VERSION=\""
                + version.replaceFirst("[+-].*", "") + "\"\n");
        return Files.writeString(jdk.resolve("bin/java"), "#!/bin/sh\n");
    }

    @Test
    void theArchiveIsNamedAfterTheJvmBuildAndLivesNextToTheJar() throws Exception {
        Path java = fakeJava("jdk", "21.0.1+2-test");
        Files.createSymbolicLink(dir.resolve("java-link"), java);
        assertEquals("/opt/cfrun/target/cds/cfrun-21.0.1+2-test.jsa", archiveFor(java, "/opt/cfrun/target/cfrun.jar"));
        assertEquals("/x/cds/cfrun-nagios-21.0.1+2-test.jsa", archiveFor(dir.resolve("java-link"), "/x/cfrun-nagios.jar"),
                "symlinks to the java binary are followed to its release file");
        Files.delete(java.getParent().getParent().resolve("release"));
        assertEquals("", archiveFor(java, "/opt/cfrun/target/cfrun.jar"), "no release file: no archive");
    }

    /** JDK 25 and newer: an AOT cache (.aot), unless CFRUN_AOT=0; JDK 17 to 24: a dynamic archive (.jsa). */
    @Test
    void aJvm25OrNewerGetsAnAotCache() throws Exception {
        for (String v : List.of("25.0.3+9-LTS", "25+36", "26-ea+5", "99.0.1+2-test")) {
            assertEquals("/x/cds/cfrun-" + v + ".aot", archiveFor(fakeJava("jdk-" + v, v), "/x/cfrun.jar"), v);
        }
        for (String v : List.of("17.0.15+6-Debian-1deb12u1", "21.0.5+11-LTS", "24.0.2+12")) {
            assertEquals("/x/cds/cfrun-" + v + ".jsa", archiveFor(fakeJava("jdk-" + v, v), "/x/cfrun.jar"), v);
        }
        Out o = run(List.of("env", "CFRUN_AOT=0", "sh", "-c", ". \"$1\"; cds_archive \"$2\" \"$3\"; printf %s \"$cds_file\"",
                "sh", SCRIPT.toString(), fakeJava("jdk25", "25.0.3+9-LTS").toString(), "/x/cfrun.jar"));
        assertEquals("/x/cds/cfrun-25.0.3+9-LTS.jsa", o.out(), "CFRUN_AOT=0: the dynamic archive on JDK 25 too: " + o);
    }

    /** The options launch.sh runs with (cds_options), for an archive that is there, in the environment {@code env}. */
    private String optionsFor(Path java, Path jar, String... env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("env"));
        cmd.addAll(List.of(env));
        cmd.addAll(List.of("sh", "-c", ". \"$1\"; cds_archive \"$2\" \"$3\"; cds_options \"$cfrun_jvm_options\" \"$3\";"
                + " printf '%s|%s' \"$cds_file\" \"$cds_opts\"", "sh", SCRIPT.toString(), java.toString(), jar.toString()));
        Out o = run(cmd);
        assertEquals(0, o.exit(), o.toString());
        assertEquals("", o.err(), o.toString());
        return o.out();
    }

    @Test
    void theLauncherOptionsFollowTheArchiveKind() throws Exception {
        Path jar = Files.write(dir.resolve("cfrun.jar"), new byte[] {1});
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Files.createDirectories(dir.resolve("cds"));
        String base = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xss512k -XX:-UsePerfData";

        Path java17 = fakeJava("jdk17", "17.0.15+6-Debian-1deb12u1");
        Path jsa = dir.resolve("cds/cfrun-17.0.15+6-Debian-1deb12u1.jsa");
        assertEquals("|" + base + " -Xshare:auto", optionsFor(java17, jar), "no archive: the plain options");
        Files.write(jsa, new byte[] {1});
        assertEquals(jsa + "|" + base + " -Xshare:auto -XX:SharedArchiveFile=" + jsa + " -Xlog:cds=off,cds+dynamic=off",
                optionsFor(java17, jar));

        Path java25 = fakeJava("jdk25", "25.0.3+9-LTS");
        Path aot = Files.write(dir.resolve("cds/cfrun-25.0.3+9-LTS.aot"), new byte[] {1});
        assertEquals(aot + "|" + base + " -XX:AOTCache=" + aot + " -Xlog:aot=off,cds=off", optionsFor(java25, jar),
                "an AOT cache goes without -Xshare:auto (the JVM refuses the two together)");
        assertEquals("|" + base + " -Xshare:auto", optionsFor(java25, jar, "JAVA_OPTS=-Xshare:off"),
                "JAVA_OPTS with -Xshare: no AOT cache (the JVM would refuse to start)");
        assertEquals("|" + base + " -Xshare:auto", optionsFor(java25, jar, "JAVA_OPTS=-Xmx64m -XX:AOTMode=off"));
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertEquals("|" + base + " -Xshare:auto", optionsFor(java25, jar),
                "a jar newer than its AOT cache: not used (JDK 25 before 25.0.4 would run the cached, old classes)");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(System.currentTimeMillis() + 120_000));
        Path jsa25 = Files.write(dir.resolve("cds/cfrun-25.0.3+9-LTS.jsa"), new byte[] {1});
        assertEquals(jsa25 + "|" + base + " -Xshare:auto -XX:SharedArchiveFile=" + jsa25 + " -Xlog:cds=off,cds+dynamic=off",
                optionsFor(java25, jar, "CFRUN_AOT=0"), "a dynamic archive is checked by the JVM itself");
    }

    @Test
    void theRunningJvmGetsAName() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String a = archiveFor(java, "/opt/cfrun/target/cfrun.jar");
        assertTrue(a.startsWith("/opt/cfrun/target/cds/cfrun-") && a.endsWith(Runtime.version().feature() >= 25 ? ".aot" : ".jsa"), a);
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
                assertOnlyTheVersion(java + " " + archive, run(cmd));
            }
        }
    }

    private static void assertOnlyTheVersion(String what, Out o) {
        assertEquals(0, o.exit(), what + ": " + o);
        assertTrue(o.out().startsWith("cfrun "), what + ": " + o);
        assertEquals(2, o.out().lines().count(), what + ": only the version: " + o);
        assertEquals("", o.err(), what + ": " + o);
    }

    /**
     * JDK 25: an AOT cache that is missing, garbage, JDK 17's dynamic archive or another jar's cache is ignored
     * silently with the launcher's options (bin/lib/cds.sh cds_options).
     */
    @Test
    void anUnusableAotCacheIsIgnoredSilently() throws Exception {
        Optional<Path> java25 = jdk25();
        if (java25.isEmpty()) {
            return;
        }
        Path garbage = Files.write(dir.resolve("garbage.aot"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        Path jsa17 = dir.resolve("cds17.jsa");
        Out made = run(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ArchiveClassesAtExit=" + jsa17, "-Xlog:cds=off,cds+dynamic=off", "-version"));
        assertEquals(0, made.exit(), made.toString());
        for (Path cache : List.of(garbage, dir.resolve("missing.aot"), jsa17)) {
            List<String> cmd = new ArrayList<>(List.of(java25.get().toString()));
            cmd.addAll(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Xss512k", "-XX:-UsePerfData",
                    "-XX:AOTCache=" + cache, "-Xlog:aot=off,cds=off",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(), "--version"));
            assertOnlyTheVersion(java25.get() + " " + cache, run(cmd));
        }
    }
}
