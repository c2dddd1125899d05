package dev.cfrun.client.internal.protocol;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The EXEC request bytes, as cf-runagent 3.x and cfrun 2.x send them, and the local name checks. */
class ExecRequestTest {

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void cf3Request() {
        assertEquals("EXEC", text(ExecRequest.encode(List.of(), List.of())));
        assertEquals("EXEC -Da,b_c", text(ExecRequest.encode(List.of("a", "b_c"), List.of())));
        assertEquals("EXEC -b x,ns:y", text(ExecRequest.encode(List.of(), List.of("x", "ns:y"))));
        assertEquals("EXEC -Da -b x", text(ExecRequest.encode(List.of("a"), List.of("x"))));
    }

    @Test
    void cf2RequestAndClassData() {
        assertEquals("EXEC -D a,b -K -v", text(ExecRequest.encodeCfengine2(List.of("a", "b"), List.of("-K", "-v"))));
        assertEquals("---cfXen/gine/cfXen/gine---", text(ExecRequest.cfengine2ClassData(List.of())));
        assertEquals("linux web ---cfXen/gine/cfXen/gine---", text(ExecRequest.cfengine2ClassData(List.of("linux", "web"))));
    }

    @Test
    void oversizedRequestIsRefusedLocally() {
        List<String> many = Collections.nCopies(400, "class_name_x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ExecRequest.encode(many, List.of()));
        assertTrue(e.getMessage().contains("4088-byte limit"), e.getMessage());
    }

    @Test
    void namesOutsideTheServersCharsetAreRefused() {
        assertDoesNotThrow(() -> dev.cfrun.client.ClassNames.check("ns:Class_1", "class"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> dev.cfrun.client.ClassNames.check("a-b", "class"));
        assertEquals("invalid class name 'a-b': cf-serverd accepts only letters, digits, '_' and ':'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ExecRequest.checkSelectClass("a,b"));
        assertThrows(IllegalArgumentException.class, () -> ExecRequest.checkAgentOption("two words"));
        assertDoesNotThrow(() -> ExecRequest.checkSelectClass("linux.*"));
    }
}
