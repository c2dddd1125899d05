package dev.cfrun.it;

import dev.cfrun.client.AuthenticationFailedException;
import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.ChangedServerKeyException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.TrustPolicy;
import dev.cfrun.client.UnknownServerKeyException;
import dev.cfrun.client.keys.KeyFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keys and trust against a real cf-serverd: who trusts whom, and what happens when they do not. */
class TrustIT {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void unknownServerKeyIsRejectedWithItsDigestAndNothingIsWritten(Protocol protocol) throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client"));
            List<String> before = client.ppkeysListing();
            try (CfRunClient c = client.client(protocol)) {
                UnknownServerKeyException e = assertThrows(UnknownServerKeyException.class,
                        () -> c.run(RunRequest.builder(server.address()).build()));
                assertEquals(server.digest(), e.presentedDigest());
                assertTrue(e.getMessage().contains(server.digest()), e.getMessage());
            }
            assertEquals(before, client.ppkeysListing(), "nothing may be written for an untrusted key");
            assertFalse(server.log().contains("executing cfruncommand"), server.log());

            Proc.Result cli = client.cfrun("-H", server.hostPort(), "--protocol", protocol.name().toLowerCase());
            assertEquals(255, cli.exit(), cli::toString);
            assertEquals("", cli.out());
            assertTrue(cli.err().contains(server.digest()), cli.err());
            assertEquals(1, cli.err().strip().lines().count(), "one line, no stack trace: " + cli.err());
            assertEquals(before, client.ppkeysListing());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void trustOnFirstUseStoresTheKeyThenItIsTrusted(Protocol protocol) throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client"));
            try (CfRunClient c = client.clientBuilder(protocol).trustPolicy(TrustPolicy.trustOnFirstUse()).build()) {
                RunResult first = c.run(RunRequest.builder(server.address()).build());
                assertTrue(first.newlyTrusted());
                assertEquals(server.digest(), first.serverKeyDigest());
            }
            assertTrue(Files.exists(client.ppkeys().resolve("root-" + server.digest() + ".pub")));
            try (CfRunClient c = client.client(protocol)) { // strict now succeeds
                RunResult again = c.run(RunRequest.builder(server.address()).build());
                assertFalse(again.newlyTrusted());
                assertEquals(0, again.exitCode().orElseThrow());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void changedServerKeyAtTheSameAddressIsRefused(Protocol protocol) throws Exception {
        ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client"));
        int port;
        String first;
        try (CfServerd a = CfServerd.builder(tmp.resolve("a")).start()) {
            client.trustWithCfKey(a);
            try (CfRunClient c = client.client(protocol)) {
                assertEquals(0, c.run(RunRequest.builder(a.address()).build()).exitCode().orElseThrow());
            }
            port = a.port();
            first = a.digest();
        }
        // another server (another key) now answers at the same address and port
        try (CfServerd b = CfServerd.builder(tmp.resolve("b")).port(port).start()) {
            assertNotEquals(first, b.digest());
            List<String> before = client.ppkeysListing();
            try (CfRunClient c = client.client(protocol)) {
                ChangedServerKeyException e = assertThrows(ChangedServerKeyException.class,
                        () -> c.run(RunRequest.builder(b.address()).build()));
                assertEquals(first, e.expectedDigest());
                assertEquals(b.digest(), e.presentedDigest());
                assertTrue(e.getMessage().contains(first) && e.getMessage().contains(b.digest()), e.getMessage());
            }
            // even a trust-on-first-use client refuses a changed key
            try (CfRunClient c = client.clientBuilder(protocol).trustPolicy(TrustPolicy.trustOnFirstUse()).build()) {
                assertThrows(ChangedServerKeyException.class, () -> c.run(RunRequest.builder(b.address()).build()));
            }
            assertEquals(before, client.ppkeysListing());
            assertFalse(b.log().contains("executing cfruncommand"), b.log());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void clientKeyUnknownToTheServer(Protocol protocol) throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).trustKeysFrom().start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            try (CfRunClient c = client.client(protocol)) {
                AuthenticationFailedException e = assertThrows(AuthenticationFailedException.class,
                        () -> c.run(RunRequest.builder(server.address()).build()));
                assertTrue(e.likelyCauses().stream().anyMatch(s -> s.contains("cf-key -t") && s.contains(client.digest)),
                        e.likelyCauses()::toString);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void keysMadeByOurGeneratorAreAcceptedByTheRealServer(Protocol protocol) throws Exception {
        // the server accepts only keys its admin installed (no trustkeysfrom)
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).trustKeysFrom().start()) {
            ClientWorkdir client = ClientWorkdir.withOurKeys(tmp.resolve("client")).trustWithCfKey(server);
            assertEquals(client.digest, CfServerd.cfKeyDigest(client.workdir, client.publicKey()), "our digest = cf-key -p");
            server.trustClient(client.publicKey(), null);
            try (CfRunClient c = client.client(protocol)) {
                RunResult r = c.run(RunRequest.builder(server.address()).build());
                assertEquals(0, r.exitCode().orElseThrow());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void aServerRunningOnAKeyMadeByOurGenerator(Protocol protocol) throws Exception {
        Path keys = tmp.resolve("serverkeys");
        KeyFiles.generate(keys.resolve("w"), 2048);
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).serverKeys(keys.resolve("w/ppkeys")).start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            try (CfRunClient c = client.client(protocol)) {
                RunResult r = c.run(RunRequest.builder(server.address()).build());
                assertEquals(server.digest(), r.serverKeyDigest());
                assertEquals(0, r.exitCode().orElseThrow());
            }
        }
    }

    @Test
    void privateKeyOrPpkeysReadableByOthersIsRefused() throws Exception {
        ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client"));
        Path priv = client.ppkeys().resolve("localhost.priv");
        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-r--r--"));
        Proc.Result r = client.cfrun("-H", "127.0.0.1:1");
        assertEquals(101, r.exit(), r::toString);
        assertTrue(r.err().contains("accessible by others") && r.err().contains("chmod 600"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());

        Files.setPosixFilePermissions(priv, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(client.ppkeys(), PosixFilePermissions.fromString("rwxr-xr-x"));
        r = client.cfrun("-H", "127.0.0.1:1");
        assertEquals(101, r.exit(), r::toString);
        assertTrue(r.err().contains("ppkeys") && r.err().contains("chmod 700"), r.err());
    }
}
