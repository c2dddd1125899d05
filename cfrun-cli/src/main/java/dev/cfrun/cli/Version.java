package dev.cfrun.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** {@code --version}: our version and the JVM's. */
final class Version implements CommandLine.IVersionProvider {
    static String version() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // fall through
        }
        return p.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {"cfrun " + version() + " (cfrun-java; CFEngine protocols: classic, tls v2, cookie v3)",
            "Java " + System.getProperty("java.version") + " " + System.getProperty("java.vm.name")};
    }
}
