package dev.cfrun.service.rules;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatcherTest {
    private static boolean all(List<Matcher> ms, Map<String, String> labels) throws Undecided {
        for (Matcher m : ms) {
            if (!m.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    private static String error(String text) {
        return assertThrows(InvalidRule.class, () -> Matcher.parseAll(text)).getMessage();
    }

    @Test
    void theFourOperators() throws Exception {
        Map<String, String> l = Map.of("alertname", "WebDown", "severity", "page", "env", "prod");
        assertTrue(Matcher.parse("alertname=\"WebDown\"").matches(l));
        assertFalse(Matcher.parse("alertname=\"webdown\"").matches(l), "case matters");
        assertTrue(Matcher.parse("env!=\"dev\"").matches(l));
        assertFalse(Matcher.parse("env!=\"prod\"").matches(l));
        assertTrue(Matcher.parse("severity=~\"critical|page\"").matches(l));
        assertFalse(Matcher.parse("severity=~\"crit\"").matches(l), "anchored: a part does not match");
        assertFalse(Matcher.parse("severity=~\"pag\"").matches(l));
        assertTrue(Matcher.parse("severity!~\"warn.*\"").matches(l));
        assertFalse(Matcher.parse("severity!~\"p.*\"").matches(l));
    }

    @Test
    void aMissingLabelIsTheEmptyValueAsInAlertmanager() throws Exception {
        Map<String, String> l = Map.of("alertname", "X");
        assertTrue(Matcher.parse("team=\"\"").matches(l));
        assertFalse(Matcher.parse("team!=\"\"").matches(l));
        assertTrue(Matcher.parse("team=~\"|ops\"").matches(l));
        assertTrue(Matcher.parse("team!=\"ops\"").matches(l));
        assertFalse(Matcher.parse("team=~\".+\"").matches(l));
    }

    @Test
    void alertmanagersOwnExamplesParse() throws Exception {
        // docs/configuration.md of Alertmanager, section <matcher>: each list entry is one string
        Map<String, String> l = Map.of("foo", "bar", "dings", "wald");
        assertTrue(all(Matcher.parseAll("foo = bar"), l));
        assertTrue(all(Matcher.parseAll("dings !=bums"), l));
        assertTrue(all(Matcher.parseAll("dings != bums"), l));
        List<Matcher> quoted = Matcher.parseAll("foo = \"bar,baz\"");
        assertEquals(1, quoted.size(), "a comma inside quotes does not split");
        assertEquals("bar,baz", quoted.get(0).value());
        List<Matcher> promql = Matcher.parseAll("{foo=\"bar\",dings!=\"bums\"}");
        assertEquals(2, promql.size());
        assertTrue(all(promql, l));
        assertEquals(2, Matcher.parseAll("{foo=\"bar\", dings!=\"bums\"}").size());
        assertEquals(2, Matcher.parseAll("{alertname=\"Watchdog\",severity=~\"warning|critical\",}").size());
        List<Matcher> quote = Matcher.parseAll("{quote=~\"She said: \\\"Hi, all!( How're you…)?\\\"\"}\n");
        assertEquals(1, quote.size());
        assertEquals("She said: \"Hi, all!( How're you…)?\"", quote.get(0).value());
        assertTrue(quote.get(0).matches(Map.of("quote", "She said: \"Hi, all! How're you…\"")));
        assertTrue(quote.get(0).matches(Map.of("quote", "She said: \"Hi, all!\"")));
        assertFalse(quote.get(0).matches(Map.of("quote", "She said: Hi")));
        assertTrue(all(Matcher.parseAll("alertname = Watchdog"), Map.of("alertname", "Watchdog")));
        assertTrue(all(Matcher.parseAll("severity =~ \"warning|critical\""), Map.of("severity", "critical")));
    }

    @Test
    void escapesAsAlertmanager() throws Exception {
        assertEquals("a\nb", Matcher.parse("x=\"a\\nb\"").value());
        assertEquals("a\\b", Matcher.parse("x=\"a\\\\b\"").value());
        assertEquals("\\d+", Matcher.parse("x=~\"\\d+\"").value(), "an unknown escape is kept for the regex");
        assertTrue(Matcher.parse("x=~\"\\d+\"").matches(Map.of("x", "123")));
    }

    @Test
    void badMatchersAreOneLineErrors() throws Exception {
        assertEquals("unknown operator \"~=\" (use =, !=, =~ or !~)", error("severity~=\"critical\""));
        assertTrue(error("severity==\"x\"").startsWith("unknown operator \"==\""));
        assertTrue(error("severity \"x\"").startsWith("no operator after label severity"));
        assertTrue(error("=\"x\"").startsWith("no label name"));
        assertTrue(error("1abc=\"x\"").startsWith("invalid label name"));
        assertTrue(error("x=\"abc").startsWith("missing the closing double quote"));
        assertTrue(error("x=\"a\"b\"").startsWith("unescaped double quote"));
        assertTrue(error("{x=\"a\"").startsWith("missing the closing '}'"));
        assertTrue(error("x=~\"(a\"").startsWith("regex \"(a\" does not compile: Unclosed group"), error("x=~\"(a\""));
        assertTrue(error("").startsWith("no matcher"));
        assertTrue(error("x=\"" + "a".repeat(Matcher.MAX_VALUE + 1) + "\"").startsWith("value longer than"));
        for (String bad : List.of("(a)\\1", "a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b", "(?>a)", "a*+", "a++",
                "a?+", "a{2}+", "\\k<n>")) {
            String e = error("x=~\"" + bad.replace("\\", "\\\\") + "\"");
            assertTrue(e.endsWith("(not in RE2, Alertmanager's regex syntax)"), bad + ": " + e);
        }
        for (String fine : List.of("a\\+b", "[+]+", "a+", "(?i)web.*", "[(?=]", "a\\*+", "(?:a|b)")) {
            assertFalse(Matcher.compile(fine).pattern().isEmpty(), fine);
        }
    }

    @Test
    void aRegexThatBacktracksWithoutEndGivesUp() throws Exception {
        Matcher evil = Matcher.parse("x=~\"(.*a){12}b\"");
        String aaa = "a".repeat(200);
        long t0 = System.nanoTime();
        assertThrows(Undecided.class, () -> evil.matches(Map.of("x", aaa)));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "gave up in time");
        assertTrue(evil.matches(Map.of("x", "a".repeat(12) + "b")));
        Matcher quadratic = Matcher.parse("x=~\".*a.*b\"");
        assertFalse(quadratic.matches(Map.of("x", "a".repeat(1024))), "a long value within the budget");
    }

    @Test
    void toStringIsTheCanonicalForm() throws Exception {
        assertEquals("severity=~\"critical|page\"", Matcher.parse(" severity =~ critical|page ").toString());
        assertEquals("q=\"a\\\"b\"", Matcher.parse("q=\"a\\\"b\"").toString());
    }
}
