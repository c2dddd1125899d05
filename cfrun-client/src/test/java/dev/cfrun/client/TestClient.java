package dev.cfrun.client;

import dev.cfrun.client.keys.ClientIdentity;
import dev.cfrun.client.keys.KeyDigest;
import dev.cfrun.client.keys.KeyFiles;
import dev.cfrun.client.internal.keys.RsaKeys;
import dev.cfrun.client.internal.trust.TrustStore;
import dev.cfrun.fakeserver.FakeCfServerd;
import dev.cfrun.fakeserver.TestKeys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A client work dir for dialogue tests: {@code ppkeys/} (0700) with {@code localhost.priv/pub} made by
 * {@link KeyFiles#generate} (once per JVM, then copied: 2048-bit generation is slow), and helpers to trust
 * or record server keys the way an admin would.
 */
final class TestClient {
    /** Short deadlines for failure cases. */
    static final Timeouts FAST = Timeouts.builder().connect(Duration.ofSeconds(2)).handshake(Duration.ofSeconds(2))
            .idle(Duration.ofSeconds(2)).build();
    /** Deadlines for runs expected to succeed (generous: a loaded CI machine). */
    static final Timeouts RELAXED = Timeouts.builder().connect(Duration.ofSeconds(10)).handshake(Duration.ofSeconds(10))
            .idle(Duration.ofSeconds(10)).build();
    static final String CLIENT_HOST_NAME = "testhost";

    final Path workdir;
    final Path ppkeys;
    final ClientIdentity identity;

    private TestClient(Path workdir, ClientIdentity identity) {
        this.workdir = workdir;
        this.ppkeys = KeyFiles.ppkeys(workdir);
        this.identity = identity;
    }

    /** A fresh work dir under {@code dir} holding our key pair. */
    static TestClient in(Path dir) {
        try {
            return new TestClient(TestKeys.workdir(dir), KeyFiles.loadFromWorkdir(dir));
        } catch (KeyFileException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code cf-key -t}: the server key as {@code ppkeys/root-MD5=<digest>.pub}, no address record. */
    TestClient trustKeyFile(RSAPublicKey key) {
        try {
            Path f = ppkeys.resolve("root-" + KeyDigest.md5(key) + ".pub");
            Files.writeString(f, RsaKeys.writePublic(key), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key trusted and recorded for 127.0.0.1:port, as a previous successful run leaves it. */
    TestClient trustAndRecord(RSAPublicKey key, int port) {
        try {
            new TrustStore(ppkeys, CfRunClient.localUserName()).trust(key, "127.0.0.1", port);
            return this;
        } catch (KeyFileException e) {
            throw new IllegalStateException(e);
        }
    }

    CfRunClient.Builder builder(Protocol protocol) {
        return CfRunClient.builder().workdir(workdir).protocol(protocol).clientHostName(CLIENT_HOST_NAME)
                .timeouts(FAST);
    }

    CfRunClient client(Protocol protocol) {
        return client(protocol, TrustPolicy.strict());
    }

    CfRunClient client(Protocol protocol, TrustPolicy policy) {
        try {
            return builder(protocol).trustPolicy(policy).build();
        } catch (KeyFileException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every file in ppkeys with its content, to show that a failed run wrote nothing. */
    Map<String, String> ppkeysSnapshot() {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(ppkeys)) {
            for (Path p : s.toList()) {
                out.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The address record line for the fake, or null. */
    String recordFor(FakeCfServerd fake) {
        Path f = ppkeys.resolve(TrustStore.RECORD_FILE);
        try {
            if (!Files.exists(f)) {
                return null;
            }
            return Files.readAllLines(f).stream().filter(l -> l.startsWith("127.0.0.1 " + fake.port() + " "))
                    .findFirst().orElse(null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static RSAPublicKey pub(java.security.KeyPair kp) {
        return (RSAPublicKey) kp.getPublic();
    }

    static RunRequest request(FakeCfServerd fake) {
        return RunRequest.builder(fake.hostSpec()).build();
    }
}
