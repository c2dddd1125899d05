package dev.cfrun.cli;

import dev.cfrun.client.HostOutcome;
import dev.cfrun.client.ServerDialect;

import java.util.List;

/**
 * Exit codes, as cf-runagent sets them:
 * <ul>
 *   <li>one host: the remote agent's exit code ({@code (exit code: N)}); {@value #NO_EXIT_CODE} when the
 *       server sent none (refusal, connection or trust failure, server before 3.18);</li>
 *   <li>several hosts: the number of hosts that did not return 0, at most {@value #MAX_FAILED_HOSTS};</li>
 *   <li>{@value #LOCAL_ERROR}: a local error (bad arguments, our key unusable).</li>
 * </ul>
 */
public final class ExitCodes {
    public static final int NO_EXIT_CODE = 255;
    public static final int MAX_FAILED_HOSTS = 100;
    public static final int LOCAL_ERROR = 101;

    private ExitCodes() {
    }

    /**
     * The exit code a host counts with, as cf-runagent counts it: the remote agent's, or 255 when the
     * server sent none. cfservd 2.x never sends one: a run it completed counts as 0, as cfrun 2.x did.
     */
    static int forHost(HostOutcome o) {
        if (o.result().isPresent() && o.exitCode().isEmpty() && o.request().dialect() == ServerDialect.CFENGINE2) {
            return 0;
        }
        return o.exitCode().orElse(NO_EXIT_CODE) & 0xff;
    }

    /**
     * The exit code of a run: with one host requested, that host's ({@value #NO_EXIT_CODE} if it never
     * finished); with several, the number that did not return 0, at most {@value #MAX_FAILED_HOSTS}.
     */
    static int forRun(int hostsRequested, List<HostOutcome> outcomes, int failedHosts) {
        if (hostsRequested <= 1) {
            return outcomes.isEmpty() ? NO_EXIT_CODE : forHost(outcomes.get(0));
        }
        return Math.min(failedHosts, MAX_FAILED_HOSTS);
    }
}
