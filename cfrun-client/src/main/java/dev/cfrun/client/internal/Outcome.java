package dev.cfrun.client.internal;

import dev.cfrun.client.CfRunException;

/**
 * How one try with one protocol ended, as a value: done, or no TLS session came about (the server may not
 * speak TLS; {@link ProtocolFallback} decides whether classic is tried).
 *
 * @param <T> what a completed try returns
 */
public sealed interface Outcome<T> {

    /** The try completed. */
    record Done<T>(T value) implements Outcome<T> {
    }

    /** No TLS session: {@code error} is what to report if classic is not tried. */
    record NoTls<T>(CfRunException error) implements Outcome<T> {
    }
}
