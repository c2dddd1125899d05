package dev.cfrun.cli;

import dev.cfrun.cli.CliHarness.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.cfrun.cli.CliHarness.args;
import static dev.cfrun.cli.CliHarness.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library's hosts file as bin/cfrun reports it: a bad file is a local error (exit 101, one line, in text
 * and JSON mode alike, the library's HostsFileException being a CfRunException now), and a cfrun 2.x setting
 * without effect is named in a note.
 */
class HostsFileCliTest {
    @TempDir
    Path dir;

    @Test
    void aBadHostsFileIsALocalError() throws Exception {
        Path wd = CliHarness.workdir(dir.resolve("work"));
        Path hosts = Files.writeString(dir.resolve("cfrun.hosts"), "web1\nmaxchild = lots\n");
        for (String format : new String[] {"text", "json"}) {
            Result r = run(args("--workdir", wd, "--format", format, "-f", hosts));
            assertEquals(ExitCodes.LOCAL_ERROR, r.exit(), r.toString());
            assertEquals("", r.out(), r.toString());
            assertEquals("cfrun: " + hosts.toAbsolutePath().normalize() + ":2: maxchild must be a positive number: 'lots'\n",
                    r.err(), r.toString());
        }
        Result missing = run(args("--workdir", wd, "-f", dir.resolve("missing.hosts")));
        assertEquals(ExitCodes.LOCAL_ERROR, missing.exit(), missing.toString());
        assertTrue(missing.err().contains("no such hosts file"), missing.toString());
        Path ok = Files.writeString(dir.resolve("ok.hosts"), "web1\n");
        Result notThere = run(args("--workdir", wd, "-f", ok, "mail"));
        assertEquals(ExitCodes.LOCAL_ERROR, notThere.exit(), notThere.toString());
        assertEquals("cfrun: host 'mail' is not in the hosts file\n", notThere.err(), notThere.toString());
    }

    @Test
    void hostnamekeysIsNamedAsWithoutEffect() throws Exception {
        Path wd = CliHarness.workdir(dir.resolve("work"));
        Path hosts = Files.writeString(dir.resolve("cfrun.hosts"), "hostnamekeys = true\n127.0.0.1:"
                + CliHarness.closedPort() + "\n");
        Result r = run(args("--workdir", wd, "-t", "5", "-f", hosts));
        assertEquals(ExitCodes.NO_EXIT_CODE, r.exit(), r.toString());
        assertTrue(r.err().startsWith("cfrun: note: " + hosts.toAbsolutePath().normalize() + ":1: 'hostnamekeys' has no"
                + " effect here: a server key is always looked up as root-<host name>.pub before root-<ip>.pub; ignored\n"),
                r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());
    }
}
