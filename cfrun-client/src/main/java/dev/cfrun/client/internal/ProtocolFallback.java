package dev.cfrun.client.internal;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ErrorKind;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Protocol#AUTO} rule, in this one place: a server that does not speak TLS at all (no TLS session,
 * {@link Outcome.NoTls}) is tried once more with classic. Only a TLS failure before any trust decision
 * counts; with {@link Protocol#TLS} it is reported as it is.
 */
public final class ProtocolFallback {
    private static final Logger log = LoggerFactory.getLogger(ProtocolFallback.class);

    /** One try with a given protocol. */
    public interface Try<T> {
        Outcome<T> with(Protocol protocol) throws CfRunException;
    }

    private ProtocolFallback() {
    }

    /**
     * @param configured the client's protocol setting
     * @param first      the protocol to try first (TLS, or CLASSIC when configured or for CFEngine 2)
     */
    public static <T> T run(Protocol configured, Protocol first, HostAddress host, Try<T> attempt) throws CfRunException {
        Outcome<T> outcome = attempt.with(first);
        if (outcome instanceof Outcome.Done<T> done) {
            return done.value();
        }
        CfRunException tlsError = ((Outcome.NoTls<T>) outcome).error();
        if (configured != Protocol.AUTO) {
            throw tlsError;
        }
        log.debug("{}: TLS handshake failed ({}); trying the classic protocol", host, tlsError.getMessage());
        try {
            Outcome<T> classic = attempt.with(Protocol.CLASSIC);
            if (classic instanceof Outcome.Done<T> done) {
                return done.value();
            }
            throw tlsError; // classic never ends without a TLS session; kept total
        } catch (CfRunException classic) {
            // a 3.x server that refuses us refuses classic too; its TLS error says more
            throw classic.kind() == ErrorKind.REFUSED ? tlsError : classic;
        }
    }
}
