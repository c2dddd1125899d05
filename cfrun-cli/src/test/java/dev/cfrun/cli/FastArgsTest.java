package dev.cfrun.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The picocli-free parser of plain run command lines: whatever it accepts, it must fill in exactly as
 * picocli does; whatever is ambiguous it must leave to picocli.
 */
class FastArgsTest {
    private static final PrintStream NULL = new PrintStream(OutputStream.nullOutputStream());

    /** The parsed options, by field name. */
    private static Map<String, Object> options(RunOptions o) throws IllegalAccessException {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Field f : RunOptions.class.getDeclaredFields()) {
            if (f.isAnnotationPresent(CommandLine.Option.class) || f.isAnnotationPresent(CommandLine.Parameters.class)) {
                m.put(f.getName(), f.get(o));
            }
        }
        return m;
    }

    /** Parses with both; returns whether the fast parser accepted (then both must agree). */
    private static boolean agree(String... args) throws Exception {
        RunOptions fast = FastArgs.parse(args, Main.SUBCOMMANDS);
        if (fast == null) {
            return false;
        }
        CfRunCommand slow = new CfRunCommand(new RunOptions(), NULL, NULL, InputStream.nullInputStream());
        Picocli.commandLine(slow, NULL, NULL, InputStream.nullInputStream()).parseArgs(args);
        assertEquals(options(slow.options()), options(fast), Arrays.toString(args));
        return true;
    }

    @Test
    void commonRunCommandLinesAreParsedAsPicocliParsesThem() throws Exception {
        List<String[]> lines = List.of(
                new String[] {"-H", "127.0.0.1:5308"},
                new String[] {"-H", "web1,web2:5308,[::1]:5308", "-D", "restart_httpd"},
                new String[] {"-H", "web1", "--remote-bundles", "fix_httpd,other", "-D", "a,b", "--define-class", "c"},
                new String[] {"-f", "/etc/cfrun.hosts", "-b", "20", "--sorted"},
                new String[] {"-f", "cfrun.hosts", "webserver", "db1"},
                new String[] {"web1", "web2", "-b"},
                new String[] {"-b", "-H", "web1"},
                new String[] {"--background", "200", "-f", "h", "-q"},
                new String[] {"-H", "web1", "--format", "json", "--workdir", "/var/lib/cfengine3", "--user", "nagios"},
                new String[] {"-H", "web1", "--protocol", "classic", "--server-version", "2", "-T"},
                new String[] {"-H", "web1", "--trust", "MD5=0123456789abcdef0123456789abcdef", "-t", "2.5",
                    "--handshake-timeout", "10", "--idle-timeout", "0", "--max-time", "1e3"},
                new String[] {"-H", "web1", "-s", "linux,web", "--select-class", "am", "-i", "-I", "-v", "-d"},
                new String[] {"--hail", "h", "--output-dir", "/tmp/out", "--quiet", "--inform", "--verbose", "--debug",
                    "--interactive", "--file", "f", "--timeout", "30"},
                new String[] {"-H", "web1", "-b", "0"},
                new String[] {"-H", "web1", "--max-output-lines", "10"},
                new String[] {"-H", "web1", "-t", "soon-ish"}, // declined: picocli reports the bad number
                new String[] {"promises.cf"},
                new String[] {});
        int accepted = 0;
        for (String[] l : lines) {
            accepted += agree(l) ? 1 : 0;
        }
        assertEquals(lines.size() - 1, accepted, "all but the bad number are plain run command lines");
    }

    /** A new option must be taught to the fast parser (or explicitly left to picocli), never silently default. */
    @Test
    void everyRunOptionIsKnownToTheFastParser() throws Exception {
        java.util.Set<String> known = new java.util.HashSet<>(FastArgs.FLAGS);
        known.addAll(FastArgs.WITH_VALUE);
        known.addAll(List.of("-b", "--background"));
        List<String> unknown = new ArrayList<>();
        for (Field f : RunOptions.class.getDeclaredFields()) {
            CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
            if (o != null) {
                for (String name : o.names()) {
                    if (!known.contains(name)) {
                        unknown.add(name);
                    }
                }
            }
        }
        assertEquals(List.of(), unknown, "options FastArgs does not know");
        for (String flag : FastArgs.FLAGS) {
            assertTrue(agree("-H", "web1", flag), flag);
        }
    }

    @Test
    void ambiguousFormsAreLeftToPicocli() throws Exception {
        List<String[]> lines = List.of(
                new String[] {"--help"}, new String[] {"-h"}, new String[] {"-V"}, new String[] {"--version"},
                new String[] {"-H", "web1", "--help"},
                new String[] {"-Hweb1"}, new String[] {"--hail=web1"}, new String[] {"-qv", "-H", "x"},
                new String[] {"-H"}, new String[] {"-H", "-q"}, new String[] {"-H", ""}, new String[] {""},
                new String[] {"-H", "a,,b"}, new String[] {"-H", "a,"}, new String[] {"-H", "\"a,b\""},
                new String[] {"-f", "a", "-f", "b"}, new String[] {"-q", "-q", "-H", "x"}, new String[] {"-q", "--quiet"},
                new String[] {"@args.txt"}, new String[] {"-H", "@hosts"},
                new String[] {"-H", "web1", "keygen"}, new String[] {"-H", "trust"},
                new String[] {"-b", "web1"}, new String[] {"-b", "99999999999"}, new String[] {"-b", "-5"},
                new String[] {"-t", "-1", "-H", "x"}, new String[] {"--server-version", "three"},
                new String[] {"--no-such-option"}, new String[] {"-X"}, new String[] {"-"},
                new String[] {"--workdir", "a\0b"});
        for (String[] l : lines) {
            assertFalse(agree(l), "left to picocli: " + Arrays.toString(l));
        }
    }

    /** Random command lines from a pool of tokens: every accepted one parses as picocli parses it. */
    @Test
    void randomCommandLinesAgreeWithPicocli() throws Exception {
        String[] pool = {"-H", "--hail", "web1", "a,b", "[::1]:5308", "-D", "x", "-s", "linux", "--remote-bundles",
            "-b", "--background", "20", "0", "-f", "hosts", "--sorted", "--format", "json", "--output-dir", "--workdir",
            "/tmp/w", "--user", "nagios", "--protocol", "classic", "--server-version", "2", "3", "--trust", "tofu",
            "-T", "-i", "-t", "1.5", "--handshake-timeout", "--idle-timeout", "--max-time", "-q", "-I", "-v", "-d",
            "--quiet", "-x", "@f", "keygen", "", "a,,b", "--max-output-lines", "5"};
        Random rnd = new Random(6);
        int accepted = 0;
        for (int n = 0; n < 1500; n++) {
            List<String> args = new ArrayList<>();
            int len = rnd.nextInt(9);
            for (int i = 0; i < len; i++) {
                args.add(pool[rnd.nextInt(pool.length)]);
            }
            try {
                accepted += agree(args.toArray(new String[0])) ? 1 : 0;
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError("accepted, but picocli refuses " + args + ": " + e.getMessage(), e);
            }
        }
        assertTrue(accepted > 80, "enough random lines were accepted to mean something: " + accepted);
    }
}
