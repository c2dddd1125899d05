package dev.cfrun.fakeserver;

import dev.cfrun.fakeserver.FakeCfServerd.Admit;
import dev.cfrun.fakeserver.FakeCfServerd.Session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * cfservd 2.2.10's EXEC: AllowUsers, the {@code admit:} check of the cfrunCommand path, MatchClasses over the
 * client's class transactions, DoExec (argument blanking, the command line, the agent's output relayed line
 * by line), then the terminator. The connection always closes afterwards.
 */
final class Cf2Exec {
    private final FakeCfServerd f;

    Cf2Exec(FakeCfServerd f) {
        this.f = f;
    }

    /** The EXEC case of BusyWithConnection, then MatchClasses and DoExec; the connection always closes. */
    void exec(Conn c, Session s, Cf2Dialogue.Cf2Conn conn, byte[] in, String text) throws IOException, Cf2Dialogue.Crash {
        // sscanf(recvbuffer, "EXEC %[^\n]", args): the literal must start the text; args stay empty otherwise
        int[] pos = {4};
        CLike.skipCSpace(text, pos);
        int nl = text.indexOf('\n', pos[0]);
        String args = text.startsWith("EXEC") ? text.substring(pos[0], nl < 0 ? text.length() : nl) : "";
        s.execFrames.add(Wire.frame(in));
        s.execLine = text;
        s.execArgs = args;
        s.execSeen.countDown();
        String refusal = !conn.idVerified ? "EXEC before CAUTH"
                : !f.allowUsers.contains(conn.username) ? "user '" + conn.username + "' not in AllowUsers"
                : !conn.rsaAuth ? "EXEC before RSA authentication"
                : !cf2AccessControl(cfrunPath(), conn) ? "no admit rule for '" + cfrunPath() + "' matches " + conn.hostname
                + "/" + conn.ip
                : null;
        if (refusal != null) {
            Cf2Dialogue.cf2Send(c, Cf2Dialogue.CF2_FAILED); // RefuseAccess; no terminator
            Cf2Dialogue.cf2Close(c, s, "refused: " + refusal);
            return;
        }
        if (!cf2MatchClasses(c, s, conn)) {
            cf2Terminate(c, s);
            Cf2Dialogue.cf2Close(c, s, "class match failed");
            return;
        }
        cf2DoExec(c, s, args);
        cf2Terminate(c, s);
        Cf2Dialogue.cf2Close(c, s, s.command == null ? "no command run" : "ran " + s.command);
    }

    /** CFRUNCOMMAND: the first word of cfrunCommand, or "" when it is not defined. */
    private String cfrunPath() {
        String cmd = f.cfrunCommand;
        return cmd == null ? "" : cmd.strip().split("\\s+")[0];
    }

    /** AccessControl(CFRUNCOMMAND): an admit rule for the path (exact, or a directory above it) naming us. */
    private boolean cf2AccessControl(String path, Cf2Dialogue.Cf2Conn conn) {
        if (path.isEmpty()) {
            return false; // realpath("") fails
        }
        for (Admit a : f.admits) {
            if (path.equals(a.path()) || (path.length() > a.path().length() && path.startsWith(a.path())
                    && path.charAt(a.path().length()) == '/')) {
                for (String w : a.who()) { // the first matching rule decides
                    if (CLike.wildMatch(w, conn.hostname) || CLike.wildMatch(w, conn.ip) || CLike.cidrMatch(w, conn.ip)) {
                        return true;
                    }
                }
                return false;
            }
        }
        return false;
    }

    /**
     * MatchClasses: up to 10 transactions; a lone terminator first means no restriction; otherwise the words of
     * each transaction are tried as class expressions until one is defined, or a word is the terminator
     * (cfrun 2.x appends it to its one class transaction; a 3.x-style client sends it alone: both end the list).
     */
    private boolean cf2MatchClasses(Conn c, Session s, Cf2Dialogue.Cf2Conn conn) throws IOException, Cf2Dialogue.Crash {
        for (int count = 1; count <= 10; count++) {
            byte[] in = Cf2Dialogue.cf2Receive(c); // an error or EOF leaves an empty buffer: tried again, up to 10 times
            String text = in == null ? "" : CLike.cString(in);
            if (in != null && in.length > 0) {
                s.execFrames.add(Wire.frame(in));
                s.classTransactions.add(text);
            }
            if (text.startsWith(Wire.TERMINATOR)) {
                s.terminatorReceived = true;
                if (count == 1) {
                    return true;
                }
                break;
            }
            if (Arrays.stream(text.split(" ")).anyMatch(w -> w.startsWith(Wire.TERMINATOR))) {
                s.terminatorReceived = true; // received, even when a class before it matches first
            }
            for (String word : text.split(" ")) {
                if (word.startsWith(Wire.TERMINATOR)) {
                    s.terminatorReceived = true;
                    cf2ReplyNothing(c, conn);
                    return false;
                }
                if (!word.isEmpty()) {
                    s.selectClasses.add(word);
                }
                if (!word.isEmpty() && isDefinedClass(word)) {
                    return true;
                }
            }
        }
        cf2ReplyNothing(c, conn);
        return false;
    }

    private void cf2ReplyNothing(Conn c, Cf2Dialogue.Cf2Conn conn) throws IOException, Cf2Dialogue.Crash {
        Cf2Dialogue.cf2Send(c, "Hello " + conn.hostname + " (" + conn.ip + "), nothing relevant to do here...\n\n");
    }

    /** IsDefinedClass: a class expression with | (or), . and & (and), ! (not); no parentheses here. */
    private boolean isDefinedClass(String expr) {
        for (String or : expr.split("\\|")) {
            boolean all = !or.isEmpty();
            for (String atom : or.split("[.&]")) {
                boolean neg = atom.startsWith("!");
                String name = neg ? atom.substring(1) : atom;
                if (name.isEmpty() || f.definedClasses.contains(name) == neg) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** DoExec: blank -K -f --no-lock --file, build the command, say so if there are args, relay the output. */
    private void cf2DoExec(Conn c, Session s, String args) throws IOException, Cf2Dialogue.Crash {
        String cmd = f.cfrunCommand;
        if (cmd == null || f.cfrunCommandLostInReload) {
            Cf2Dialogue.cf2Send(c, "Exec request: no cfrunCommand defined\n");
            return;
        }
        String blanked = blankArgs(args);
        String ebuff = cmd + " --no-splay --inform";
        if (CLike.utf8Length(ebuff) + CLike.utf8Length(blanked) + 6 > 4096) {
            Cf2Dialogue.cf2Send(c, "Command line too long with args: " + ebuff + "\n");
            return;
        }
        if (!blanked.isEmpty()) {
            ebuff = ebuff + " " + blanked;
        }
        s.command = ebuff;
        if (!blanked.isEmpty()) {
            Cf2Dialogue.cf2Send(c, "cfservd Executing " + ebuff + "\n");
        }
        for (String line : f.agentOutput.apply(s)) {
            // ReadLine: fgets into 4096 bytes (a longer line is cut at 4095 bytes, the rest discarded)
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            if (b.length > 4095) {
                b = Arrays.copyOf(b, 4095);
            }
            String l = new String(b, StandardCharsets.UTF_8);
            if (l.chars().allMatch(ch -> CLike.isCSpace((byte) ch))) {
                continue; // blank lines are not relayed
            }
            Cf2Dialogue.cf2Send(c, l + "\n"); // no "> " prefix; 4088 bytes or more crash cfservd
        }
        // no exit code: cfpclose's status is ignored
    }

    /** The words -K, -f, --no-lock and --file blanked out as DoExec does it (WordHere; --file takes 7 bytes). */
    static String blankArgs(String args) {
        char[] a = Arrays.copyOf(args.toCharArray(), args.length() + 16); // the C buffer is zero-filled
        for (int sp = 0; sp < a.length && a[sp] != 0; sp++) {
            if (wordHere(a, sp, "-K") || wordHere(a, sp, "-f")) {
                a[sp] = ' ';
                a[sp + 1] = ' ';
            } else if (wordHere(a, sp, "--no-lock")) {
                Arrays.fill(a, sp, sp + 9, ' ');
            } else if (wordHere(a, sp, "--file")) {
                Arrays.fill(a, sp, sp + 7, ' '); // one more than the word: its NUL or the next byte
            }
        }
        int end = 0;
        while (end < a.length && a[end] != 0) {
            end++;
        }
        return new String(a, 0, end);
    }

    /** WordHere: the word at pos, at the very start (whatever follows), or between a space and a space/NUL. */
    private static boolean wordHere(char[] a, int pos, String word) {
        int len = word.length();
        if (pos + len > a.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (a[pos + i] != word.charAt(i)) {
                return false;
            }
        }
        if (pos == 0) {
            return true;
        }
        char after = pos + len < a.length ? a[pos + len] : 0;
        return a[pos - 1] == ' ' && (after == ' ' || after == 0);
    }

    /** Terminate: the terminator with its NUL. */
    private static void cf2Terminate(Conn c, Session s) throws IOException, Cf2Dialogue.Crash {
        s.end = "terminator sent";
        Cf2Dialogue.cf2Send(c, Wire.SERVER_TERMINATOR);
    }
}
