package dev.cfrun.cli;

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
}
