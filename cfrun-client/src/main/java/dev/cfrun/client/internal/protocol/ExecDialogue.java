package dev.cfrun.client.internal.protocol;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.HostAddress;
import dev.cfrun.client.OutputLimitExceededException;
import dev.cfrun.client.OutputListener;
import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.ReplyLine.Kind;
import dev.cfrun.client.RunRequest;
import dev.cfrun.client.ServerDialect;
import dev.cfrun.client.ServerRefusedException;
import dev.cfrun.client.internal.transport.Connection;
import dev.cfrun.client.internal.transport.Frames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * EXEC over an authenticated connection, identical for TLS and classic:
 * <ol>
 *   <li>send {@code EXEC[ -D…][ -b …]}, one transaction per select class, then the terminator — all before
 *       reading, as cf-runagent does (the server answers only after it has read the class list);</li>
 *   <li>read transactions until the terminator: the command line, {@code "> "} output lines,
 *       {@code (exit code: N)}, or refusal texts.</li>
 * </ol>
 * Everything is queued and sent by one {@code sendQueued()}: the run's single flush point (see there).
 * The connection is used for one EXEC only (leftover class transactions may stay unread on the server).
 */
public final class ExecDialogue {
    private static final Logger log = LoggerFactory.getLogger(ExecDialogue.class);
    /** A continued ('m') message is joined up to this size; EXEC replies never use 'm'. */
    private static final int MAX_MESSAGE = 64 * 1024;

    /**
     * @param command         the command the server reported running
     * @param lines           the reply lines (retained ones)
     * @param outputLineCount agent output lines received
     * @param exitCode        the remote exit code, if sent
     */
    public record Outcome(Optional<String> command, List<ReplyLine> lines, long outputLineCount, OptionalInt exitCode) {
    }

    private ExecDialogue() {
    }

    public static Outcome run(Connection conn, RunRequest request, Peer peer) throws CfRunException {
        List<ReplyLine> kept = new ArrayList<>();
        boolean cf2 = request.dialect() == ServerDialect.CFENGINE2;
        try {
            if (cf2) {
                conn.queueFrame(ExecRequest.encodeCfengine2(request.classes(), request.agentOptions()));
                conn.queueFrame(ExecRequest.cfengine2ClassData(request.selectClasses()));
            } else {
                conn.queueFrame(ExecRequest.encode(request.classes(), request.bundles()));
                for (String c : request.selectClasses()) {
                    conn.queueFrame(c.getBytes(StandardCharsets.UTF_8));
                }
                conn.queueFrame(Frames.TERMINATOR_BYTES);
            }
            // THE flush point of a run: over classic it also sends the handshake's last two messages, queued by
            // classic.SessionKey, so that they and the EXEC request travel in one segment (a round trip saved)
            conn.sendQueued();
        } catch (IOException e) {
            throw Failures.translate(e, Failures.Stage.EXEC, peer, kept);
        }

        HostAddress host = request.host();
        OutputListener listener = request.listener().orElse(null);
        boolean retain = request.retainOutput();
        String command = null;
        Integer exit = null;
        long outputLines = 0;
        long total = 0;
        List<ReplyLine> refusals = new ArrayList<>(); // kept even when output is not retained
        boolean terminated = false;
        while (true) {
            byte[] payload;
            try {
                payload = conn.readMessage(MAX_MESSAGE);
            } catch (IOException e) {
                if (command == null && !refusals.isEmpty() && Failures.isClosed(e) && isRefusal(refusals, total, false)) {
                    // cfservd 2.x refuses with CF_FAILEDSTR and closes with our class data unread: the kernel
                    // then resets the connection, which ends the refusal, not a run
                    break;
                }
                throw lost(Failures.translate(e, Failures.Stage.EXEC, peer, kept.isEmpty() ? refusals : kept), e,
                        peer, kept, command != null || outputLines > 0, total);
            }
            if (payload == null) {
                break;
            }
            if (ReplyClassifier.isTerminator(payload)) {
                terminated = true;
                break;
            }
            int len = payload.length;
            if (len > 0 && payload[len - 1] == 0) {
                len--;
            }
            String raw = new String(payload, 0, len, StandardCharsets.UTF_8);
            // cfservd 2.x: only its first line, or the one right after "cfservd Executing", can be its own
            ReplyLine line = cf2 ? ReplyClassifier.classifyCfengine2(raw, total == 0, total == 1 && command != null)
                    : ReplyClassifier.classify(raw);
            total++;
            if (total > request.maxOutputLines()) {
                throw new OutputLimitExceededException(request.maxOutputLines(), retain ? kept : refusals);
            }
            switch (line.kind()) {
                case OUTPUT -> outputLines++;
                case COMMAND -> command = command == null ? line.text() : command;
                case EXIT_CODE -> exit = Integer.parseInt(line.text());
                case REFUSAL, MESSAGE -> {
                    if (command == null && refusals.size() < 100) {
                        refusals.add(line);
                    }
                }
                default -> { }
            }
            if (retain) {
                kept.add(line);
            }
            if (listener != null) {
                try {
                    listener.onLine(host, peer.address(), line);
                } catch (RuntimeException ex) {
                    log.warn("output listener failed on a line from {}: {}", peer.endpoint(), ex.toString());
                }
            }
        }

        List<ReplyLine> shown = retain ? kept : refusals;
        if (command == null && isRefusal(refusals, total, cf2 && terminated)) {
            throw refusal(refusals, shown, request, peer, terminated);
        }
        if (!terminated) {
            // every server version ends a run with the terminator (cfservd 2.x too, then it closes); a close
            // without it means the run was cut off (e.g. cfservd 2.x exits on an output line of 4088 bytes)
            java.io.EOFException eof = new java.io.EOFException("connection closed before the end of the reply");
            throw lost(Failures.translate(eof, Failures.Stage.EXEC, peer, shown), eof, peer, kept,
                    command != null || outputLines > 0, total);
        }
        return new Outcome(Optional.ofNullable(command), kept, outputLines,
                exit == null ? OptionalInt.empty() : OptionalInt.of(exit));
    }

    /**
     * A run that had started (the command announced, or output received) and then lost its connection is lost,
     * not refused, even when its lines were not retained.
     */
    private static CfRunException lost(CfRunException translated, java.io.IOException cause, Peer peer,
                                       List<ReplyLine> kept, boolean started, long received) {
        if (started && translated instanceof ServerRefusedException) {
            return new dev.cfrun.client.ConnectionLostException("connection to " + peer.endpoint() + " lost after "
                    + received + " reply lines: " + Failures.describe(cause), cause, kept);
        }
        return translated;
    }

    /**
     * No command started and the server said no (or nothing at all). A cfservd 2.x reply that is only the
     * terminator is a run: without arguments cfservd does not announce the command, and the agent printed nothing.
     */
    private static boolean isRefusal(List<ReplyLine> refusals, long total, boolean cf2Terminated) {
        if (total == 0) {
            return !cf2Terminated;
        }
        for (ReplyLine l : refusals) {
            if (l.kind() == Kind.REFUSAL || ReplyClassifier.isDenial(l.text())) {
                return true;
            }
        }
        return false;
    }

    private static CfRunException refusal(List<ReplyLine> refusals, List<ReplyLine> shown, RunRequest request,
                                          Peer peer, boolean terminated) {
        if (refusals.isEmpty()) {
            return new ServerRefusedException("server " + peer.endpoint() + (terminated
                    ? " ended the reply without running anything" : " closed the connection after EXEC without a reply"),
                    null, request.dialect() == ServerDialect.CFENGINE2 ? RefusalCauses.execRefusedCfengine2(peer.user())
                            : RefusalCauses.execRefused(peer.user()), shown);
        }
        StringBuilder text = new StringBuilder();
        List<String> causes = new ArrayList<>();
        for (ReplyLine l : refusals) {
            if (l.text().isBlank()) {
                continue;
            }
            if (text.length() > 0) {
                text.append(" / ");
            }
            text.append(l.kind() == Kind.REFUSAL ? "BAD: " + l.text() : l.text());
            String t = l.text();
            List<String> c;
            if (t.contains("role activation")) {
                c = RefusalCauses.roleDenied(peer.user(), request.classes());
            } else if (t.contains("bundle activation")) {
                c = RefusalCauses.bundleDenied(request.bundles());
            } else if (t.contains("failed class match") || t.contains("nothing relevant to do here")) {
                c = RefusalCauses.classMatchFailed(request.selectClasses());
            } else if (t.contains("invalid arguments")) {
                c = RefusalCauses.invalidArguments();
            } else if (t.startsWith("Unable to run")) {
                c = RefusalCauses.cannotRun();
            } else if (l.kind() == Kind.REFUSAL) {
                c = request.dialect() == ServerDialect.CFENGINE2 ? RefusalCauses.execRefusedCfengine2(peer.user())
                        : RefusalCauses.execRefused(peer.user());
            } else {
                c = List.of();
            }
            for (String s : c) {
                if (!causes.contains(s)) {
                    causes.add(s);
                }
            }
        }
        return new ServerRefusedException("server " + peer.endpoint() + " refused EXEC: " + text, text.toString(),
                causes, shown);
    }
}
