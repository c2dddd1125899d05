package dev.cfrun.service.store;

import dev.cfrun.client.HostAddress;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One run as stored.
 *
 * @param id                  the run's id
 * @param host                the host it ran on
 * @param startedAt           when it started
 * @param endedAt             when it ended; empty while it runs (or if the process died during it)
 * @param exitCode            the agent's exit code, if reported
 * @param errorKind           {@code null} if it succeeded or has not ended, else a short kind
 * @param message             a one-line description, or {@code null}
 * @param classes             the classes defined for the run
 * @param bundles             the bundles the run asked for
 * @param triggerIds          the triggers it served, in id order
 * @param output              the kept output (bounded)
 * @param retriedAfterRestart {@code true} if it runs triggers that were requeued after the process died
 */
public record RunRecord(long id, HostAddress host, Instant startedAt, Optional<Instant> endedAt, OptionalInt exitCode,
                        String errorKind, String message, List<String> classes, List<String> bundles,
                        List<Long> triggerIds, List<String> output, boolean retriedAfterRestart) {}
