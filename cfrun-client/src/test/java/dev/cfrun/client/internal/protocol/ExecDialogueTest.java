package dev.cfrun.client.internal.protocol;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ConnectionLostException;
import dev.cfrun.client.ReplyLine.Kind;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.ServerRefusedException;
import dev.cfrun.client.internal.transport.Frames;
import dev.cfrun.client.internal.transport.LoopbackPair;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The EXEC dialogue over a loopback connection, the test playing cf-serverd. */
class ExecDialogueTest {
    private static final Peer PEER = new Peer("127.0.0.1", 5308, "alice", "MD5=00");
    private static final String TERMINATOR = Frames.TERMINATOR;

    private static void send(LoopbackPair p, String... payloads) throws IOException {
        for (String s : payloads) {
            p.serverSends(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String received(LoopbackPair p) throws IOException {
        return new String(p.serverReceives(), StandardCharsets.UTF_8);
    }

    @Test
    void sendsTheRequestInOneGoAndReadsTheReplyToTheTerminator() throws Exception {
        try (LoopbackPair p = new LoopbackPair()) {
            send(p, "cf-serverd executing cfruncommand: /usr/bin/cf-agent -Dx\n", "> R: hello\n", "(exit code: 4)\n",
                    TERMINATOR + "\0");
            p.client().enterExec();
            ExecDialogue.Outcome out = ExecDialogue.run(p.client(),
                    RunRequest.builder("127.0.0.1").defineClasses("x").bundles("b").selectClasses("linux", "web").build(),
                    PEER);
            assertEquals("EXEC -Dx -b b", received(p));
            assertEquals("linux", received(p));
            assertEquals("web", received(p));
            assertEquals(TERMINATOR, received(p));
            assertEquals("/usr/bin/cf-agent -Dx", out.command().orElseThrow());
            assertEquals(1, out.outputLineCount());
            assertEquals(OptionalInt.of(4), out.exitCode());
            assertEquals(List.of(Kind.COMMAND, Kind.OUTPUT, Kind.EXIT_CODE), out.lines().stream().map(l -> l.kind()).toList());
        }
    }

    @Test
    void aRefusalBeforeAnyCommandIsThrownWithItsCauses() throws Exception {
        try (LoopbackPair p = new LoopbackPair()) {
            send(p, "BAD: Unspecified server refusal (see verbose server output)", TERMINATOR);
            p.client().enterExec();
            ServerRefusedException e = assertThrows(ServerRefusedException.class,
                    () -> ExecDialogue.run(p.client(), RunRequest.builder("127.0.0.1").build(), PEER));
            assertEquals("server 127.0.0.1:5308 refused EXEC: BAD: Unspecified server refusal (see verbose server output)",
                    e.getMessage());
            assertEquals(RefusalCauses.execRefused("alice"), e.likelyCauses());
        }
    }

    @Test
    void aCloseAfterOutputIsALostConnectionNotARefusal() throws Exception {
        try (LoopbackPair p = new LoopbackPair()) {
            send(p, "cf-serverd executing cfruncommand: /usr/bin/cf-agent\n", "> one\n", "> two\n");
            p.client().enterExec();
            RunRequest request = RunRequest.builder("127.0.0.1").build();
            Thread closer = new Thread(() -> {
                try {
                    received(p); // the EXEC line and the terminator, then hang up
                    received(p);
                    p.serverCloses();
                } catch (IOException ignored) {
                    // the assertion below reports it
                }
            });
            closer.start();
            CfRunException e = assertThrows(ConnectionLostException.class, () -> ExecDialogue.run(p.client(), request, PEER));
            closer.join();
            assertTrue(e.getMessage().startsWith("connection to 127.0.0.1:5308 lost after 3 reply lines"), e.getMessage());
            assertEquals(3, e.linesReceived().size());
        }
    }
}
