package dev.cfrun.nagios;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The detached run starts with the launcher's JVM options and its class-data-sharing archive. */
class DetachedRunOptionsTest {
    @TempDir
    Path dir;

    @Test
    void theDetachedRunGetsTheLaunchersOptionsAndArchive() throws Exception {
        Path archive = Files.write(dir.resolve("cfrun-nagios-17.jsa"), new byte[] {1});
        String before = System.getProperty("cfrun.jvm.options");
        String beforeCds = System.getProperty("cfrun.cds");
        try {
            System.clearProperty("cfrun.jvm.options");
            System.clearProperty("cfrun.cds");
            assertEquals(List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-Xshare:auto",
                    "-Xss512k"),
                    DetachedRun.childJvmOptions(), "plain java -jar: short-lived defaults");
            System.setProperty("cfrun.jvm.options", " -XX:+UseSerialGC  -Xss512k ");
            System.setProperty("cfrun.cds", archive.toString());
            assertEquals(List.of("-XX:+UseSerialGC", "-Xss512k", "-Dcfrun.jvm.options= -XX:+UseSerialGC  -Xss512k ",
                    "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off,cds+dynamic=off", "-Dcfrun.cds=" + archive),
                    DetachedRun.childJvmOptions());
            Files.delete(archive);
            List<String> gone = DetachedRun.childJvmOptions();
            assertFalse(gone.stream().anyMatch(o -> o.contains("SharedArchiveFile")), "an archive gone is not passed on: " + gone);
            assertTrue(gone.contains("-Xss512k"), gone.toString());
        } finally {
            restore("cfrun.jvm.options", before);
            restore("cfrun.cds", beforeCds);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
