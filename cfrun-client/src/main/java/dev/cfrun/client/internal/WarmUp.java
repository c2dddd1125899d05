package dev.cfrun.client.internal;

import dev.cfrun.client.Protocol;
import dev.cfrun.client.internal.protocol.classic.ClassicHandshake;
import dev.cfrun.client.internal.protocol.tls.TlsContext;

/** See {@link dev.cfrun.client.CfRunClient#warmUp}: the JDK's per-process set-up, on a daemon thread. */
public final class WarmUp {
    private WarmUp() {
    }

    /** Starts the warm-up for this protocol and returns at once. */
    public static void start(Protocol protocol) {
        Thread t = new Thread(protocol == Protocol.CLASSIC ? ClassicHandshake::warmUp : TlsContext::warmUp,
                "cfrun-warm-up");
        t.setDaemon(true);
        t.start();
    }
}
