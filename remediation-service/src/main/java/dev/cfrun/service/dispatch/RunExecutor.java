package dev.cfrun.service.dispatch;

import dev.cfrun.client.HostAddress;
import dev.cfrun.service.store.RunOutcome;

import java.util.List;

/**
 * Carries out one agent run for the {@link Dispatcher}: the real one hails cf-serverd ({@link CfRunExecutor}),
 * tests plug in fakes. Called on a worker thread, at most once at a time per host.
 */
@FunctionalInterface
public interface RunExecutor {
    /**
     * Runs the agent on one host with these classes and bundles, and reports how it went. Failures of the run
     * (refused, unreachable, timeouts…) are outcomes with an error kind, not exceptions; an exception thrown
     * here is recorded as the error kind {@code internal}.
     *
     * @param host    the host whose cf-serverd is asked
     * @param classes classes for the remote agent (cf-runagent {@code -D}), possibly empty
     * @param bundles the remote agent's bundle sequence (cf-runagent {@code --remote-bundles}), possibly empty
     * @return how the run ended; the dispatcher records it with its own clock's end time
     */
    RunOutcome execute(HostAddress host, List<String> classes, List<String> bundles);
}
