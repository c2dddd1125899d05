package dev.cfrun.client;

import dev.cfrun.fakeserver.FakeCfServerd.Reply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The server hangs up after 0, 1, 2, … bytes of the whole dialogue — inside a header, a payload, an RSA
 * block, a line — until the run finally completes. Every cut must end with a typed {@link CfRunException}
 * at once (no hang, no unchecked exception, never a "successful" run with a truncated reply).
 */
class HangUpEverywhereTest extends FakeServerFixture {

    @Override
    protected void prepare() throws Exception {
        super.prepare();
        tc.trustKeyFile(fake.publicKey());
    }

    @ParameterizedTest
    @EnumSource(value = Protocol.class, names = {"TLS", "CLASSIC"})
    void everyCutIsATypedErrorUntilTheWholeReplyIsThere(Protocol p) throws Exception {
        fake.reply(Reply.ok("/var/cfengine/bin/cf-agent -I -K", 0, "first line", "second line"));
        client(p);
        client.run(TestClient.request(fake)); // records the address: the classic runs below use the "y" form
        Map<ErrorKind, Integer> kinds = new EnumMap<>(ErrorKind.class);
        int cut = 0;
        for (; cut < 5000; cut++) {
            fake.cutAfter(cut);
            long t0 = System.nanoTime();
            try {
                RunResult r = client.run(TestClient.request(fake));
                assertEquals(java.util.List.of("first line", "second line"), r.outputLines(), "cut at " + cut);
                assertEquals(0, r.exitCode().orElseThrow(), "cut at " + cut);
                break; // the whole dialogue fitted: done
            } catch (CfRunException e) {
                kinds.merge(e.kind(), 1, Integer::sum);
                assertTrue(e.kind() != ErrorKind.TIMEOUT, "a hang-up is not a timeout, cut at " + cut + ": " + e);
            } catch (RuntimeException e) {
                fail("cut at " + cut + ": unchecked " + e, e);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 3000, "cut at " + cut + " took " + ms + " ms");
        }
        assertTrue(cut > 50 && cut < 5000, "the dialogue was cut at every byte up to " + cut);
        assertTrue(kinds.containsKey(ErrorKind.CONNECTION_LOST), "cuts in the output lose the connection: " + kinds);
        System.out.println(p + ": " + cut + " cuts, errors by kind " + kinds);
    }
}
