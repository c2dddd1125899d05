package dev.cfrun.cli;

import dev.cfrun.client.CfRunException;
import dev.cfrun.client.ErrorKind;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ErrorsTest {
    @Test
    void messageWithLikelyCauses() {
        CfRunException e = new CfRunException(ErrorKind.REFUSED, "server x refused EXEC", null,
                List.of("cause one", "cause two"), List.of());
        assertEquals("server x refused EXEC — likely causes: cause one; cause two", Errors.oneLine(e));
    }

    @Test
    void noCausesNoSuffix() {
        assertEquals("plain", Errors.oneLine(new CfRunException(ErrorKind.CONNECT, "plain")));
        assertEquals("plain", Errors.oneLine(new IOException("plain")));
    }

    @Test
    void missingOrBlankMessageNamesTheException() {
        assertEquals("NullPointerException", Errors.oneLine(new NullPointerException()));
        assertEquals("IOException", Errors.oneLine(new IOException("  ")));
    }

    @Test
    void alwaysOneLineWithoutControlCharacters() {
        String m = Errors.oneLine(new CfRunException(ErrorKind.REFUSED, "a\nb\r\nc\u001b[2Jd\u0000e\u0085f\u2028g\u2029h\ti",
                null, List.of("x\ny"), List.of()));
        assertEquals("a b  c [2Jd e f g h i — likely causes: x y", m);
    }
}
