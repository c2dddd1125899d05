package dev.cfrun.client.internal;

import dev.cfrun.client.HostAddress;
import dev.cfrun.client.RunResult;
import dev.cfrun.client.RunTimings;
import dev.cfrun.client.internal.protocol.ExecDialogue;
import dev.cfrun.client.internal.protocol.HandshakeResult;

import java.time.Duration;
import java.util.Optional;

/** Assembles a {@link RunResult} from what the steps returned: the one place that calls its constructor. */
final class RunResults {
    private RunResults() {
    }

    /**
     * @param start         the run's start ({@link System#nanoTime()}, before name resolution)
     * @param connected     when the TCP connection was open
     * @param authenticated when the handshake ended
     * @param done          when the reply ended
     */
    static RunResult of(HostAddress host, String address, HandshakeResult hs, ExecDialogue.Outcome exec,
                        long start, long connectStart, long connected, long authenticated, long done) {
        RunTimings timings = new RunTimings(Duration.ofNanos(connected - connectStart),
                Duration.ofNanos(authenticated - connected), Duration.ofNanos(done - authenticated),
                Duration.ofNanos(done - start));
        return new RunResult(host, address, hs.protocol(), hs.version(), hs.serverDigest(), hs.newlyTrusted(),
                hs.serverAuthenticated(), Optional.ofNullable(hs.tlsVersion()), Optional.ofNullable(hs.cipherSuite()),
                exec.command(), exec.lines(), exec.outputLineCount(), exec.exitCode(), timings);
    }
}
