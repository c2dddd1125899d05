package dev.cfrun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Json against exact expected text and against Jackson as an independent parser. */
class JsonTest {
    private static final ObjectMapper JACKSON = new ObjectMapper();

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder();
        Json.quote(sb, s);
        return sb.toString();
    }

    private static String parseString(String json) throws Exception {
        JsonNode n = JACKSON.readTree(json);
        assertTrue(n.isTextual(), json);
        return n.textValue();
    }

    /** The input with each unpaired surrogate replaced by U+FFFD (what Json promises). */
    private static String withLoneSurrogatesReplaced(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static void assertEncodableAsStrictUtf8(String s) {
        try {
            StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
        } catch (CharacterCodingException e) {
            fail("not valid UTF-16 (lone surrogate in the output): " + e + " in " + escapeForMessage(s));
        }
    }

    private static String escapeForMessage(String s) {
        StringBuilder sb = new StringBuilder();
        s.chars().forEach(c -> sb.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("<%04x>", c)));
        return sb.toString();
    }

    // ---- exact escapes ----

    @Test
    void quotesBackslashAndShortEscapes() {
        assertEquals("\"\\\"\"", quote("\""));
        assertEquals("\"\\\\\"", quote("\\"));
        assertEquals("\"\\n\\r\\t\\b\\f\"", quote("\n\r\t\b\f"));
        assertEquals("\"a/b\"", quote("a/b"), "'/' needs no escape");
        assertEquals("\"\"", quote(""));
        assertEquals("\"plain ascii 123 ~\"", quote("plain ascii 123 ~"));
    }

    @Test
    void everyControlCharacterIsEscaped() throws Exception {
        for (char c = 0; c < 0x20; c++) {
            String expected = switch (c) {
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> String.format("\\u%04x", (int) c);
            };
            String q = quote("x" + c + "y");
            assertEquals("\"x" + expected + "y\"", q, "U+" + Integer.toHexString(c));
            for (int i = 0; i < q.length(); i++) {
                assertTrue(q.charAt(i) >= 0x20, "raw control char in output for U+" + Integer.toHexString(c));
            }
            assertEquals("x" + c + "y", parseString(q));
        }
    }

    @ParameterizedTest
    @CsvSource({"007f, \\u007f", "2028, \\u2028", "2029, \\u2029"})
    void deleteAndLineSeparatorsAreEscaped(String hex, String escaped) throws Exception {
        String s = "a" + (char) Integer.parseInt(hex, 16) + "b";
        assertEquals("\"a" + escaped + "b\"", quote(s));
        assertEquals(s, parseString(quote(s)));
    }

    @Test
    void nonAsciiTextIsKeptAsIs() throws Exception {
        String s = "é ü ß 日本語 \u00a0 \u0080 \u009f \ufeff \uffff";
        assertEquals("\"" + s + "\"", quote(s));
        assertEquals(s, parseString(quote(s)));
    }

    @Test
    void validSurrogatePairsAreKept() throws Exception {
        String s = "smile \uD83D\uDE00 and \uD800\uDC00 and \uDBFF\uDFFF";
        assertEquals("\"" + s + "\"", quote(s));
        assertEquals(s, parseString(quote(s)));
    }

    @Test
    void loneSurrogatesAreReplaced() throws Exception {
        assertEquals("\"a\\ufffdb\"", quote("a\uD83Db"), "high surrogate followed by a letter");
        assertEquals("\"a\\ufffdb\"", quote("a\uDE00b"), "low surrogate alone");
        assertEquals("\"a\\ufffd\"", quote("a\uD83D"), "high surrogate at the end");
        assertEquals("\"\\ufffd\"", quote("\uDE00"), "low surrogate at the start");
        assertEquals("\"\\ufffd\\ufffd\"", quote("\uDE00\uD83D"), "reversed pair");
        assertEquals("\"\\ufffd\uD83D\uDE00\"", quote("\uD83D\uD83D\uDE00"), "two highs then a low: one pair kept");
        assertEquals("\uFFFD\uD83D\uDE00", parseString(quote("\uD83D\uD83D\uDE00")));
    }

    // ---- values and structure ----

    @Test
    void scalarsOptionalsAndNull() {
        assertEquals("{\"s\":\"x\",\"i\":-3,\"l\":12345678901,\"t\":true,\"f\":false,\"n\":null}",
                Json.object().put("s", "x").put("i", -3).put("l", 12345678901L).put("t", true).put("f", false)
                        .put("n", null).toString());
        assertEquals("{\"a\":\"v\",\"b\":null,\"c\":7,\"d\":null}",
                Json.object().put("a", Optional.of("v")).put("b", Optional.empty()).put("c", OptionalInt.of(7))
                        .put("d", OptionalInt.empty()).toString());
        assertEquals("{\"o\":3}", Json.object().put("o", Optional.of(OptionalInt.of(3))).toString());
        assertEquals("{\"nan\":null,\"inf\":null,\"d\":1.5}",
                Json.object().put("nan", Double.NaN).put("inf", Double.NEGATIVE_INFINITY).put("d", 1.5).toString());
    }

    @Test
    void nestedObjectsAndListsKeepInsertionOrder() throws Exception {
        Json.Obj o = Json.object()
                .put("z", 1)
                .put("a", List.of())
                .put("m", List.of(1, "two", List.of(true, Json.object()), Json.object().put("k", Optional.empty())))
                .put("e", Json.object().put("inner", Json.object().put("deep", List.of("\n"))));
        String text = o.toString();
        assertEquals("{\"z\":1,\"a\":[],\"m\":[1,\"two\",[true,{}],{\"k\":null}],\"e\":{\"inner\":{\"deep\":[\"\\n\"]}}}",
                text);
        JsonNode n = JACKSON.readTree(text);
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("z", "a", "m", "e"), names);
        assertEquals("\n", n.at("/e/inner/deep/0").textValue());
        assertTrue(n.at("/m/3/k").isNull());
    }

    @Test
    void replacingAKeyKeepsItsPositionAndKeysAreEscaped() throws Exception {
        String text = Json.object().put("a", 1).put("b\"\n\u0001", 2).put("a", 3).toString();
        assertEquals("{\"a\":3,\"b\\\"\\n\\u0001\":2}", text);
        JsonNode n = JACKSON.readTree(text);
        assertEquals(2, n.get("b\"\n\u0001").intValue());
        assertEquals(3, n.get("a").intValue());
    }

    @Test
    void otherObjectsAreWrittenAsStrings() throws Exception {
        String text = Json.object().put("p", java.nio.file.Path.of("/tmp/x\ny")).toString();
        assertEquals("/tmp/x\ny", JACKSON.readTree(text).get("p").textValue());
    }

    // ---- random round trips ----

    @Test
    void randomStringsRoundTripThroughJackson() throws Exception {
        Random r = new Random(0x5eed_cf3L);
        char[] interesting = {'"', '\\', '/', '\n', '\r', '\t', '\b', '\f', 0, 0x1f, 0x7f, 0x80, 0x2028, 0x2029,
            0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfffd, 0xfeff, 0xffff, 'a', ' '};
        int lone = 0;
        for (int iteration = 0; iteration < 5000; iteration++) {
            int len = r.nextInt(iteration % 10 == 0 ? 200 : 24);
            StringBuilder sb = new StringBuilder(len);
            for (int i = 0; i < len; i++) {
                switch (r.nextInt(4)) {
                    case 0 -> sb.append((char) r.nextInt(0x10000)); // any UTF-16 unit, surrogates included
                    case 1 -> sb.append((char) r.nextInt(0x80));
                    case 2 -> sb.append(interesting[r.nextInt(interesting.length)]);
                    default -> sb.appendCodePoint(0x10000 + r.nextInt(0x100000)); // a valid pair
                }
            }
            String input = sb.toString();
            String expected = withLoneSurrogatesReplaced(input);
            if (!expected.equals(input)) {
                lone++;
            }
            String quoted = quote(input);
            assertEncodableAsStrictUtf8(quoted);
            for (int i = 0; i < quoted.length(); i++) {
                char c = quoted.charAt(i);
                if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                    fail("unescaped U+" + Integer.toHexString(c) + " in " + escapeForMessage(quoted));
                }
            }
            assertEquals(expected, parseString(quoted), () -> "input " + escapeForMessage(input));
            // the same string as a key, a value in a list and in an object: one document, parsed back
            String doc = Json.object().put(input, List.of(input, Json.object().put("v", input))).toString();
            JsonNode n = JACKSON.readTree(doc.getBytes(StandardCharsets.UTF_8));
            assertEquals(expected, n.fieldNames().next());
            assertEquals(expected, n.get(expected).get(0).textValue());
            assertEquals(expected, n.get(expected).get(1).get("v").textValue());
        }
        assertTrue(lone > 100, "the random inputs exercised lone surrogates: " + lone);
    }

    @Test
    void randomBytesDecodedAsServerTextRoundTrip() throws Exception {
        // what a hostile server can make us print: arbitrary bytes decoded as UTF-8 (with replacement)
        Random r = new Random(42);
        for (int iteration = 0; iteration < 2000; iteration++) {
            byte[] b = new byte[r.nextInt(64)];
            r.nextBytes(b);
            String s = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(b)).toString();
            String doc = Json.object().put("text", s).put("list", Arrays.asList(s, null)).toString();
            JsonNode n = JACKSON.readTree(doc);
            assertEquals(s, n.get("text").textValue());
            assertEquals(s, n.get("list").get(0).textValue());
            assertTrue(n.get("list").get(1).isNull());
        }
    }
}
