package dev.cfrun.client;

import dev.cfrun.fakeserver.FakeCfServerd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * What every dialogue test needs: a fresh fake server, a client work dir with our key pair, and the
 * client built from it, closed after each test.
 */
abstract class FakeServerFixture {
    @TempDir
    Path dir;
    protected FakeCfServerd fake;
    protected TestClient tc;
    protected CfRunClient client;

    /** The server the tests talk to; by default a cf-serverd 3.21 fake. */
    protected FakeCfServerd startFake() throws Exception {
        return FakeCfServerd.start();
    }

    /** Prepares trust on both sides; by default the fake knows our key and we know nothing. */
    protected void prepare() throws Exception {
        fake.allowClient(tc.identity.publicKey());
    }

    @BeforeEach
    final void startFixture() throws Exception {
        fake = startFake();
        tc = TestClient.in(dir);
        prepare();
    }

    @AfterEach
    final void stopFixture() {
        if (client != null) {
            client.close();
        }
        fake.close();
    }

    /** A client with the given protocol and the default (strict) trust policy. */
    protected CfRunClient client(Protocol p) {
        client = tc.client(p);
        return client;
    }
}
