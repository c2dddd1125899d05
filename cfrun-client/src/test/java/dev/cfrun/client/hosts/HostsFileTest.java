package dev.cfrun.client.hosts;

import dev.cfrun.client.ErrorKind;
import dev.cfrun.client.HostAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostsFileTest {
    @TempDir
    Path dir;

    @Test
    void classicCfrunHostsFile() throws Exception {
        HostsFile f = HostsFile.parse("""
                # cfrun.hosts as in the O'Reilly article
                domain = example.com
                maxchild = 10
                outputdir = /tmp/cfrun-out   # trailing comment
                hostnamekeys = yes
                access = root,nagios
                webserver
                db1:5309 -D dbserver -v
                10.0.0.5
                [2001:db8::1]:5308
                """, dir);
        assertEquals("example.com", f.domain().orElseThrow());
        assertEquals(10, f.maxChild().orElseThrow());
        assertEquals(Path.of("/tmp/cfrun-out"), f.outputDir().orElseThrow());
        assertEquals(2, f.notes().size());
        assertTrue(f.notes().get(0).contains(":5: 'hostnamekeys' has no effect here: a server key is always looked up"
                + " as root-<host name>.pub before root-<ip>.pub"), f.notes().get(0));
        assertTrue(f.notes().get(1).contains("access"));
        List<HostsFile.Entry> e = f.entries();
        assertEquals(4, e.size());
        assertEquals(HostAddress.of("webserver.example.com", 5308), e.get(0).address());
        assertEquals("webserver", e.get(0).name());
        assertEquals(HostAddress.of("db1.example.com", 5309), e.get(1).address());
        assertEquals(List.of("-D", "dbserver", "-v"), e.get(1).options());
        assertEquals(HostAddress.of("10.0.0.5", 5308), e.get(2).address(), "addresses get no domain");
        assertEquals(HostAddress.of("2001:db8::1", 5308), e.get(3).address());
        assertEquals(8, e.get(1).line());
    }

    @Test
    void selectByNameWithOrWithoutDomain() throws Exception {
        HostsFile f = HostsFile.parse("domain=example.com\nweb1\nweb2\ndb1\n", dir);
        assertEquals(List.of("web2.example.com"), f.select(List.of("web2")).stream().map(x -> x.address().host()).toList());
        assertEquals(1, f.select(List.of("db1.example.com")).size());
        assertEquals(3, f.select(List.of()).size());
        HostsFileException ex = assertThrows(HostsFileException.class, () -> f.select(List.of("mail")));
        assertTrue(ex.getMessage().contains("'mail'"));
    }

    /** The one matching rule, for the CLI's HOST arguments and the event handler's host name and address. */
    @Test
    void aNameMatchesAsWrittenAsHailedWithPortOrCompletedByTheDomain() throws Exception {
        HostsFile f = HostsFile.parse("domain = Example.com\nweb1:5309 -D a\n10.0.0.5\ndb1.other.org\n", dir);
        HostsFile.Entry web = f.entries().get(0);
        for (String n : new String[] {"web1:5309", "WEB1.example.COM", "web1.example.com:5309", "web1"}) {
            assertTrue(f.matches(web, n), n);
        }
        for (String n : new String[] {"", "web", "web1.example", "web1:5308", "web1.other.org", "10.0.0.5"}) {
            assertFalse(f.matches(web, n), n);
        }
        assertTrue(f.matches(f.entries().get(1), "10.0.0.5"), "an address is matched as it is");
        assertFalse(f.matches(f.entries().get(2), "db1"), "the domain completes only to the host hailed");
        assertTrue(f.matches(f.entries().get(2), "db1.other.org"));
        assertEquals("web1.Example.com", f.first(List.of("192.0.2.1", "web1")).orElseThrow().address().host(),
                "first: the first entry any of the names matches");
        assertEquals(web.origin(), f.first(List.of("web1.example.com", "10.0.0.5")).orElseThrow().origin(),
                "in file order, whichever name matches");
        assertTrue(f.first(List.of("mail", "")).isEmpty());
        assertEquals(ErrorKind.LOCAL_CONFIG, assertThrows(HostsFileException.class,
                () -> f.select(List.of("mail"))).kind());
    }

    @Test
    void includesAreRelativeAndCyclesAreRefused() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("main.hosts"), "a\ninclude = sub/more.hosts\nd\n");
        Files.writeString(dir.resolve("sub/more.hosts"), "b\nc:1234\n");
        HostsFile f = HostsFile.read(dir.resolve("main.hosts"));
        assertEquals(List.of("a", "b", "c", "d"), f.entries().stream().map(x -> x.address().host()).toList());
        assertEquals(dir.resolve("sub/more.hosts").toAbsolutePath().normalize(), f.entries().get(1).file());

        Files.writeString(dir.resolve("loop1"), "include = loop2\n");
        Files.writeString(dir.resolve("loop2"), "include = loop1\n");
        HostsFileException e = assertThrows(HostsFileException.class, () -> HostsFile.read(dir.resolve("loop1")));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());

        Files.writeString(dir.resolve("self"), "include = self\n");
        assertThrows(HostsFileException.class, () -> HostsFile.read(dir.resolve("self")));
    }

    @Test
    void sameFileIncludedTwiceIsFineButNotNestedForever() throws Exception {
        Files.writeString(dir.resolve("common"), "x\n");
        Files.writeString(dir.resolve("top"), "include = common\ninclude = common\n");
        assertEquals(2, HostsFile.read(dir.resolve("top")).entries().size());
    }

    @Test
    void errorsNameFileAndLine() throws Exception {
        Files.writeString(dir.resolve("bad"), "ok1\nmaxchild = lots\n");
        HostsFileException e = assertThrows(HostsFileException.class, () -> HostsFile.read(dir.resolve("bad")));
        assertTrue(e.getMessage().contains("bad:2:") && e.getMessage().contains("maxchild"), e.getMessage());

        for (String text : new String[] {"frobnicate = 1", "host:99999", "host:abc", "[::1", "domain = bad domain!",
            "maxchild = 0", "include =", "x\0y", "a".repeat(5000)}) {
            assertThrows(HostsFileException.class, () -> HostsFile.parse(text, dir), text);
        }
        assertThrows(HostsFileException.class, () -> HostsFile.read(dir.resolve("missing")));
    }

    @Test
    void oversizedFileIsRefusedWithoutReadingItAll() throws Exception {
        Path big = dir.resolve("big");
        Files.write(big, new byte[HostsFile.MAX_FILE_BYTES + 10]);
        HostsFileException e = assertThrows(HostsFileException.class, () -> HostsFile.read(big));
        assertTrue(e.getMessage().contains("larger than"));
    }

    @Test
    void locateLooksInWorkdirInputsForBareNames() throws Exception {
        Files.createDirectories(dir.resolve("inputs"));
        Files.writeString(dir.resolve("inputs/cfrun.hosts"), "x\n");
        assertEquals(dir.resolve("inputs/cfrun.hosts"), HostsFile.locate("cfrun.hosts", dir));
        assertEquals(Path.of("./cfrun.hosts"), HostsFile.locate("./cfrun.hosts", dir));
    }

    /** The fuzz target's seeds are real hosts files: they reach past the parser into matching and options. */
    @Test
    void theFuzzSeedsAreValidHostsFiles() throws Exception {
        Path seeds = Path.of("src/test/resources/dev/cfrun/client/hosts/HostsFileFuzzTestInputs/hostsFile");
        List<Path> files;
        try (var s = Files.list(seeds)) {
            files = s.sorted().toList();
        }
        assertTrue(files.size() >= 4, files.toString());
        for (Path seed : files) {
            HostsFile f = HostsFile.read(seed);
            assertFalse(f.entries().isEmpty(), seed.toString());
            for (HostsFile.Entry e : f.entries()) {
                AgentOptions.parse(e.options());
            }
        }
    }

    @Test
    void randomInputOnlyEverGivesHostsFileException() {
        Random rnd = new Random(42);
        String alphabet = "ab:[]#=\n \t-.0123456789domainincludemaxchild\r";
        for (int i = 0; i < 5000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(200);
            for (int j = 0; j < n; j++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            try {
                HostsFile f = HostsFile.parse(sb.toString(), dir);
                assertFalse(f.entries().stream().anyMatch(x -> x.address().host().isEmpty()));
            } catch (HostsFileException expected) {
                // fine: a clear error
            }
        }
    }
}
