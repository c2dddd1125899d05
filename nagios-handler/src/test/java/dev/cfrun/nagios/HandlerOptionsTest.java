package dev.cfrun.nagios;

import dev.cfrun.client.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HandlerOptionsTest {
    private static final String[] EVENT = {"CRITICAL", "HARD", "3", "192.0.2.10"};
    private static final String[] HOST_EVENT = {"DOWN", "HARD", "3", "192.0.2.10"};

    private static HandlerOptions parse(String... args) {
        return HandlerOptions.parse(args);
    }

    /** The options followed by the four positional macros. */
    private static HandlerOptions withEvent(String... options) {
        List<String> a = new ArrayList<>(List.of(options));
        a.addAll(List.of(EVENT));
        return parse(a.toArray(new String[0]));
    }

    private static String error(String... args) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(args));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private static String errorWithEvent(String... options) {
        List<String> a = new ArrayList<>(List.of(options));
        a.addAll(List.of(EVENT));
        return error(a.toArray(new String[0]));
    }

    @Test
    void defaults() {
        HandlerOptions o = parse(EVENT);
        assertEquals("CRITICAL", o.state);
        assertEquals("HARD", o.stateType);
        assertEquals("3", o.attempt);
        assertEquals("192.0.2.10", o.hostAddress);
        assertFalse(o.hostEvent);
        assertEquals("", o.service);
        assertEquals("", o.hostname);
        assertEquals(Set.of("CRITICAL"), o.states);
        assertEquals(3, o.softAttempt);
        assertFalse(o.noHard);
        assertEquals(0, o.cooldown);
        assertTrue(o.classTemplates.isEmpty());
        assertTrue(o.bundleTemplates.isEmpty());
        assertNull(o.hostsFile);
        assertNull(o.port);
        assertNull(o.workdir);
        assertNull(o.user);
        assertEquals(Protocol.TLS, o.protocol);
        assertNull(o.trust);
        assertEquals(30, o.timeout);
        assertEquals(3600, o.idleTimeout);
        assertEquals(3600, o.maxTime);
        assertFalse(o.waitForRun);
        assertFalse(o.detachedChild);
        assertNull(o.stateDir);
        assertNull(o.log);
        assertFalse(o.help);
    }

    @Test
    void hostEventDefaultsToDown() {
        HandlerOptions o = parse(concat(new String[] {"--host-event"}, HOST_EVENT));
        assertTrue(o.hostEvent);
        assertEquals(Set.of("DOWN"), o.states);
    }

    @Test
    void everyOption() {
        HandlerOptions o = withEvent("--service", "HTTP-ours", "--hostname", "web-01", "--states", "critical, warning",
                "--soft-attempt", "1", "--no-hard", "--cooldown", "2.5", "-D", "nagios_${service}_${state}",
                "--define-class", "a,b", "--remote-bundles", "fix_${service}", "--remote-bundles", "x", "-f", "hosts.txt",
                "--port", "5309", "--workdir", "/var/lib/nagios/.cfagent", "--user", "nagios", "--protocol", "CLASSIC",
                "--trust", "MD5=0123", "-t", "7", "--idle-timeout", "0", "--max-time", "120", "--wait",
                "--state-dir", "/tmp/st", "--log", "/tmp/h.log");
        assertEquals("HTTP-ours", o.service);
        assertEquals("web-01", o.hostname);
        assertEquals(Set.of("CRITICAL", "WARNING"), o.states);
        assertEquals(1, o.softAttempt);
        assertTrue(o.noHard);
        assertEquals(2.5, o.cooldown);
        assertEquals(List.of("nagios_${service}_${state}", "a,b"), o.classTemplates);
        assertEquals(List.of("fix_${service}", "x"), o.bundleTemplates);
        assertEquals(Path.of("hosts.txt"), o.hostsFile);
        assertEquals(5309, o.port);
        assertEquals(Path.of("/var/lib/nagios/.cfagent"), o.workdir);
        assertEquals("nagios", o.user);
        assertEquals(Protocol.CLASSIC, o.protocol);
        assertEquals("MD5=0123", o.trust);
        assertEquals(7, o.timeout);
        assertEquals(0, o.idleTimeout);
        assertEquals(120, o.maxTime);
        assertTrue(o.waitForRun);
        assertEquals(Path.of("/tmp/st"), o.stateDir);
        assertEquals(Path.of("/tmp/h.log"), o.log);
        assertEquals("192.0.2.10", o.hostAddress, "the positional macros after the options");
    }

    @Test
    void equalsForm() {
        HandlerOptions o = withEvent("--service=HTTP ours", "--hostname=web=01", "--states=WARNING", "--soft-attempt=2",
                "--cooldown=30", "--define-class=nagios_${state}", "--remote-bundles=b", "--file=h", "--port=1",
                "--workdir=/w", "--user=u", "--protocol=tls", "--trust=SHA=ab", "--timeout=1", "--idle-timeout=2",
                "--max-time=3", "--state-dir=/s", "--log=/l", "--service=");
        assertEquals("", o.service, "the last --service wins, and an empty value is a value");
        assertEquals("web=01", o.hostname, "only the first '=' splits");
        assertEquals(Set.of("WARNING"), o.states);
        assertEquals(2, o.softAttempt);
        assertEquals(30, o.cooldown);
        assertEquals(List.of("nagios_${state}"), o.classTemplates);
        assertEquals(List.of("b"), o.bundleTemplates);
        assertEquals(Path.of("h"), o.hostsFile);
        assertEquals(1, o.port);
        assertEquals(Path.of("/w"), o.workdir);
        assertEquals("u", o.user);
        assertEquals("SHA=ab", o.trust);
        assertEquals(1, o.timeout);
        assertEquals(2, o.idleTimeout);
        assertEquals(3, o.maxTime);
        assertEquals(Path.of("/s"), o.stateDir);
        assertEquals(Path.of("/l"), o.log);
    }

    @Test
    void optionsMayComeAfterAndBetweenThePositionalMacros() {
        HandlerOptions o = parse("CRITICAL", "--service", "HTTP", "HARD", "3", "--wait", "192.0.2.10", "--port", "7");
        assertEquals("HTTP", o.service);
        assertEquals("HARD", o.stateType);
        assertEquals("192.0.2.10", o.hostAddress);
        assertEquals(7, o.port);
        assertTrue(o.waitForRun);
    }

    @Test
    void doubleDashEndsOptions() {
        HandlerOptions o = parse("--service", "S", "--", "CRITICAL", "HARD", "3", "-weird-address");
        assertEquals("-weird-address", o.hostAddress);
    }

    @Test
    void valuesThatLookLikeOptionsAreValues() {
        // "$SERVICEDESC$" may start with '-'; it is the value of --service, not an option
        HandlerOptions o = withEvent("--service", "-HTTP", "--hostname", "--wait");
        assertEquals("-HTTP", o.service);
        assertEquals("--wait", o.hostname);
        assertFalse(o.waitForRun);
    }

    @Test
    void help() {
        assertTrue(parse("--help").help);
        assertTrue(parse("-h", "too", "few").help, "help needs no macros");
        assertTrue(HandlerOptions.USAGE.contains("--define-class"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--service", "--hostname", "--states", "--soft-attempt", "--cooldown", "-D", "--define-class",
            "--remote-bundles", "-f", "--file", "--port", "--workdir", "--user", "--protocol", "--trust", "-t",
            "--timeout", "--idle-timeout", "--max-time", "--state-dir", "--log", "--command-file", "--icinga-api",
            "--icinga-user", "--icinga-password-file", "--icinga-ca"})
    void missingValue(String option) {
        List<String> a = new ArrayList<>(List.of(EVENT));
        a.add(option);
        assertEquals("option " + option + " needs a value", error(a.toArray(new String[0])));
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "-x", "--Service", "--states-", "-Dfoo", "-D=foo", "--help-me", "---"})
    void unknownOption(String option) {
        String m = errorWithEvent(option, "v");
        assertTrue(m.startsWith("unknown option "), m);
        assertTrue(m.contains("--help"), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--wait=yes", "--no-hard=false", "--host-event=no"})
    void flagsTakeNoValue(String option) {
        // "--no-hard=false" silently meaning --no-hard would be a surprise: strict parsing rejects it
        String m = errorWithEvent(option);
        assertTrue(m.contains(option.substring(0, option.indexOf('='))), m);
    }

    @Test
    void wrongNumberOfPositionalArguments() {
        assertTrue(error().startsWith("expected 4 arguments (STATE STATETYPE ATTEMPT HOSTADDRESS), got 0"), error());
        assertTrue(error("CRITICAL", "HARD", "3").contains("got 3: [CRITICAL, HARD, 3]"));
        assertTrue(error("CRITICAL", "HARD", "3", "a", "HTTP").contains("got 5"),
                "a forgotten --service before \"$SERVICEDESC$\" is an error, not ignored");
        assertTrue(error("--service", "HTTP", "CRITICAL").contains("got 1"));
    }

    @Test
    void emptyPositionalArgumentsCount() {
        // an empty $HOSTADDRESS$ is reported as such, not as a wrong count
        String m = error("CRITICAL", "HARD", "3", "");
        assertTrue(m.contains("$HOSTADDRESS$ is empty"), m);
        m = error("CRITICAL", "HARD", "3", "$HOSTADDRESS$");
        assertTrue(m.contains("unexpanded macro"), m);
    }

    @Test
    void statesAreValidatedForTheMode() {
        assertEquals(Set.of("CRITICAL", "WARNING", "UNKNOWN"), withEvent("--states", "CRITICAL,WARNING,UNKNOWN").states);
        assertEquals(Set.of("OK"), withEvent("--states", "ok").states, "allowed, though OK is a recovery");
        String m = errorWithEvent("--states", "DOWN");
        assertTrue(m.contains("--states: 'DOWN' is not a service state"), m);
        m = errorWithEvent("--states", "CRITICAL,BOGUS");
        assertTrue(m.contains("'BOGUS'"), m);
        assertTrue(m.contains("CRITICAL, OK, UNKNOWN, WARNING"), "lists the valid ones: " + m);
        m = error(concat(new String[] {"--host-event", "--states", "CRITICAL"}, HOST_EVENT));
        assertTrue(m.contains("--states: 'CRITICAL' is not a host state"), m);
        assertEquals(Set.of("DOWN", "UNREACHABLE"),
                parse(concat(new String[] {"--host-event", "--states", "down,Unreachable"}, HOST_EVENT)).states);
        // the order of --host-event and --states does not matter
        assertEquals(Set.of("UNREACHABLE"),
                parse(concat(new String[] {"--states", "UNREACHABLE", "--host-event"}, HOST_EVENT)).states);
        assertTrue(errorWithEvent("--states", "").contains("at least one state"));
        assertTrue(errorWithEvent("--states", " , ,").contains("at least one state"));
    }

    @Test
    void protocol() {
        assertEquals(Protocol.TLS, withEvent("--protocol", "TLS").protocol);
        assertEquals(Protocol.CLASSIC, withEvent("--protocol", "classic").protocol);
        for (String bad : new String[] {"ssl", "auto", "", "tls1.3"}) {
            String m = errorWithEvent("--protocol", bad);
            assertTrue(m.startsWith("--protocol must be tls or classic"), m);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "--port|0|between 1 and 65535",
            "--port|65536|between 1 and 65535",
            "--port|-1|needs a number",
            "--port|http|needs a number",
            "--port|53.08|needs a number",
            "--port|''|needs a number",
            "--port|99999999999|needs a number",
            "--soft-attempt|-1|needs a number",
            "--soft-attempt|three|needs a number",
            "--soft-attempt|1000001|between 0 and 1000000",
            "--cooldown|-1|out of range",
            "--cooldown|NaN|out of range",
            "--cooldown|Infinity|out of range",
            "--cooldown|1e8|out of range",
            "--cooldown|soon|needs a number of seconds",
            "--cooldown|''|needs a number of seconds",
            "-t|0|out of range",
            "--timeout|-5|out of range",
            "--timeout|x|needs a number of seconds",
            "--idle-timeout|-1|out of range",
            "--max-time|-0.5|out of range",
            "--max-time|1h|needs a number of seconds",
    })
    void badNumbers(String option, String value, String message) {
        String m = errorWithEvent(option, value);
        assertTrue(m.contains(option), m);
        assertTrue(m.contains(message), m);
    }

    @Test
    void goodNumbers() {
        assertEquals(65535, withEvent("--port", "65535").port);
        assertEquals(5308, withEvent("--port", " 5308 ").port);
        assertEquals(0, withEvent("--soft-attempt", "0").softAttempt);
        assertEquals(0.25, withEvent("--cooldown", "0.25").cooldown);
        assertEquals(0, withEvent("--cooldown", "0").cooldown);
        assertEquals(0.5, withEvent("-t", "0.5").timeout);
        assertEquals(0, withEvent("--max-time", "0").maxTime, "0 = no limit");
    }

    // ---- the re-check options ----

    @Test
    void recheckOptions() {
        HandlerOptions o = withEvent("--service", "HTTP", "--hostname", "web-01", "--command-file", "/var/lib/nagios4/rw/nagios.cmd");
        assertEquals(Path.of("/var/lib/nagios4/rw/nagios.cmd"), o.commandFile);
        assertNull(o.icingaApi);
        o = withEvent("--service", "HTTP", "--hostname", "web-01", "--icinga-api", "https://localhost:5665",
                "--icinga-user", "cfrun", "--icinga-password-file=/etc/cfrun/icinga-pw", "--icinga-ca", "/tmp/ca.crt");
        assertEquals("https://localhost:5665", o.icingaApi);
        assertEquals("cfrun", o.icingaUser);
        assertEquals(Path.of("/etc/cfrun/icinga-pw"), o.icingaPasswordFile);
        assertEquals(Path.of("/tmp/ca.crt"), o.icingaCa);
        assertNull(o.commandFile);
        o = parse(concat(new String[] {"--host-event", "--hostname", "web-01", "--command-file", "c"}, HOST_EVENT));
        assertEquals(Path.of("c"), o.commandFile, "a host check needs no --service");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--service HTTP --command-file c|--command-file needs --hostname",
            "--hostname web --command-file c|--command-file needs --service",
            "--hostname web --icinga-api https://localhost:5665 --icinga-user u --icinga-password-file p"
                    + "|--icinga-api needs --service",
            "--host-event --service HTTP --command-file c|--command-file needs --hostname",
    })
    void recheckNeedsTheNamesTheMonitoringSystemKnows(String options, String message) {
        String[] event = options.contains("--host-event") ? HOST_EVENT : EVENT;
        String m = error(concat(options.split(" "), event));
        assertTrue(m.startsWith(message), m);
    }

    @Test
    void recheckOptionsGoTogether() {
        String[] names = {"--service", "HTTP", "--hostname", "web"};
        String m = errorWithEvent(concat(names, new String[] {"--command-file", "c", "--icinga-api", "https://localhost:5665",
                "--icinga-user", "u", "--icinga-password-file", "p"}));
        assertTrue(m.contains("--command-file and --icinga-api exclude each other"), m);
        m = errorWithEvent(concat(names, new String[] {"--icinga-api", "https://localhost:5665", "--icinga-user", "u"}));
        assertTrue(m.startsWith("--icinga-api needs --icinga-user NAME and --icinga-password-file FILE"), m);
        m = errorWithEvent(concat(names, new String[] {"--icinga-api", "https://localhost:5665", "--icinga-password-file", "p"}));
        assertTrue(m.startsWith("--icinga-api needs --icinga-user"), m);
        for (String lone : new String[] {"--icinga-user", "--icinga-password-file", "--icinga-ca"}) {
            m = errorWithEvent(concat(names, new String[] {lone, "x"}));
            assertTrue(m.contains("need --icinga-api URL"), m);
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
