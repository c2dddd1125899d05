package dev.cfrun.it;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.ConnectFailedException;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.ServerRefusedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Server-side refusals and unreachable servers, each with a typed error that says what to check. */
class FailureIT {
    @TempDir
    Path tmp;

    private static boolean mentions(ServerRefusedException e, String setting) {
        return e.likelyCauses().stream().anyMatch(c -> c.contains(setting));
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void userNotAllowed(Protocol protocol) throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).allowUsers("nobody").start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            try (CfRunClient c = client.client(protocol)) {
                ServerRefusedException e = assertThrows(ServerRefusedException.class,
                        () -> c.run(RunRequest.builder(server.address()).build()));
                assertTrue(e.serverText().orElseThrow().contains("Unspecified server refusal"), e.getMessage());
                assertTrue(mentions(e, "allowusers"), e.likelyCauses()::toString);
                assertEquals(ReplyLine.Kind.REFUSAL, e.linesReceived().get(0).kind());
            }
            assertTrue(server.log().contains("EXEC denied due to not allowed user"), server.log());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void noCfruncommand(Protocol protocol) throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).noCfruncommand().start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            try (CfRunClient c = client.client(protocol)) {
                ServerRefusedException e = assertThrows(ServerRefusedException.class,
                        () -> c.run(RunRequest.builder(server.address()).build()));
                assertTrue(mentions(e, "cfruncommand"), e.likelyCauses()::toString);
            }
            assertTrue(server.log().contains("EXEC denied due to empty cfruncommand"), server.log());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void roleNotAuthorized(Protocol protocol) throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).start()) { // no roles
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            try (CfRunClient c = client.client(protocol)) {
                ServerRefusedException e = assertThrows(ServerRefusedException.class,
                        () -> c.run(RunRequest.builder(server.address()).defineClasses("someclass").build()));
                assertTrue(e.serverText().orElseThrow().contains("EXEC denied role activation"), e.getMessage());
                assertTrue(mentions(e, "roles"), e.likelyCauses()::toString);
                ServerRefusedException b = assertThrows(ServerRefusedException.class,
                        () -> c.run(RunRequest.builder(server.address()).bundles("main").build()));
                assertTrue(mentions(b, "resource_type => \"bundle\""), b.likelyCauses()::toString);
            }
        }
    }

    @Test
    void classicRefusedWithoutAllowlegacyconnects() throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).legacy().start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            try (CfRunClient c = client.client(Protocol.CLASSIC)) {
                ServerRefusedException e = assertThrows(ServerRefusedException.class,
                        () -> c.run(RunRequest.builder(server.address()).build()));
                assertTrue(mentions(e, "allowlegacyconnects"), e.likelyCauses()::toString);
            }
            try (CfRunClient c = client.client(Protocol.AUTO)) { // TLS still works
                assertEquals(Protocol.TLS, c.run(RunRequest.builder(server.address()).build()).protocol());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void serverDown(Protocol protocol) throws Exception {
        ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client"));
        int port = CfServerd.freePort("127.0.0.1");
        try (CfRunClient c = client.client(protocol)) {
            assertThrows(ConnectFailedException.class, () -> c.run(RunRequest.builder("127.0.0.1:" + port).build()));
        }
        Proc.Result r = client.cfrun("-H", "127.0.0.1:" + port);
        assertEquals(255, r.exit());
        assertTrue(r.err().contains("could not connect to 127.0.0.1:" + port), r.err());
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void ipv6Loopback(Protocol protocol) throws Exception {
        try (CfServerd server = CfServerd.builder(tmp.resolve("srv")).bind("::1").start()) {
            ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
            try (CfRunClient c = client.client(protocol)) {
                RunResult r = c.run(RunRequest.builder(server.address()).build());
                assertEquals("::1", r.address());
                assertEquals(0, r.exitCode().orElseThrow());
            }
            Proc.Result cli = client.cfrun("-H", "[::1]:" + server.port(), "--protocol", protocol.name().toLowerCase());
            assertEquals(0, cli.exit(), cli::toString);
            assertTrue(cli.out().startsWith("::1> cf-serverd executing cfruncommand: "), cli.out());
        }
    }
}
