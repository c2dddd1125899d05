package dev.cfrun.nagios;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TemplatesTest {
    private static final Pattern CLASS_CHARS = Pattern.compile("[A-Za-z0-9_]+");

    private static Map<String, String> values() {
        Map<String, String> v = new HashMap<>();
        v.put("service", "HTTP-ours");
        v.put("state", "CRITICAL");
        v.put("statetype", "HARD");
        v.put("attempt", "3");
        v.put("hostname", "web-01.example.com");
        v.put("address", "192.0.2.10");
        return v;
    }

    @Test
    void expandsEveryVariable() {
        Map<String, String> v = values();
        assertEquals("nagios_HTTP_ours_CRITICAL", Templates.expand("nagios_${service}_${state}", v, "class"));
        assertEquals("t_HARD_3", Templates.expand("t_${statetype}_${attempt}", v, "class"));
        assertEquals("h_web_01_example_com", Templates.expand("h_${hostname}", v, "class"));
        assertEquals("a_192_0_2_10", Templates.expand("a_${address}", v, "class"));
        assertEquals("HTTP_ours_CRITICAL_HARD_3_web_01_example_com_192_0_2_10", Templates.expand(
                "${service}_${state}_${statetype}_${attempt}_${hostname}_${address}", v, "class"));
        assertEquals("nagios_fix", Templates.expand("nagios_fix", v, "class"), "no variable: the text itself");
        assertEquals("CRITICALCRITICAL", Templates.expand("${state}${state}", v, "class"));
        assertEquals("ns:nagios_HTTP_ours", Templates.expand("ns:nagios_${service}", v, "bundle"),
                "':' (namespace) is one of the characters cf-serverd accepts");
    }

    @Test
    void aVariableWholeIsTheCanonifiedValue() {
        Map<String, String> v = values();
        v.put("service", "1st check");
        assertEquals("1st_check", Templates.expand("${service}", v, "bundle"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"${servicedesc}", "${host}", "x_${nope}_y"})
    void unknownVariable(String template) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Templates.expand(template, values(), "class"));
        assertTrue(e.getMessage().contains("unknown variable"), e.getMessage());
        assertTrue(e.getMessage().contains("template '" + template + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("${service}"), "lists the known variables: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nagios_${SERVICE}", "nagios_${Service}_${state}", "${service_desc}", "${}"})
    void aMistypedVariableIsCalledAnUnknownVariable(String template) {
        // Nagios macros are upper case: "${SERVICE}" is a likely typo; "invalid class name" would not say why
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Templates.expand(template, values(), "class"));
        assertTrue(e.getMessage().contains("unknown variable"), e.getMessage());
        assertTrue(e.getMessage().contains("template '" + template + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("${service}"), "lists the known variables: " + e.getMessage());
    }

    @Test
    void missingValueSaysWhichOptionGivesIt() {
        Map<String, String> v = values();
        v.put("service", "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Templates.expand("nagios_${service}_${state}", v, "class"));
        assertTrue(e.getMessage().contains("${service}") && e.getMessage().contains("--service"), e.getMessage());
        v.remove("hostname");
        e = assertThrows(IllegalArgumentException.class, () -> Templates.expand("h_${hostname}", v, "bundle"));
        assertTrue(e.getMessage().contains("${hostname}") && e.getMessage().contains("bundle"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nagios-${service}", "nagios ${service}", "nagios.${state}", "${state}!", "", "$(x)_${state}",
            "${service", "$service", "é_${state}"})
    void theResultIsValidatedIncludingTheTemplatesOwnText(String template) {
        // literal text in the template is not canonified: a '-' there makes an invalid class name
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Templates.expand(template, values(), "class"));
        assertTrue(e.getMessage().contains("class"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"; rm -rf / #", "$(id)", "`id`", "a b c", "x;y", "a,b", "-Dother", "a\nb", "'quoted'",
            "${state}", "$SERVICEDESC$", "..", "/etc/passwd", "-b evil", "a\u0000b", "a=b c=d", "ü😀"})
    void hostileMacroValuesCannotInjectAnything(String hostile) {
        Map<String, String> v = values();
        for (String var : Templates.VARIABLES) {
            v.put(var, hostile);
        }
        for (String var : Templates.VARIABLES) {
            String out = Templates.expand("nagios_${" + var + "}", v, "class");
            assertTrue(CLASS_CHARS.matcher(out).matches(), var + " = " + hostile + " gave " + out);
            assertTrue(out.startsWith("nagios_"), out);
            assertFalse(out.contains("CRITICAL"), "a value is never expanded again: " + out);
        }
    }

    @Test
    void theVariableListIsTheDocumentedOne() {
        assertEquals(java.util.List.of("service", "state", "statetype", "attempt", "hostname", "address"),
                Templates.VARIABLES);
        for (String var : Templates.VARIABLES) {
            assertTrue(HandlerOptions.USAGE.contains("${" + var + "}"), "--help documents ${" + var + "}");
        }
    }
}
