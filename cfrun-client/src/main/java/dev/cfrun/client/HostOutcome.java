package dev.cfrun.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What happened on one host of a fan-out ({@link CfRunClient#runAll}): a result or an error, never both.
 *
 * @param index   the request's position in the list given to runAll
 * @param request the request
 * @param result  the result, if the run completed
 * @param error   the error, if it did not
 * @param elapsed wall time of this host's run
 */
public record HostOutcome(int index, RunRequest request, Optional<RunResult> result, Optional<CfRunException> error,
                          Duration elapsed) {

    /**
     * Checks that the outcome has either a result or an error.
     *
     * @param index   the request's position in the list given to runAll
     * @param request the request
     * @param result  the result, if the run completed
     * @param error   the error, if it did not
     * @param elapsed wall time of this host's run
     * @throws IllegalArgumentException if both or neither of {@code result} and {@code error} are present
     */
    public HostOutcome {
        Objects.requireNonNull(request, "request");
        if (result.isPresent() == error.isPresent()) {
            throw new IllegalArgumentException("exactly one of result and error");
        }
    }

    /**
     * True if the run completed and the remote agent returned 0.
     *
     * @return whether the agent ran and exited with 0 (false on any error or unknown exit code)
     */
    public boolean succeeded() {
        return result.map(RunResult::succeeded).orElse(false);
    }

    /**
     * The remote exit code, if the run completed and the server sent one.
     *
     * @return the agent's exit code; empty on error or from servers older than 3.18
     */
    public java.util.OptionalInt exitCode() {
        return result.map(RunResult::exitCode).orElse(java.util.OptionalInt.empty());
    }
}
