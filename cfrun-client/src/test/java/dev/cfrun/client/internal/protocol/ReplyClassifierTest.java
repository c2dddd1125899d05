package dev.cfrun.client.internal.protocol;

import dev.cfrun.client.ReplyLine;
import dev.cfrun.client.ReplyLine.Kind;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each kind of EXEC reply transaction, as cf-serverd 3.x and cfservd 2.x send them. */
class ReplyClassifierTest {

    private static void assertLine(Kind kind, String text, ReplyLine line) {
        assertEquals(kind, line.kind(), line.toString());
        assertEquals(text, line.text(), line.toString());
    }

    @Test
    void serverLinesOf3x() {
        assertLine(Kind.COMMAND, "/var/cfengine/bin/cf-agent -I", ReplyClassifier.classify(
                "cf-serverd executing cfruncommand: /var/cfengine/bin/cf-agent -I\n"));
        assertLine(Kind.OUTPUT, "  notice: R: hello", ReplyClassifier.classify("> " + "  notice: R: hello\n"));
        assertLine(Kind.OUTPUT, "two\n", ReplyClassifier.classify("> two\n\n")); // only one newline is the server's
        assertLine(Kind.EXIT_CODE, "0", ReplyClassifier.classify("(exit code: 0)"));
        assertLine(Kind.EXIT_CODE, "-1", ReplyClassifier.classify("(exit code: -1)\n"));
        assertLine(Kind.REFUSAL, "Unspecified server refusal (see verbose server output)",
                ReplyClassifier.classify("BAD: Unspecified server refusal (see verbose server output)\n"));
        assertLine(Kind.MESSAGE, "EXEC denied", ReplyClassifier.classify("EXEC denied\r\n"));
    }

    @Test
    void lookalikesStayWhatTheyAre() {
        assertLine(Kind.MESSAGE, "(exit code: twelve)", ReplyClassifier.classify("(exit code: twelve)"));
        assertLine(Kind.MESSAGE, "(exit code: 1234567890)", ReplyClassifier.classify("(exit code: 1234567890)"));
        assertLine(Kind.MESSAGE, ">no space", ReplyClassifier.classify(">no space"));
        assertLine(Kind.MESSAGE, "", ReplyClassifier.classify(""));
    }

    @Test
    void cfengine2UsesThePosition() {
        assertLine(Kind.COMMAND, "/var/cfengine/bin/cfagent", ReplyClassifier.classifyCfengine2(
                "cfservd Executing /var/cfengine/bin/cfagent\n", true, false));
        assertLine(Kind.REFUSAL, "Host authentication failed", ReplyClassifier.classifyCfengine2(
                "BAD: Host authentication failed", true, false));
        assertLine(Kind.MESSAGE, "Hello h (127.0.0.1), nothing relevant to do here...",
                ReplyClassifier.classifyCfengine2("Hello h (127.0.0.1), nothing relevant to do here...\n", true, false));
        assertLine(Kind.MESSAGE, "Unable to run /x", ReplyClassifier.classifyCfengine2("Unable to run /x", false, true));
        // later lines are the agent's, verbatim, even when they look like the server's
        assertLine(Kind.OUTPUT, "BAD: not a refusal", ReplyClassifier.classifyCfengine2("BAD: not a refusal\n", false, false));
        assertLine(Kind.OUTPUT, "(exit code: 3)", ReplyClassifier.classifyCfengine2("(exit code: 3)", false, false));
        assertLine(Kind.OUTPUT, "cf-serverd executing cfruncommand: x",
                ReplyClassifier.classifyCfengine2("cf-serverd executing cfruncommand: x", true, false));
    }

    @Test
    void terminatorMatchesByPrefix() {
        byte[] t = "---cfXen/gine/cfXen/gine---".getBytes(StandardCharsets.US_ASCII);
        assertTrue(ReplyClassifier.isTerminator(t));
        assertTrue(ReplyClassifier.isTerminator("---cfXen/gine/cfXen/gine---\0".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(ReplyClassifier.isTerminator("---cfXen/gine/cfXen/gine--".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(ReplyClassifier.isTerminator("> ---cfXen/gine/cfXen/gine---".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void denials() {
        assertTrue(ReplyClassifier.isDenial("EXEC denied"));
        assertTrue(ReplyClassifier.isDenial("Exec request: no cfrunCommand"));
        assertTrue(ReplyClassifier.isDenial("Command line too long with args: x"));
        assertFalse(ReplyClassifier.isDenial("denied"));
    }
}
