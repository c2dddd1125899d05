package dev.cfrun.client.internal.keys;

import dev.cfrun.client.keys.KeyFixtures;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.cfrun.client.keys.KeyFixtures.bytes;
import static dev.cfrun.client.keys.KeyFixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PemTest {

    private static Pem.Block decode(String text) throws Pem.PemException {
        return Pem.decode(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static Pem.PemException fails(String text) {
        return assertThrows(Pem.PemException.class, () -> decode(text), text);
    }

    @Test
    void roundTrip() throws Exception {
        Random rnd = new Random(1);
        for (int len = 1; len < 400; len++) {
            byte[] der = new byte[len];
            rnd.nextBytes(der);
            String pem = Pem.encode("TEST BLOCK", der);
            assertTrue(pem.startsWith("-----BEGIN TEST BLOCK-----\n"));
            assertTrue(pem.endsWith("\n-----END TEST BLOCK-----\n"));
            for (String line : pem.split("\n")) {
                assertTrue(line.length() <= 64 || line.startsWith("-----"), "line longer than 64: " + line);
            }
            Pem.Block b = Pem.decode(pem.getBytes(StandardCharsets.US_ASCII));
            assertEquals("TEST BLOCK", b.type());
            assertTrue(b.headers().isEmpty());
            assertArrayEquals(der, b.der(), "length " + len);
        }
    }

    @Test
    void encodeReproducesOpenSslFilesExactly() throws Exception {
        for (String f : new String[] {"cfkey.priv", "cfkey.pub", "cfkey-pkcs8.priv", "cfkey-spki.pub", "e35.pub"}) {
            Pem.Block b = Pem.decode(bytes(f));
            assertEquals(text(f), Pem.encode(b.type(), b.der()), f);
        }
    }

    @Test
    void headersParsed() throws Exception {
        Pem.Block b = Pem.decode(bytes("cfkey-des3.priv"));
        assertEquals("RSA PRIVATE KEY", b.type());
        assertEquals(2, b.headers().size());
        assertEquals("4,ENCRYPTED", b.headers().get("Proc-Type"));
        assertTrue(b.headers().get("DEK-Info").startsWith("DES-EDE3-CBC,"));
        assertEquals(16 + "DES-EDE3-CBC,".length(), b.headers().get("DEK-Info").length());
        // the body is the ciphertext: a multiple of the 8-byte DES block
        assertEquals(0, b.der().length % 8);

        Pem.Block spaced = decode("-----BEGIN X-----\nA-Header :  some value  \n\nAQID\n-----END X-----\n");
        assertEquals(Map.of("A-Header", "some value"), spaced.headers());
        assertArrayEquals(new byte[] {1, 2, 3}, spaced.der());
    }

    @Test
    void headersKeepTheirOrder() throws Exception {
        // Block's contract: "header lines in order"
        StringBuilder sb = new StringBuilder("-----BEGIN X-----\n");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String name = "H" + (char) ('a' + (i * 7) % 12) + i;
            names.add(name);
            sb.append(name).append(": ").append(i).append('\n');
        }
        sb.append("\nAQID\n-----END X-----\n");
        assertEquals(names, new ArrayList<>(decode(sb.toString()).headers().keySet()));
    }

    @Test
    void missingOrWrongEnd() {
        Pem.PemException e = fails("-----BEGIN RSA PUBLIC KEY-----\nAQID\n");
        assertTrue(e.getMessage().contains("-----END RSA PUBLIC KEY-----"), e.getMessage());
        fails("-----BEGIN RSA PUBLIC KEY-----\nAQID\n-----END RSA PRIVATE KEY-----\n");
        fails("-----BEGIN RSA PUBLIC KEY-----\nAQID\n-----END RSA PUBLIC KEY");
        String full = text("cfkey.pub");
        fails(full.substring(0, full.indexOf("-----END")));
    }

    @Test
    void malformedBeginLine() {
        fails("");
        fails("no pem here");
        fails("-----BEGIN RSA PUBLIC KEY\nAQID\n-----END RSA PUBLIC KEY-----\n");
        fails("-----BEGIN -----\nAQID\n-----END -----\n");
        fails("-----BEGIN " + "X".repeat(65) + "-----\nAQID\n-----END " + "X".repeat(65) + "-----\n");
    }

    @Test
    void badBodies() {
        fails("-----BEGIN X-----\n-----END X-----\n");
        fails("-----BEGIN X-----\n\n\n-----END X-----\n");
        fails("-----BEGIN X-----\nAQ*D\n-----END X-----\n");
        fails("-----BEGIN X-----\nAQID\u00e9\n-----END X-----\n");
        fails("-----BEGIN X-----\nAQ==AQID\n-----END X-----\n");
        fails("-----BEGIN X-----\nA\n-----END X-----\n");
    }

    @Test
    void tooLarge() {
        byte[] big = new byte[Pem.MAX_TEXT + 1];
        java.util.Arrays.fill(big, (byte) 'A');
        assertThrows(Pem.PemException.class, () -> Pem.decode(big));
    }

    @Test
    void crlfLineEndingsAccepted() throws Exception {
        for (String f : new String[] {"cfkey.priv", "cfkey-des3.priv", "cfkey.pub"}) {
            Pem.Block lf = Pem.decode(bytes(f));
            Pem.Block crlf = decode(text(f).replace("\n", "\r\n"));
            assertEquals(lf.type(), crlf.type(), f);
            assertEquals(lf.headers(), crlf.headers(), f);
            assertArrayEquals(lf.der(), crlf.der(), f);
        }
        // and the key readers accept such files end to end
        RsaKeysTest.assertSamePrivate(KeyFixtures.cfkeyPrivate(), RsaKeys.readPrivate(
                text("cfkey-des3.priv").replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII), RsaKeys.CFENGINE_PASSPHRASE));
    }

    @Test
    void textAroundTheBlockIgnored() throws Exception {
        String withPreamble = "Bag Attributes\n    friendlyName: x\n" + text("cfkey.pub") + "trailing junk\n";
        assertArrayEquals(Pem.decode(bytes("cfkey.pub")).der(), decode(withPreamble).der());
        // only the first block is decoded
        Pem.Block first = decode(text("cfkey.pub") + text("e35.pub"));
        assertArrayEquals(Pem.decode(bytes("cfkey.pub")).der(), first.der());
    }
}
