package dev.cfrun.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CFEngine class/bundle name rule: what cf-serverd accepts, and canonify() as CFEngine does it. */
class ClassNamesTest {
    private static final Pattern CLASS_CHARS = Pattern.compile("[A-Za-z0-9_]+");

    @ParameterizedTest(name = "canonify({0}) = {1}")
    @CsvSource(delimiter = '|', value = {
            "HTTP-ours|HTTP_ours",
            "HTTP|HTTP",
            "already_fine_09|already_fine_09",
            "two words|two_words",
            "' lead and trail '|_lead_and_trail_",
            "a.b.c|a_b_c",
            "web-01.example.com|web_01_example_com",
            "192.0.2.10|192_0_2_10",
            "::1|__1",
            "a/b\\c|a_b_c",
            "x;y|x_y",
            "tab\there|tab_here",
    })
    void canonifyAsciiLikeCfEngine(String in, String out) {
        assertEquals(out, ClassNames.canonify(in.replace("\\t", "\t")));
    }

    @Test
    void canonifyEmptyIsEmpty() {
        assertEquals("", ClassNames.canonify(""));
    }

    /**
     * CFEngine's canonify() works on bytes: every byte of a UTF-8 character outside ASCII becomes one '_'
     * (verified with cf-agent 3.21: canonify("café") = "caf__", canonify("Über wachung") = "__ber_wachung",
     * canonify("日本") = "______"). Policy that matches {@code canonify("$(service)")} or a class name written
     * from it must see the same name as the handler sends.
     */
    @ParameterizedTest(name = "canonify({0}) = {1}")
    @CsvSource(delimiter = '|', value = {
            "café|caf__",
            "Über wachung|__ber_wachung",
            "日本|______",
            "Prüfung-HTTP|Pr__fung_HTTP",
            "\uD83D\uDE00|____", // an emoji: 4 UTF-8 bytes
    })
    void canonifyNonAsciiLikeCfEngineDoesPerByte(String in, String out) {
        assertEquals(out, ClassNames.canonify(in));
    }

    @Test
    void canonifyNeverProducesAnythingButClassCharacters() {
        StringBuilder all = new StringBuilder();
        for (char c = 1; c < 0x3000; c++) {
            if (!Character.isSurrogate(c)) {
                all.append(c);
            }
        }
        String out = ClassNames.canonify(all.toString());
        assertTrue(CLASS_CHARS.matcher(out).matches());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "nagios_HTTP_CRITICAL", "ns:bundle", "_9", "A1:b2:c3"})
    void namesServerdAccepts(String name) {
        assertTrue(ClassNames.isValid(name));
        assertEquals(name, ClassNames.check(name, "class"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a-b", "a b", "a.b", "a,b", "-Dx", "caf\u00e9", "a\nb", "x;y"})
    void namesServerdRefuses(String name) {
        assertFalse(ClassNames.isValid(name));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassNames.check(name, "bundle"));
        assertTrue(e.getMessage().startsWith("invalid bundle name '" + name + "'"), e.getMessage());
    }

    @Test
    void tooLong() {
        String name = "a".repeat(ClassNames.MAX_LENGTH + 1);
        assertFalse(ClassNames.isValid(name));
        assertTrue(ClassNames.isValid(name.substring(1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClassNames.check(name, "class"));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
    }

    @Test
    void canonifiedTextIsAValidName() {
        assertTrue(ClassNames.isValid(ClassNames.canonify("web-01.example.com:5308 / café")));
    }
}
