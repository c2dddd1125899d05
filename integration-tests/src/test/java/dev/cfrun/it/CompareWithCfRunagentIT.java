package dev.cfrun.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same server, hailed by /usr/bin/cf-runagent and by our CLI: the same stdout, byte for byte, and the
 * same exit code. cf-runagent is given the protocol through its policy file (protocol_version).
 */
class CompareWithCfRunagentIT {
    @TempDir
    static Path tmp;
    static CfServerd agent;
    static CfServerd script;
    static CfServerd seq;
    static CfServerd refusing;
    static ClientWorkdir client;

    @BeforeAll
    static void start() {
        agent = CfServerd.builder(tmp.resolve("agent")).roles().start();
        script = CfServerd.builder(tmp.resolve("script"))
                .cfruncommand("/bin/sh -c 'echo agent-stdout; echo agent-stderr >&2; echo \"  indented  \"; exit 3'")
                .start();
        seq = CfServerd.builder(tmp.resolve("seq")).cfruncommand("/usr/bin/seq 1 5000").start();
        refusing = CfServerd.builder(tmp.resolve("refusing")).allowUsers("nobody").start();
        client = ClientWorkdir.withCfKey(tmp.resolve("client"));
        for (CfServerd s : List.of(agent, script, seq, refusing)) {
            client.trustWithCfKey(s);
        }
    }

    @AfterAll
    static void stop() {
        for (CfServerd s : new CfServerd[] {agent, script, seq, refusing}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static Proc.Result[] both(CfServerd server, String protocol, String... extra) {
        client.cfRunagentLoopbackQuirk(server);
        Proc.Result theirs = client.cfRunagent(server, protocol, extra);
        String[] ours = new String[extra.length + 4];
        ours[0] = "-H";
        ours[1] = server.hostPort();
        ours[2] = "--protocol";
        ours[3] = protocol.equals("classic") ? "classic" : "tls";
        System.arraycopy(extra, 0, ours, 4, extra.length);
        Proc.Result mine = client.cfrun(ours);
        return new Proc.Result[] {theirs, mine};
    }

    private static void assertSame(Proc.Result[] r) {
        assertEquals(r[0].out(), r[1].out(), () -> "cf-runagent:\n" + r[0] + "\ncfrun:\n" + r[1]);
        assertEquals(r[0].exit(), r[1].exit(), () -> "cf-runagent:\n" + r[0] + "\ncfrun:\n" + r[1]);
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "classic"})
    void agentRun(String protocol) {
        Proc.Result[] r = both(agent, protocol);
        assertSame(r);
        assertEquals(0, r[1].exit());
        assertTrue(r[1].out().contains("127.0.0.1> -> R: IT-REPORT main"), r[1].out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "classic"})
    void classesAndBundles(String protocol) {
        assertSame(both(agent, protocol, "-D", "cfrun_it_class", "--remote-bundles", "it_bundle"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "classic"})
    void remoteExitCodeAndStderr(String protocol) {
        Proc.Result[] r = both(script, protocol);
        assertSame(r);
        assertEquals(3, r[1].exit());
        assertTrue(r[1].out().contains("127.0.0.1> -> agent-stderr\n"), r[1].out());
        assertTrue(r[1].out().endsWith("127.0.0.1> (exit code: 3)\n"), r[1].out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "classic"})
    void fiveThousandLinesInOrder(String protocol) {
        Proc.Result[] r = both(seq, protocol);
        assertSame(r);
        String[] lines = r[1].out().split("\n");
        assertEquals(5002, lines.length); // command, 5000 lines, exit code
        for (int i = 1; i <= 5000; i++) {
            assertEquals("127.0.0.1> -> " + i, lines[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "classic"})
    void refusal(String protocol) {
        Proc.Result[] r = both(refusing, protocol);
        assertSame(r);
        assertEquals(255, r[1].exit());
        assertEquals("127.0.0.1> !!  Unspecified server refusal (see verbose server output)\n\n", r[1].out());
        assertTrue(r[1].err().contains("allowusers"), r[1].err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"latest", "classic"})
    void selectClassMismatch(String protocol) {
        Proc.Result[] r = both(agent, protocol, "-s", "no_such_class");
        assertSame(r);
        assertTrue(r[1].out().contains("EXEC denied due to failed class match"), r[1].out());
    }
}
