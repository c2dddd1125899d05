package dev.cfrun.it;

import dev.cfrun.client.CfRunClient;
import dev.cfrun.client.Protocol;
import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.RunResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Successful runs against a real cf-serverd 3.21, over TLS and classic, with keys made by cf-key. */
class RunIT {
    @TempDir
    static Path tmp;
    static CfServerd server;
    static ClientWorkdir client;

    @BeforeAll
    static void start() {
        server = CfServerd.builder(tmp.resolve("srv")).roles().start();
        client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void agentOutputArrivesIntact(Protocol protocol) throws Exception {
        List<String> streamed = Collections.synchronizedList(new ArrayList<>());
        RunResult r;
        try (CfRunClient c = client.client(protocol)) {
            r = c.run(RunRequest.builder(server.address())
                    .listener((host, address, line) -> streamed.add(address + "|" + line.kind() + "|" + line.text()))
                    .build());
        }
        assertEquals(protocol, r.protocol());
        assertEquals(protocol == Protocol.TLS ? 3 : 1, r.protocolVersion());
        assertEquals(server.digest(), r.serverKeyDigest());
        assertEquals("127.0.0.1", r.address());
        assertTrue(r.command().orElseThrow().contains("/bin/cf-agent\" -I -K"), r.command().toString());
        assertTrue(r.outputLines().contains("R: IT-REPORT main workdir=" + server.workdir() + " version=3.21.0"),
                () -> r.outputLines() + "\n" + server.log());
        assertEquals(0, r.exitCode().orElseThrow());
        assertEquals(ReplyLine.Kind.COMMAND, r.lines().get(0).kind());
        assertEquals(ReplyLine.Kind.EXIT_CODE, r.lines().get(r.lines().size() - 1).kind());
        assertEquals(r.lines().size(), streamed.size());
        assertTrue(streamed.get(0).startsWith("127.0.0.1|COMMAND|"), streamed.get(0));
        assertTrue(r.serverKeyDigest().startsWith("MD5="));
        assertTrue(!r.newlyTrusted());
        if (protocol == Protocol.TLS) {
            assertEquals("TLSv1.3", r.tlsVersion().orElseThrow());
            assertEquals("TLS_AES_256_GCM_SHA384", r.cipherSuite().orElseThrow());
        } else {
            assertTrue(r.tlsVersion().isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void classesAndBundlesReachTheAgent(Protocol protocol) throws Exception {
        try (CfRunClient c = client.client(protocol)) {
            RunResult with = c.run(RunRequest.builder(server.address())
                    .defineClasses("cfrun_it_class").bundles("it_bundle").build());
            assertTrue(with.command().orElseThrow().endsWith("-D cfrun_it_class --bundlesequence it_bundle"),
                    with.command().orElseThrow());
            assertTrue(with.outputLines().contains("R: IT-BUNDLE it_bundle sees cfrun_it_class"), with.outputLines()::toString);
            assertTrue(with.outputLines().stream().noneMatch(l -> l.contains("IT-REPORT main")), "main must not run");

            RunResult without = c.run(RunRequest.builder(server.address()).bundles("it_bundle").build());
            assertTrue(without.outputLines().contains("R: IT-BUNDLE it_bundle without cfrun_it_class"),
                    without.outputLines()::toString);
            assertEquals(0, without.exitCode().orElseThrow());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void selectClassesRunOnlyWhereDefined(Protocol protocol) throws Exception {
        try (CfRunClient c = client.client(protocol)) {
            RunResult r = c.run(RunRequest.builder(server.address()).selectClasses("no_such_class,any").build());
            assertTrue(r.outputLines().stream().anyMatch(l -> l.contains("IT-REPORT main")), r.outputLines()::toString);
        }
    }
}
