package dev.cfrun.client;

/**
 * Receives each reply line as it arrives, on the thread that called {@link CfRunClient#run}.
 * A listener should return quickly; it must not throw (what it throws is logged and ignored).
 */
@FunctionalInterface
public interface OutputListener {
    /**
     * @param host    the host as requested
     * @param address the numeric address connected to (what cf-runagent prefixes its lines with)
     * @param line    the reply line
     */
    void onLine(HostAddress host, String address, ReplyLine line);
}
