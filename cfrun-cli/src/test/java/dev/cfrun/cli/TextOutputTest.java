package dev.cfrun.cli;

import dev.cfrun.client.ReplyLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * TextOutput against cf-runagent's HailExec (cf-runagent.c): per payload (a C string, cut at its first NUL)
 * <pre>
 *   "BAD:…" -> fprintf("%s> !! %s\n", ip, payload + 4)
 *   "> …"   -> fprintf("%s> -> %s", ip, payload + 2)
 *   else    -> fprintf("%s> %s", ip, payload)
 *   then fputc('\n') if strlen(payload) > 0 and the payload does not end with '\n'
 * </pre>
 */
class TextOutputTest {
    private static final String IP = "192.0.2.7";

    private static String fmt(String raw) {
        return TextOutput.format(IP, new ReplyLine(ReplyLine.Kind.MESSAGE, "ignored", raw));
    }

    /** An independent transcription of the C code above. */
    private static String cfRunagent(String ip, String payload) {
        int nul = payload.indexOf('\0');
        String buf = nul >= 0 ? payload.substring(0, nul) : payload;
        StringBuilder out = new StringBuilder();
        if (buf.regionMatches(0, "BAD:", 0, 4)) {
            out.append(ip).append("> !! ").append(buf.substring(4)).append("\n");
        } else if (buf.regionMatches(0, "> ", 0, 2)) {
            out.append(ip).append("> -> ").append(buf.substring(2));
        } else {
            out.append(ip).append("> ").append(buf);
        }
        if (buf.length() > 0 && buf.charAt(buf.length() - 1) != '\n') {
            out.append('\n');
        }
        return out.toString();
    }

    @Test
    void agentOutputLines() {
        assertEquals(IP + "> -> hello\n", fmt("> hello\n"));
        assertEquals(IP + "> -> hello\n", fmt("> hello"), "a newline is added where the server sent none");
        assertEquals(IP + "> -> \n", fmt("> \n"));
        assertEquals(IP + "> -> \n", fmt("> "), "just the prefix: still a line");
        assertEquals(IP + "> ->   indented\n", fmt(">   indented\n"));
        assertEquals(IP + "> -> two\nlines\n", fmt("> two\nlines\n"), "inner newlines are kept");
        assertEquals(IP + "> -> crlf\r\n", fmt("> crlf\r\n"));
        assertEquals(IP + "> -> no final newline\r\n", fmt("> no final newline\r"));
    }

    @Test
    void refusalsGetBangsAndAnEmptyLine() {
        assertEquals(IP + "> !!  Unspecified server refusal (see verbose server output)\n\n",
                fmt("BAD: Unspecified server refusal (see verbose server output)"));
        assertEquals(IP + "> !!  with newline\n\n", fmt("BAD: with newline\n"), "one newline from the format, one from the payload");
        assertEquals(IP + "> !! \n\n", fmt("BAD:"));
        assertEquals(IP + "> !! x\n\n", fmt("BAD:x"));
        assertEquals(IP + "> bad: lower case\n", fmt("bad: lower case"), "prefixes are case-sensitive");
        assertEquals(IP + ">  BAD: leading space\n", fmt(" BAD: leading space"));
    }

    @Test
    void otherServerTexts() {
        assertEquals(IP + "> cf-serverd executing cfruncommand: /var/cfengine/bin/cf-agent -I\n",
                fmt("cf-serverd executing cfruncommand: /var/cfengine/bin/cf-agent -I\n"));
        assertEquals(IP + "> (exit code: 0)\n", fmt("(exit code: 0)\n"));
        assertEquals(IP + "> EXEC denied role activation for classes: foo\n", fmt("EXEC denied role activation for classes: foo"));
        assertEquals(IP + "> >no space\n", fmt(">no space"), "'>' without a space is not agent output");
        assertEquals(IP + "> >\n", fmt(">"));
    }

    @Test
    void anEmptyPayloadGetsNoNewline() {
        assertEquals(IP + "> ", fmt(""));
    }

    @Test
    void payloadIsCutAtTheFirstNul() {
        assertEquals(IP + "> -> visible\n", fmt("> visible\0hidden\n"));
        assertEquals(IP + "> -> visible\n", fmt("> visible\n\0hidden"));
        assertEquals(IP + "> ", fmt("\0> hidden\n"), "nothing before the NUL: no newline either");
        assertEquals(IP + "> !! \n\n", fmt("BAD:\0rest"));
        assertEquals(IP + "> BA\n", fmt("BA\0D: not a refusal"));
        assertEquals(IP + "> >\n", fmt(">\0 not output"));
    }

    @Test
    void ipv6AddressesArePrintedAsGiven() {
        assertEquals("2001:db8::1> -> x\n", TextOutput.format("2001:db8::1", ReplyLine.output("x")));
        assertEquals("::1> (exit code: 3)\n",
                TextOutput.format("::1", new ReplyLine(ReplyLine.Kind.EXIT_CODE, "3", "(exit code: 3)\n")));
    }

    @ParameterizedTest
    @EnumSource(ReplyLine.Kind.class)
    void onlyTheRawPayloadMatters(ReplyLine.Kind kind) {
        assertEquals(IP + "> -> same\n", TextOutput.format(IP, new ReplyLine(kind, "different text", "> same\n")));
        assertEquals(IP + "> !!  same\n\n", TextOutput.format(IP, new ReplyLine(kind, "x", "BAD: same")));
    }

    @Test
    void randomPayloadsMatchTheCCode() {
        Random r = new Random(7);
        String[] pieces = {"BAD:", "> ", ">", "\n", "\r", "\0", " ", "B", "A", "D", ":", "é", "(exit code: 1)", "x"};
        for (int i = 0; i < 5000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(6);
            for (int k = 0; k < n; k++) {
                sb.append(pieces[r.nextInt(pieces.length)]);
            }
            String raw = sb.toString();
            assertEquals(cfRunagent(IP, raw), fmt(raw), () -> "payload " + raw.replace("\0", "\\0").replace("\n", "\\n"));
        }
    }
}
