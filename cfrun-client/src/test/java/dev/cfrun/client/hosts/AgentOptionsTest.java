package dev.cfrun.client.hosts;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AgentOptionsTest {
    private static AgentOptions parse(String... words) {
        return AgentOptions.parse(List.of(words));
    }

    @Test
    void nothing() {
        AgentOptions o = parse();
        assertEquals(List.of(), o.classes());
        assertEquals(List.of(), o.bundles());
        assertEquals(List.of(), o.other());
    }

    @Test
    void everySpellingOfAClass() {
        assertEquals(List.of("a"), parse("-D", "a").classes());
        assertEquals(List.of("a"), parse("-Da").classes());
        assertEquals(List.of("a"), parse("--define", "a").classes());
        assertEquals(List.of("a"), parse("--define=a").classes());
        assertEquals(List.of("a"), parse("--define-class", "a").classes());
        assertEquals(List.of("a"), parse("--define-class=a").classes());
    }

    @Test
    void everySpellingOfABundle() {
        assertEquals(List.of("main"), parse("-b", "main").bundles());
        assertEquals(List.of("main"), parse("--bundlesequence", "main").bundles());
        assertEquals(List.of("main"), parse("--bundlesequence=main").bundles());
    }

    @Test
    void commaListsAreSplitStrippedAndAccumulated() {
        AgentOptions o = parse("-D", "a,b", "-Dc, d ,,", "--define=e", "-b", "x,y", "--bundlesequence=z");
        assertEquals(List.of("a", "b", "c", "d", "e"), o.classes());
        assertEquals(List.of("x", "y", "z"), o.bundles());
        assertEquals(List.of(), o.other());
    }

    @Test
    void othersAreKeptInOrder() {
        AgentOptions o = parse("-v", "-D", "web", "-K", "--inform", "-b", "fix", "-f", "promises.cf", "-Dx", "--dry-run");
        assertEquals(List.of("-v", "-K", "--inform", "-f", "promises.cf", "--dry-run"), o.other());
        assertEquals(List.of("web", "x"), o.classes());
        assertEquals(List.of("fix"), o.bundles());
    }

    @Test
    void theValueIsTheNextWordWhateverItLooksLike() {
        AgentOptions o = parse("-D", "-v", "-b", "--define");
        assertEquals(List.of("-v"), o.classes());
        assertEquals(List.of("--define"), o.bundles());
        assertEquals(List.of(), o.other());
    }

    @ParameterizedTest
    @ValueSource(strings = {"-D", "--define", "--define-class", "-b", "--bundlesequence"})
    void missingValueAtTheEnd(String option) {
        AgentOptionException e = assertThrows(AgentOptionException.class, () -> parse("-v", option));
        assertTrue(e.getMessage().contains(option) && e.getMessage().contains("needs a value"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--define=", "--define-class=", "--bundlesequence="})
    void emptyValue(String word) {
        AgentOptionException e = assertThrows(AgentOptionException.class, () -> parse(word));
        assertTrue(e.getMessage().contains("needs a value"), e.getMessage());
    }

    @Test
    void emptyNextWordIsAMissingValue() {
        assertThrows(AgentOptionException.class, () -> parse("-D", ""));
        assertThrows(AgentOptionException.class, () -> parse("-b", ""));
    }

    @Test
    void theInputIsNotModified() {
        List<String> words = List.of("-D", "a", "-v");
        AgentOptions.parse(words);
        assertEquals(List.of("-D", "a", "-v"), words);
    }

    @Test
    void cfengine3TakesOnlyClassesAndBundles() {
        AgentOptions ok = parse("-D", "a", "-b", "main");
        assertEquals(ok, ok.requireCfengine3("cfrun.hosts:3", null));
        AgentOptionException e = assertThrows(AgentOptionException.class,
                () -> parse("-D", "a", "-v", "-K").requireCfengine3("cfrun.hosts:3", "use --server-version 2"));
        assertEquals("agent options [-v, -K] (cfrun.hosts:3) can only be sent to a CFEngine 2 cfservd: cf-serverd 3.x"
                + " accepts only -D classes and -b bundles (use --server-version 2)", e.getMessage());
        assertEquals("agent options [-k] can only be sent to a CFEngine 2 cfservd: cf-serverd 3.x accepts only -D"
                + " classes and -b bundles", AgentOptions.notForCfengine3(List.of("-k"), null, null).getMessage());
    }

    @Test
    void immutable() {
        java.util.ArrayList<String> classes = new java.util.ArrayList<>(List.of("a"));
        AgentOptions o = new AgentOptions(classes, List.of(), List.of());
        classes.add("b");
        assertEquals(List.of("a"), o.classes());
        assertThrows(UnsupportedOperationException.class, () -> o.classes().add("c"));
    }
}
