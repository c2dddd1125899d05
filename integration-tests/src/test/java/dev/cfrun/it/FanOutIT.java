package dev.cfrun.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many hosts at once: a cfrun.hosts file of 50 distinct loopback addresses (127.0.0.2 … 127.0.0.51),
 * all answered by one real cf-serverd listening on every address, hailed 20 at a time.
 */
class FanOutIT {
    static final int HOSTS = 50;
    static final String SCRIPT = "/bin/sh -c 'for i in 1 2 3 4 5; do echo line-$i; sleep 0.02; done'";

    @TempDir
    static Path tmp;
    static CfServerd server;
    static Path hostsFile;
    static List<String> addresses = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = CfServerd.builder(tmp.resolve("srv")).bindAll().cfruncommand(SCRIPT).start();
        StringBuilder sb = new StringBuilder("# 50 hosts on one machine\nmaxchild = 5\n");
        for (int i = 2; i < 2 + HOSTS; i++) {
            String a = "127.0.0." + i;
            addresses.add(a);
            sb.append(a).append(':').append(server.port()).append('\n');
        }
        hostsFile = tmp.resolve("cfrun.hosts");
        Files.writeString(hostsFile, sb.toString());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Splits text output into per-address blocks and checks that no block is interrupted by another host. */
    static Map<String, List<String>> blocks(String out) {
        Map<String, List<String>> blocks = new LinkedHashMap<>();
        String current = null;
        for (String line : out.split("\n")) {
            String addr = line.substring(0, line.indexOf("> "));
            if (!addr.equals(current)) {
                assertFalse(blocks.containsKey(addr), "output of " + addr + " is not contiguous:\n" + out);
                current = addr;
                blocks.put(addr, new ArrayList<>());
            }
            blocks.get(addr).add(line.substring(addr.length() + 2));
        }
        return blocks;
    }

    @Test
    void fiftyHostsTwentyAtATimeEachGroupedAndComplete() {
        ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("client")).trustWithCfKey(server);
        Proc.Result r = client.cfrun("-f", hostsFile.toString(), "-b", "20");
        assertEquals(0, r.exit(), r::toString);
        Map<String, List<String>> blocks = blocks(r.out());
        assertEquals(HOSTS, blocks.size());
        assertEquals(new java.util.HashSet<>(addresses), blocks.keySet());
        for (List<String> b : blocks.values()) {
            assertEquals(List.of("cf-serverd executing cfruncommand: " + SCRIPT, "-> line-1", "-> line-2", "-> line-3",
                    "-> line-4", "-> line-5", "(exit code: 0)"), b);
        }
        assertTrue(r.err().matches("(?s)cfrun: 50 hosts in [0-9.]+ s: 50 ok, 0 failed, 0 unreachable\\n"), r.err());

        Proc.Result sorted = client.cfrun("-f", hostsFile.toString(), "-b", "20", "--sorted", "-q");
        assertEquals(0, sorted.exit());
        assertEquals(addresses, new ArrayList<>(blocks(sorted.out()).keySet()), "--sorted keeps the file's order");
        assertEquals("", sorted.err());
    }

    @Test
    void jsonOutputParsesBack() throws Exception {
        ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("jsonclient")).trustWithCfKey(server);
        long t0 = System.nanoTime();
        Proc.Result r = client.cfrun("-f", hostsFile.toString(), "-b", "20", "--format", "json", "-q");
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, r.exit(), r::toString);
        ObjectMapper mapper = new ObjectMapper();
        List<String> seen = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            JsonNode j = mapper.readTree(line);
            seen.add(j.get("host").asText());
            assertEquals(server.port(), j.get("port").asInt());
            assertEquals(j.get("host").asText(), j.get("address").asText());
            assertEquals("tls", j.get("protocol").asText());
            assertEquals(3, j.get("protocol_version").asInt());
            assertEquals(server.digest(), j.get("server_key").asText());
            assertEquals(0, j.get("exit_code").asInt());
            assertTrue(j.get("ok").asBoolean());
            assertTrue(j.get("error").isNull());
            List<String> output = new ArrayList<>();
            j.get("output").forEach(n -> output.add(n.asText()));
            assertEquals(List.of("line-1", "line-2", "line-3", "line-4", "line-5"), output);
            assertEquals("command", j.get("lines").get(0).get("kind").asText());
            assertEquals("exit_code", j.get("lines").get(6).get("kind").asText());
            assertTimings(j.get("timings_ms"), wallMs);
        }
        assertEquals(new java.util.HashSet<>(addresses), new java.util.HashSet<>(seen));
        assertEquals(HOSTS, seen.size());
    }

    /**
     * A run's phases add up to at most its total (each rounded down to whole ms: 1 ms per phase), the total is
     * within the wall time of the cfrun process, and the agent's run took its five 20 ms sleeps.
     */
    static void assertTimings(JsonNode t, long wallMs) {
        long connect = t.get("connect").asLong();
        long handshake = t.get("handshake").asLong();
        long exec = t.get("exec").asLong();
        long total = t.get("total").asLong();
        assertTrue(connect + handshake + exec <= total + 3, "the phases add up to more than the total: " + t);
        assertTrue(total <= wallMs, "total above the wall time of the whole cfrun (" + wallMs + " ms): " + t);
        assertTrue(exec >= 100, "exec shorter than the script's 5 x 20 ms sleeps: " + t);
    }

    @Test
    void trustOnFirstUseStoresKeysThatCfEngineToolsAccept() {
        ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("tofu"));
        Proc.Result strict = client.cfrun("-f", hostsFile.toString(), "-b", "20", "-q");
        assertEquals(HOSTS, strict.exit(), "every host refused: " + strict.err());
        assertEquals(HOSTS, strict.err().lines().filter(l -> l.contains(server.digest())).count());

        Proc.Result tofu = client.cfrun("-f", hostsFile.toString(), "-b", "20", "-T");
        assertEquals(0, tofu.exit(), tofu::toString);
        assertTrue(tofu.err().contains("trusted new server key " + server.digest()), tofu.err());
        Path stored = client.ppkeys().resolve("root-" + server.digest() + ".pub");
        assertTrue(Files.exists(stored));
        // the stored file is a CFEngine key file: cf-key reads it, cf-runagent trusts the server with it
        assertEquals(server.digest(), CfServerd.cfKeyDigest(client.workdir, stored));
        Proc.Result c = client.cfRunagent(server, "latest");
        assertEquals(0, c.exit(), c::toString);

        Proc.Result again = client.cfrun("-f", hostsFile.toString(), "-b", "20", "-q");
        assertEquals(0, again.exit(), again::toString);
    }

    @Test
    void exitCodeCountsFailedHosts() throws Exception {
        ClientWorkdir client = ClientWorkdir.withCfKey(tmp.resolve("mixed")).trustWithCfKey(server);
        int closed = CfServerd.freePort("127.0.0.1");
        Path mixed = tmp.resolve("mixed.hosts");
        Files.writeString(mixed, "127.0.0.2:" + server.port() + "\n127.0.0.3:" + closed + "\n127.0.0.4:" + closed
                + "\n127.0.0.5:" + server.port() + "\n");
        Proc.Result r = client.cfrun("-f", mixed.toString(), "-b", "4");
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains("4 hosts") && r.err().contains("2 ok, 0 failed, 2 unreachable"), r.err());
        // bare host names select hosts of the file, as with cfrun
        Proc.Result one = client.cfrun("-f", mixed.toString(), "127.0.0.5:" + server.port());
        assertEquals(0, one.exit(), one::toString);
        assertEquals(7, one.out().lines().count());
    }
}
