package dev.cfrun.service.store;

import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

/**
 * How a run ended.
 *
 * @param endedAt   when it ended
 * @param exitCode  the agent's exit code, if one was reported
 * @param errorKind {@code null} when the run succeeded, else a short kind ({@code "connect"}, {@code "auth"}, ...)
 * @param message   a one-line description, or {@code null}
 * @param output    the agent's output lines; the store keeps them up to {@link Bounds#MAX_OUTPUT_LINES} lines and
 *                  {@link Bounds#MAX_OUTPUT_BYTES} bytes
 */
public record RunOutcome(Instant endedAt, OptionalInt exitCode, String errorKind, String message,
                         List<String> output) {}
