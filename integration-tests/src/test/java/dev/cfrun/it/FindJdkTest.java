package dev.cfrun.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scripts/find-jdk.sh, which picks the JDK the failsafe execution "jdk25" runs on: over fake JDK homes (a
 * release file and an executable bin/java), with the search directories replaced by $CFRUN_JDK_ROOTS.
 */
class FindJdkTest {
    static final Path SCRIPT = Path.of("..", "scripts", "find-jdk.sh").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private Path jdk(String dir, String javaVersion) throws IOException {
        Path home = tmp.resolve(dir);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + javaVersion + "\"\n");
        Path java = Files.writeString(home.resolve("bin/java"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home.toRealPath();
    }

    private Proc.Result find(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(SCRIPT.toString(), "25"));
        cmd.addAll(List.of(args));
        Map<String, String> e = new HashMap<>(env);
        e.putIfAbsent("CFRUN_JDK_ROOTS", tmp.resolve("roots").toString());
        // the machine's own settings must not decide the outcome
        for (String v : List.of("CFRUN_JDK25", "JAVA25_HOME", "JDK25_HOME", "JAVA_HOME_25_X64", "JAVA_HOME_25_AARCH64",
                "JAVA_HOME")) {
            e.putIfAbsent(v, "");
        }
        return Proc.run(cmd, e, Duration.ofSeconds(20));
    }

    @Test
    void theNewestJdk25UnderTheSearchDirectoriesWins() throws IOException {
        jdk("roots/temurin-25-jdk-amd64", "25.0.1");
        Path newest = jdk("roots/jdk-25.0.3", "25.0.3");
        jdk("roots/java-17-openjdk-amd64", "17.0.15");
        jdk("roots/jdk-250", "250"); // not 25: the version is compared whole
        Files.createSymbolicLink(tmp.resolve("roots/default-java"), tmp.resolve("roots/temurin-25-jdk-amd64"));
        Proc.Result r = find(Map.of());
        assertEquals(0, r.exit(), r::toString);
        assertEquals(newest + "\n", r.out());
    }

    @Test
    void javaHomeStyleVariablesComeBeforeTheSearchDirectories() throws IOException {
        jdk("roots/jdk-25.0.3", "25.0.3");
        Path home = jdk("elsewhere/jdk25", "25");
        Path jdk17 = jdk("elsewhere/jdk17", "17.0.15");
        for (String v : List.of("JAVA25_HOME", "JDK25_HOME", "JAVA_HOME_25_X64", "JAVA_HOME")) {
            Proc.Result r = find(Map.of(v, home.toString()));
            assertEquals(home + "\n", r.out(), v + ": " + r);
        }
        Proc.Result r = find(Map.of("JAVA_HOME", jdk17.toString()));
        assertEquals(tmp.resolve("roots/jdk-25.0.3").toRealPath() + "\n", r.out(), "a JAVA_HOME of JDK 17 is passed over: " + r);
    }

    @Test
    void anExplicitChoiceMustBeAJdk25() throws IOException {
        Path jdk17 = jdk("jdk17", "17.0.15");
        Path jdk25 = jdk("jdk25", "25.0.3");
        jdk("roots/jdk-25.0.9", "25.0.9");
        assertEquals(jdk25 + "\n", find(Map.of(), jdk25.toString()).out(), "-Dcfrun.jdk25= wins over the search");
        assertEquals(jdk25 + "\n", find(Map.of("CFRUN_JDK25", jdk25.toString())).out(), "$CFRUN_JDK25 too");
        Proc.Result wrong = find(Map.of("CFRUN_JDK25", jdk17.toString()));
        assertEquals(2, wrong.exit(), wrong::toString);
        assertEquals("", wrong.out());
        assertTrue(wrong.err().contains("$CFRUN_JDK25 is " + jdk17 + ", which is not a JDK 25"), wrong.err());
        assertEquals(2, find(Map.of(), tmp.resolve("missing").toString()).exit());
    }

    @Test
    void noneFoundSaysWhereItLooked() throws IOException {
        jdk("roots/jdk-17", "17.0.15");
        Proc.Result r = find(Map.of("JAVA_HOME", tmp.resolve("roots/jdk-17").toString()));
        assertEquals(1, r.exit(), r::toString);
        assertEquals("", r.out());
        assertTrue(r.err().contains("no JDK 25 found; looked at: $JAVA_HOME=" + tmp.resolve("roots/jdk-17") + " "
                + tmp.resolve("roots") + "/*"), r.err());
        assertTrue(r.err().contains("CFRUN_JDK25=/path/to/jdk"), r.err());
    }
}
