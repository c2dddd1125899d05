package dev.cfrun.client;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a completed run returned. A run is "completed" when the server started the cfruncommand and
 * ended its reply normally; refusals and failures are exceptions instead.
 *
 * @param host            the host as requested
 * @param address         the numeric address connected to, as cf-runagent prints it ({@code 127.0.0.1}, {@code ::1})
 * @param protocol        {@link Protocol#TLS} or {@link Protocol#CLASSIC}
 * @param protocolVersion 1 (classic), 2 (tls) or 3 (cookie)
 * @param serverKeyDigest the server key's digest ({@code MD5=…})
 * @param newlyTrusted    true if the server key was stored by this run (trust on first use, pinned, asked)
 * @param serverAuthenticated false only for the classic "n" form: the server never proved it holds that key
 * @param tlsVersion      the negotiated TLS version ({@code TLSv1.3}); empty for classic
 * @param cipherSuite     the negotiated TLS cipher suite; empty for classic
 * @param command         the command the server said it runs ({@code cf-serverd executing cfruncommand: …})
 * @param lines           every reply line, in order (empty if the request did not retain output)
 * @param outputLineCount how many agent output lines arrived (also when not retained)
 * @param exitCode        the remote command's exit code; empty if the server did not send it (before 3.18,
 *                        CFEngine 2, or the command was killed by a signal)
 * @param timings         where the time went
 */
public record RunResult(HostAddress host, String address, Protocol protocol, int protocolVersion,
                        String serverKeyDigest, boolean newlyTrusted, boolean serverAuthenticated,
                        Optional<String> tlsVersion, Optional<String> cipherSuite, Optional<String> command,
                        List<ReplyLine> lines, long outputLineCount, OptionalInt exitCode, RunTimings timings) {

    /**
     * Copies {@code lines} so that the result is immutable; the parameters are the record's components.
     *
     * @param host            the host as requested
     * @param address         the numeric address connected to
     * @param protocol        {@link Protocol#TLS} or {@link Protocol#CLASSIC}
     * @param protocolVersion 1 (classic), 2 (tls) or 3 (cookie)
     * @param serverKeyDigest the server key's digest ({@code MD5=…})
     * @param newlyTrusted    true if the server key was stored by this run
     * @param serverAuthenticated false only for the classic "n" form
     * @param tlsVersion      the negotiated TLS version; empty for classic
     * @param cipherSuite     the negotiated TLS cipher suite; empty for classic
     * @param command         the command the server said it runs
     * @param lines           every reply line, in order
     * @param outputLineCount how many agent output lines arrived
     * @param exitCode        the remote command's exit code, if the server sent it
     * @param timings         where the time went
     */
    public RunResult {
        lines = List.copyOf(lines);
    }

    /**
     * The agent's output lines only (without the {@code "> "} prefix).
     *
     * @return the text of every {@link ReplyLine.Kind#OUTPUT} line, in order; empty if output was not retained
     */
    public List<String> outputLines() {
        return lines.stream().filter(l -> l.kind() == ReplyLine.Kind.OUTPUT).map(ReplyLine::text).toList();
    }

    /**
     * True if the server reported exit code 0.
     *
     * @return {@code false} also when the server sent no exit code (before cf-serverd 3.18, CFEngine 2)
     */
    public boolean succeeded() {
        return exitCode.isPresent() && exitCode.getAsInt() == 0;
    }
}
