package dev.cfrun.client;

/**
 * Which cf-serverd generation a request is written for.
 * <ul>
 *   <li>{@link #CFENGINE3}: cf-serverd 3.x. EXEC takes only {@code -D} classes and {@code -b} bundles;
 *       select classes go one per transaction; output lines start with {@code "> "}; 3.18+ sends the
 *       exit code.</li>
 *   <li>{@link #CFENGINE2}: cfservd 2.x, classic protocol only. EXEC takes arbitrary cfagent options;
 *       select classes go in one transaction with the terminator; output comes without a prefix and
 *       without an exit code, and the server closes after it.</li>
 * </ul>
 */
public enum ServerDialect {
    /** cf-serverd 3.x: {@code -D} classes and {@code -b} bundles only; 3.18+ sends the exit code. */
    CFENGINE3,
    /** cfservd 2.x over the classic protocol: arbitrary cfagent options; no output prefix, no exit code. */
    CFENGINE2
}
