package dev.cfrun.recheck;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The external command line, and writing it to a real FIFO with and without a reader. */
class NagiosCommandFileTest {
    private static final Instant T = Instant.parse("2026-12-06T22:00:00Z");
    private static final Clock CLOCK = Clock.fixed(T, ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void serviceLineHasTheNagiosFormatAndTheClocksTime() {
        assertEquals("[1796594400] SCHEDULE_FORCED_SVC_CHECK;web-01;HTTP ours;1796594400\n",
                NagiosCommandFile.line(Target.ofService("web-01", "HTTP ours"), T));
        assertEquals(T.getEpochSecond(), 1796594400L);
    }

    @Test
    void hostLineHasNoService() {
        assertEquals("[1796594400] SCHEDULE_FORCED_HOST_CHECK;web-01;1796594400\n",
                NagiosCommandFile.line(Target.ofHost("web-01"), T));
    }

    @Test
    void semicolonsAreRefusedInEitherName() {
        NagiosCommandFile f = new NagiosCommandFile(dir.resolve("x"), CLOCK, Duration.ofSeconds(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> f.validate(Target.ofService("web", "HTTP;1")));
        assertTrue(e.getMessage().contains("';'") && e.getMessage().contains("HTTP;1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.validate(Target.ofHost("we;b")));
        Outcome o = f.request(Target.ofService("web;x", "HTTP"));
        assertFalse(o.isScheduled());
        assertTrue(o.reason().contains("';'"), o.reason());
    }

    @Test
    void newlinesCarriageReturnsControlCharactersAndEmptyNamesAreRefused() {
        for (String bad : new String[] {"HTTP\nSHUTDOWN_PROGRAM", "HTTP\r", "a\u0000b", "a\tb", "x\u2028y"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Target.ofService("web", bad), bad);
            assertTrue(e.getMessage().contains("control character"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Target.ofHost(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Target.ofHost(""));
        assertThrows(IllegalArgumentException.class, () -> Target.ofService("web", ""));
    }

    @Test
    void theLineArrivesWholeThroughARealFifo() throws Exception {
        Path fifo = mkfifo();
        CompletableFuture<String> read = Fifos.readUntilEof(fifo);
        Outcome o = new NagiosCommandFile(fifo, CLOCK, Duration.ofSeconds(5)).request(Target.ofService("web-01", "HTTP"));
        assertEquals(Outcome.scheduled(), o);
        assertEquals("[1796594400] SCHEDULE_FORCED_SVC_CHECK;web-01;HTTP;1796594400\n", read.get(5, TimeUnit.SECONDS));
    }

    @Test
    void noReaderIsUnavailableWithinTheBoundAndLeavesNoThreadBlocked() throws Exception {
        Path fifo = mkfifo();
        long t0 = System.nanoTime();
        Outcome o = new NagiosCommandFile(fifo, CLOCK, Duration.ofMillis(300)).request(Target.ofService("web", "HTTP"));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertFalse(o.isScheduled());
        assertEquals("command file " + fifo + " has no reader (is Nagios running with check_external_commands=1?)",
                o.reason());
        assertTrue(ms >= 300 && ms < 2000, "took " + ms + " ms");
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("cfrun-recheck-command-file") && t.isAlive()), "writer thread left");
        // nothing was written: a reader opening now finds the pipe empty
        CompletableFuture<String> read = Fifos.readUntilEof(fifo);
        new NagiosCommandFile(fifo, CLOCK, Duration.ofSeconds(5)).request(Target.ofHost("web"));
        assertEquals("[1796594400] SCHEDULE_FORCED_HOST_CHECK;web;1796594400\n", read.get(5, TimeUnit.SECONDS));
    }

    @Test
    void aRegularFileIsNotThePipe() throws Exception {
        Path file = Files.writeString(dir.resolve("nagios.cmd"), "");
        Outcome o = new NagiosCommandFile(file, CLOCK, Duration.ofSeconds(1)).request(Target.ofService("web", "HTTP"));
        assertFalse(o.isScheduled());
        assertTrue(o.reason().contains("is a regular file"), o.reason());
        assertEquals("", Files.readString(file), "nothing written to a regular file");
    }

    @Test
    void aMissingFileIsUnavailable() {
        Outcome o = new NagiosCommandFile(dir.resolve("none"), CLOCK, Duration.ofSeconds(1)).request(Target.ofHost("web"));
        assertFalse(o.isScheduled());
        assertTrue(o.reason().contains("does not exist"), o.reason());
    }

    @Test
    void aPipeWeMayNotWriteNamesTheCommandGroup() throws Exception {
        Path fifo = mkfifo();
        // the tests run as root, who may write any file: the access check is given, the rest is real
        Outcome o = new NagiosCommandFile(fifo, CLOCK, Duration.ofSeconds(1), p -> false).request(Target.ofHost("web"));
        assertFalse(o.isScheduled());
        assertTrue(o.reason().contains("needs write access to " + fifo + " (Nagios' command group)"), o.reason());
    }

    private Path mkfifo() throws IOException, InterruptedException {
        return Fifos.mkfifo(dir.resolve("nagios.cmd"));
    }
}
