package dev.cfrun.it;

import dev.cfrun.client.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one cell of the interop matrix (a CFEngine version, a protocol, a JDK) was seen to do: printed to
 * the test log as it is observed and written to {@code target/interop/<version>-<protocol>-jdk<N>.txt}
 * (scripts/test.sh prints those files after the run; docs/compatibility.md is filled from them).
 */
final class Observations {
    private final CfVersion version;
    private final Protocol protocol;
    private final int jdk = Runtime.version().feature();
    private final Map<String, String> seen = new LinkedHashMap<>();

    Observations(CfVersion version, Protocol protocol) {
        this.version = version;
        this.protocol = protocol;
    }

    synchronized void put(String key, Object value) {
        String v = String.valueOf(value).replace("\n", "\\n");
        seen.put(key, v);
        System.out.println("[interop] " + cell() + ": " + key + " = " + v);
    }

    String cell() {
        return version + " " + protocol + " JDK " + jdk;
    }

    synchronized void write() {
        StringBuilder sb = new StringBuilder("# " + cell() + "\n");
        seen.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        System.out.print(sb);
        Path dir = Path.of(System.getProperty("basedir", ".")).resolve("target/interop");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(version.tag + "-" + protocol.name().toLowerCase() + "-jdk" + jdk + ".txt"),
                    sb.toString(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
