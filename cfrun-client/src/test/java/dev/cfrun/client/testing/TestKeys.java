package dev.cfrun.client.testing;

import dev.cfrun.client.KeyFileException;
import dev.cfrun.client.keys.KeyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** One client key pair, generated once per JVM (RSA generation is slow), copied into each test's work dir. */
public final class TestKeys {
    private static Path template;

    private TestKeys() {
    }

    private static synchronized Path template() throws IOException {
        if (template == null) {
            Path t = Files.createTempDirectory("cfrun-test-keys");
            t.toFile().deleteOnExit();
            KeyFiles.generate(t, 2048);
            Path pp = KeyFiles.ppkeys(t);
            pp.toFile().deleteOnExit();
            pp.resolve(KeyFiles.PRIVATE_FILE).toFile().deleteOnExit();
            pp.resolve(KeyFiles.PUBLIC_FILE).toFile().deleteOnExit();
            template = t;
        }
        return template;
    }

    /** Makes {@code dir} a client work dir: ppkeys/ (0700) with our key pair (0600). */
    public static Path workdir(Path dir) {
        try {
            Path src = KeyFiles.ppkeys(template());
            Path pp = KeyFiles.ppkeys(dir);
            Files.createDirectories(pp);
            Files.setPosixFilePermissions(pp, PosixFilePermissions.fromString("rwx------"));
            for (String f : new String[] {KeyFiles.PRIVATE_FILE, KeyFiles.PUBLIC_FILE}) {
                Files.copy(src.resolve(f), pp.resolve(f));
                Files.setPosixFilePermissions(pp.resolve(f), PosixFilePermissions.fromString("rw-------"));
            }
            return dir;
        } catch (KeyFileException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
