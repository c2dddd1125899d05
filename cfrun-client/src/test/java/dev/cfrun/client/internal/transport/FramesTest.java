package dev.cfrun.client.internal.transport;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class FramesTest {

    private static String hex(byte[] b) {
        return HexFormat.ofDelimiter(" ").formatHex(b);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static InputStream in(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return new ByteArrayInputStream(out.toByteArray());
    }

    /** A raw 8-byte header from text, NUL-padded. */
    private static byte[] header(String text) {
        return Arrays.copyOf(ascii(text), 8);
    }

    // ---- encode ----

    @Test
    void encodesTheHeaderExactly() {
        byte[] f = Frames.encode("EXEC -Dfoo,bar");
        assertEquals("74 20 31 34 00 00 00 00", hex(Arrays.copyOf(f, 8)));
        assertEquals("EXEC -Dfoo,bar", new String(f, 8, f.length - 8, StandardCharsets.US_ASCII));
        assertEquals(8 + 14, f.length);

        assertEquals("74 20 32 37 00 00 00 00", hex(Arrays.copyOf(Frames.encode(Frames.TERMINATOR), 8)));
        assertEquals("74 20 31 00 00 00 00 00", hex(Arrays.copyOf(Frames.encode(new byte[1]), 8)));
        assertEquals("6d 20 34 30 38 38 00 00", hex(Arrays.copyOf(Frames.encode('m', new byte[4088]), 8)));
        assertEquals("74 20 32 38 30 00 00 00", hex(Arrays.copyOf(Frames.encode(new byte[280]), 8)));
    }

    @Test
    void encodeRefusesWhatTheProtocolForbids() {
        assertThrows(IllegalArgumentException.class, () -> Frames.encode(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Frames.encode(new byte[4089]));
        assertThrows(IllegalArgumentException.class, () -> Frames.encode('x', new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> Frames.encode(""));
    }

    @Test
    void writeUsesOneWriteCall() throws IOException {
        List<Integer> writes = new ArrayList<>();
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                writes.add(len);
                super.write(b, off, len);
            }

            @Override
            public synchronized void write(int b) {
                writes.add(1);
                super.write(b);
            }
        };
        Frames.write(sink, ascii("hello"));
        assertEquals(List.of(13), writes);
        assertArrayEquals(Frames.encode(ascii("hello")), sink.toByteArray());
    }

    // ---- parseLength ----

    @Test
    void parseLengthAccepts() throws Exception {
        assertEquals(14, Frames.parseLength(header("t 14")));
        assertEquals(1, Frames.parseLength(header("t 1")));
        assertEquals(4088, Frames.parseLength(header("m 4088")));
        assertEquals(5, Frames.parseLength(header("t 00005"))); // "%d" takes leading zeros
        // sscanf("%c %d"): the space in the format matches any white space, including none
        assertEquals(10, Frames.parseLength(header("t10")));
        assertEquals(10, Frames.parseLength(header("t\t10")));
        assertEquals(10, Frames.parseLength(header("t  10")));
        // CFEngine 2: stack garbage after the NUL
        assertEquals(10, Frames.parseLength(new byte[] {'t', ' ', '1', '0', 0, (byte) 0xde, 'x', (byte) 0x80}));
        assertEquals(7, Frames.parseLength(new byte[] {'m', ' ', '7', 0, '9', '9', '9', '9'}));
    }

    @Test
    void parseLengthRejects() {
        String[] bad = {
                "x 10", "T 10", "M 10", " t 10", "\0 10",   // status not t/m
                "t ", "t x", "t \0",                        // no digits
                "t 0", "t 00",                              // zero length
                "t 4089", "t 9999", "t 99999",              // over the limit
                "t -5", "t +5", "t -0",                     // signs
                "t 1 ", "t 1x", "t 0x10",                   // something other than NUL after the digits
        };
        for (String b : bad) {
            assertThrows(FrameException.class, () -> Frames.parseLength(header(b)), b);
        }
        assertThrows(FrameException.class, () -> Frames.parseLength(ascii("t 123456")), "no NUL within 8 bytes");
        assertThrows(FrameException.class, () -> Frames.parseLength(ascii("t 1234567")), "no NUL within 8 bytes");
        assertThrows(FrameException.class, () -> Frames.parseLength(ascii("t 000001")), "no NUL within 8 bytes");
        assertThrows(FrameException.class, () -> Frames.parseLength(ascii("t 1")), "short header");
        assertThrows(FrameException.class, () -> Frames.parseLength(new byte[9]));
        assertThrows(FrameException.class, () -> Frames.parseLength(new byte[8]));
    }

    @Test
    void parseLengthMessagesAreReadable() {
        FrameException e = assertThrows(FrameException.class,
                () -> Frames.parseLength(new byte[] {'H', 'T', 'T', 'P', '/', '1', 0, (byte) 0xff}));
        assertTrue(e.getMessage().contains("HTTP/1\\x00\\xff"), e.getMessage());
        e = assertThrows(FrameException.class, () -> Frames.parseLength(header("t 4089")));
        assertTrue(e.getMessage().contains("4089"), e.getMessage());
    }

    // ---- read ----

    @Test
    void readsFramesInSequence() throws IOException {
        InputStream in = in(Frames.encode("first"), Frames.encode('m', ascii("second")), Frames.encode(new byte[4088]));
        Frame a = Frames.read(in);
        assertEquals('t', a.status());
        assertEquals("first", a.text());
        Frame b = Frames.read(in);
        assertEquals('m', b.status());
        assertTrue(b.more());
        assertArrayEquals(ascii("second"), b.payload());
        assertEquals(4088, Frames.read(in).payload().length);
        assertNull(Frames.read(in), "clean end of stream");
        assertNull(Frames.read(in));
    }

    @Test
    void readAcceptsCfEngine2HeaderGarbage() throws IOException {
        Frame f = Frames.read(in(new byte[] {'t', ' ', '3', 0, 'g', 'a', 'r', 'b'}, ascii("abc")));
        assertEquals("abc", f.text());
    }

    @Test
    void frameText() {
        assertEquals("---cfXen/gine/cfXen/gine---", new Frame('t', ascii("---cfXen/gine/cfXen/gine---\0")).text());
        assertEquals("a\0b", new Frame('t', ascii("a\0b")).text());
        assertEquals("a\0", new Frame('t', ascii("a\0\0")).text(), "only one trailing NUL is dropped");
        assertEquals("h\u00e9", new Frame('t', "h\u00e9".getBytes(StandardCharsets.UTF_8)).text());
        assertTrue(new Frame('t', new byte[] {(byte) 0xff}).text().contains("\ufffd"));
    }

    @Test
    void truncationIsNotACleanEnd() {
        byte[] full = Frames.encode("hello world");
        for (int cut = 1; cut < full.length; cut++) {
            byte[] part = Arrays.copyOf(full, cut);
            TruncatedException e = assertThrows(TruncatedException.class, () -> Frames.read(in(part)), "cut at " + cut);
            assertTrue(e.getMessage().contains(cut < 8 ? "header" : "transaction"), e.getMessage());
        }
    }

    @Test
    void readRejectsABadHeaderWithoutReadingThePayload() throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(Arrays.copyOf(header("t 5000"), 5008));
        assertThrows(FrameException.class, () -> Frames.read(in));
        assertEquals(5000, in.available(), "nothing read past the header");
    }

    // ---- readMessage ----

    @Test
    void readMessageJoinsMoreFrames() throws IOException {
        InputStream in = in(Frames.encode('m', ascii("abc")), Frames.encode('m', ascii("def")), Frames.encode('t', ascii("g")),
                Frames.encode("next"));
        assertArrayEquals(ascii("abcdefg"), Frames.readMessage(in, 7));
        assertArrayEquals(ascii("next"), Frames.readMessage(in, 100));
        assertNull(Frames.readMessage(in, 100));
    }

    @Test
    void readMessageBound() {
        InputStream in = in(Frames.encode('m', new byte[100]), Frames.encode('m', new byte[100]), Frames.encode('t', new byte[100]));
        FrameException e = assertThrows(FrameException.class, () -> Frames.readMessage(in, 250));
        assertTrue(e.getMessage().contains("250"), e.getMessage());

        // an endless stream of 'm' frames stops at the bound instead of growing forever
        InputStream endless = new InputStream() {
            private final byte[] frame = Frames.encode('m', new byte[4088]);
            private long pos;

            @Override
            public int read() {
                return frame[(int) (pos++ % frame.length)] & 0xff;
            }
        };
        assertThrows(FrameException.class, () -> Frames.readMessage(endless, 1 << 20));
    }

    @Test
    void readMessageTruncated() {
        assertThrows(TruncatedException.class, () -> Frames.readMessage(in(Frames.encode('m', ascii("abc"))), 100));
        byte[] second = Frames.encode('t', ascii("def"));
        assertThrows(TruncatedException.class, () -> Frames.readMessage(
                in(Frames.encode('m', ascii("abc")), Arrays.copyOf(second, 9)), 100));
    }

    // ---- readLine ----

    @Test
    void readLine() throws IOException {
        InputStream in = in(ascii("CFE_v3 cf-serverd 3.21.0\nOK WELCOME USERNAME=root\r\n\n\r\na\rb\n"));
        assertEquals("CFE_v3 cf-serverd 3.21.0", Frames.readLine(in, 1024));
        assertEquals("OK WELCOME USERNAME=root", Frames.readLine(in, 1024));
        assertEquals("", Frames.readLine(in, 1024));
        assertEquals("", Frames.readLine(in, 1024));
        assertEquals("a\rb", Frames.readLine(in, 1024));
        assertNull(Frames.readLine(in, 1024));
    }

    @Test
    void readLineReadsNothingPastTheLine() throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(ascii("OK WELCOME\nt 1\0\0\0\0\0y"));
        assertEquals("OK WELCOME", Frames.readLine(in, 100));
        assertEquals("y", Frames.read(in).text(), "the transaction after the line is intact");
    }

    @Test
    void readLineBounded() throws IOException {
        assertEquals("abcde", Frames.readLine(in(ascii("abcde\n")), 5));
        assertThrows(FrameException.class, () -> Frames.readLine(in(ascii("abcdef\n")), 5));
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return 'a';
            }
        };
        FrameException e = assertThrows(FrameException.class, () -> Frames.readLine(endless, 1024));
        assertTrue(e.getMessage().contains("1024"), e.getMessage());
    }

    @Test
    void readLineTruncated() {
        TruncatedException e = assertThrows(TruncatedException.class, () -> Frames.readLine(in(ascii("CFE_v3 cf-ser")), 100));
        assertTrue(e.getMessage().contains("CFE_v3 cf-ser"), e.getMessage());
        assertThrows(TruncatedException.class, () -> Frames.readLine(in(ascii("x\r")), 100));
    }

    @Test
    void printable() {
        assertEquals("ab\\x00\\x7f\\xff~", Frames.printable(new byte[] {'a', 'b', 0, 0x7f, (byte) 0xff, '~'}, 6));
        assertEquals("ab", Frames.printable(ascii("abc"), 2));
        assertEquals(200, Frames.printable(new byte[1000], 1000).length() / 4, "at most 200 bytes shown");
    }

    // ---- fuzz ----

    @Test
    void fuzzedStreamsGiveFramesOrFrameErrorsOnly() {
        Random rnd = new Random(0xcf3_f4a3L);
        int frames = 0;
        int cleanEnds = 0;
        for (int i = 0; i < 5000; i++) {
            byte[] data = randomStream(rnd);
            InputStream in = new ByteArrayInputStream(data);
            try {
                for (int n = 0; n < 100; n++) {
                    Frame f = Frames.read(in);
                    if (f == null) {
                        cleanEnds++;
                        break;
                    }
                    frames++;
                    assertTrue(f.status() == 't' || f.status() == 'm', "status " + f.status());
                    assertTrue(f.payload().length >= 1 && f.payload().length <= Frames.MAX_PAYLOAD,
                            "payload length " + f.payload().length);
                }
            } catch (FrameException | TruncatedException expected) {
                // fine
            } catch (Throwable t) {
                fail("stream #" + i + " (" + hex(Arrays.copyOf(data, Math.min(40, data.length))) + "…) threw " + t, t);
            }
        }
        assertTrue(frames > 500, "the generator should produce valid frames too: " + frames);
        assertTrue(cleanEnds > 50, "and streams that end cleanly: " + cleanEnds);
    }

    @Test
    void fuzzedMessagesAndLinesStayWithinTheirBounds() {
        Random rnd = new Random(99);
        for (int i = 0; i < 3000; i++) {
            byte[] data = randomStream(rnd);
            try {
                byte[] m = Frames.readMessage(new ByteArrayInputStream(data), 8192);
                assertTrue(m == null || m.length <= 8192, () -> "message of " + m.length);
            } catch (FrameException | TruncatedException expected) {
                // fine
            } catch (Throwable t) {
                fail("readMessage threw " + t, t);
            }
            try {
                String l = Frames.readLine(new ByteArrayInputStream(data), 64);
                assertTrue(l == null || l.length() <= 64, () -> "line of " + l.length());
            } catch (FrameException | TruncatedException expected) {
                // fine
            } catch (Throwable t) {
                fail("readLine threw " + t, t);
            }
        }
    }

    /** Valid frames, mutated frames, plausible headers and plain noise, concatenated. */
    private static byte[] randomStream(Random rnd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int parts = rnd.nextInt(4);
        for (int p = 0; p < parts; p++) {
            switch (rnd.nextInt(5)) {
                case 0 -> {
                    byte[] payload = new byte[1 + rnd.nextInt(rnd.nextBoolean() ? 20 : Frames.MAX_PAYLOAD)];
                    rnd.nextBytes(payload);
                    out.writeBytes(Frames.encode(rnd.nextBoolean() ? 't' : 'm', payload));
                }
                case 1 -> {
                    byte[] frame = Frames.encode(new byte[1 + rnd.nextInt(40)]);
                    frame[rnd.nextInt(8)] = (byte) rnd.nextInt(256);
                    out.writeBytes(frame);
                }
                case 2 -> {
                    byte[] h = new byte[8];
                    h[0] = (byte) "tmx".charAt(rnd.nextInt(3));
                    h[1] = (byte) (rnd.nextInt(8) == 0 ? 'x' : ' ');
                    String digits = Integer.toString(rnd.nextInt(rnd.nextBoolean() ? 5000 : 100000) - 10);
                    byte[] d = ascii(digits);
                    System.arraycopy(d, 0, h, 2, Math.min(d.length, 6));
                    for (int j = 2 + d.length + 1; j < 8; j++) {
                        h[j] = (byte) rnd.nextInt(256);
                    }
                    out.writeBytes(h);
                    byte[] tail = new byte[rnd.nextInt(200)];
                    rnd.nextBytes(tail);
                    out.writeBytes(tail);
                }
                case 3 -> {
                    byte[] noise = new byte[rnd.nextInt(30)];
                    rnd.nextBytes(noise);
                    out.writeBytes(noise);
                }
                default -> out.writeBytes(ascii("line of text\r\n"));
            }
        }
        byte[] all = out.toByteArray();
        if (all.length > 0 && rnd.nextInt(4) == 0) {
            all = Arrays.copyOf(all, rnd.nextInt(all.length)); // cut anywhere
        }
        return all;
    }
}
