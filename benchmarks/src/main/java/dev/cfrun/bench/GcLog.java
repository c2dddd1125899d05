package dev.cfrun.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The heap figures of a JVM run with {@code -Xlog:gc,gc+heap+exit:file=...} and SerialGC. */
final class GcLog {
    private static final Pattern GC_PAUSE = Pattern.compile("Pause [\\w ]+\\([^)]*\\) (\\d+)M->(\\d+)M\\((\\d+)M\\)");
    private static final Pattern HEAP_USED = Pattern.compile("(?:def new generation|tenured generation)\\s+total \\d+K, used (\\d+)K");

    /** Peak used, committed and largest live set, in MB (NaN when there is no log). */
    record Heap(double peakMb, double committedMb, double liveMaxMb) {
    }

    private GcLog() {
    }

    /**
     * {peak used, committed, largest live set} in MB from a SerialGC log: the largest "before" of a pause or
     * the use at exit (garbage included: a big young generation is simply not collected), the largest heap
     * size, and the largest "after" of a pause (what was still reachable).
     */
    static Heap read(Path gcLog) throws IOException {
        double peak = 0;
        double committed = 0;
        double live = 0;
        if (!Files.exists(gcLog)) {
            return new Heap(Double.NaN, Double.NaN, Double.NaN);
        }
        double atExit = 0;
        for (String line : Files.readAllLines(gcLog)) {
            Matcher m = GC_PAUSE.matcher(line);
            if (m.find()) {
                peak = Math.max(peak, Double.parseDouble(m.group(1)));
                live = Math.max(live, Double.parseDouble(m.group(2)));
                committed = Math.max(committed, Double.parseDouble(m.group(3)));
            }
            Matcher h = HEAP_USED.matcher(line);
            if (h.find()) {
                atExit += Double.parseDouble(h.group(1)) / 1024;
            }
        }
        return new Heap(Math.max(peak, atExit), committed, live > 0 ? live : Math.max(peak, atExit));
    }
}
