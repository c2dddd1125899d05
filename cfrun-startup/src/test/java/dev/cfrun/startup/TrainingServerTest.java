package dev.cfrun.startup;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.keys.KeyDigest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stand-in answers the real client, over TLS and classic, with the key the work dir was made to trust. */
class TrainingServerTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void aRealClientRunsAgainstIt(Protocol protocol) throws Exception {
        try (TrainingServer server = new TrainingServer()) {
            Path wd = server.clientWorkdir(dir.resolve("work"));
            int port = protocol == Protocol.TLS ? server.tlsPort() : server.classicPort();
            try (CfRunClient client = CfRunClient.builder().workdir(wd).protocol(protocol).build()) {
                RunResult r = client.run(RunRequest.builder(HostAddress.of("127.0.0.1", port)).defineClasses(List.of("x"))
                        .build());
                assertEquals(0, r.exitCode().orElseThrow());
                assertEquals(List.of("training", "R: training run"), r.outputLines());
                assertEquals(KeyDigest.md5(server.publicKey()), r.serverKeyDigest());
                assertFalse(r.newlyTrusted(), "clientWorkdir trusted the key already");
                assertTrue(r.serverAuthenticated(), "classic: the 'y' form, the key being known");
            }
        }
    }
}
