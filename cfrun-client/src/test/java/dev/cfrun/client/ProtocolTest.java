package dev.cfrun.client;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Protocol#parse}: the names users write, and a message fit for them otherwise. */
class ProtocolTest {
    @Test
    void theThreeNamesInAnyCase() {
        assertEquals(Protocol.TLS, Protocol.parse("tls"));
        assertEquals(Protocol.CLASSIC, Protocol.parse("Classic"));
        assertEquals(Protocol.AUTO, Protocol.parse(" AUTO "));
    }

    @Test
    void anythingElseIsRefusedWithTheChoices() {
        for (String bad : new String[] {"ssl", "", "tls1.3", "CLASSIC_", "class ic"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Protocol.parse(bad), bad);
            assertEquals("protocol must be tls, classic or auto: '" + bad + "'", e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Protocol.parse(null));
        assertEquals("protocol must be tls, classic or auto: 'null'", e.getMessage());
    }
}
