package dev.cfrun.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the sections found: the ratio table's rows, the details below it and the failures; progress goes to
 * the log as it comes. {@link #render} writes the markdown that goes to stdout and results.md.
 */
final class Report {
    private final PrintStream log;
    private final List<Row> rows = new ArrayList<>();
    private final StringBuilder details = new StringBuilder();
    private final List<String> failures = new ArrayList<>();

    /** One line of the ratio table. */
    record Row(String section, String what, String ours, String theirs, double ratio, String target, Boolean met) {
    }

    Report(PrintStream log) {
        this.log = log;
    }

    PrintStream log() {
        return log;
    }

    void section(String name) {
        log.println("bench: " + name);
    }

    void row(Row r) {
        rows.add(r);
    }

    /** A line in the details list (nothing when {@code text} is empty). */
    void detail(String what, String text) {
        if (!text.isEmpty()) {
            details.append("- ").append(what).append(": ").append(text).append('\n');
        }
    }

    /** Free markdown in the details (a heading and a table, say). */
    void details(CharSequence markdown) {
        details.append(markdown);
    }

    void fail(String what) {
        failures.add(what);
        log.println("bench: FAILED: " + what);
    }

    boolean failed() {
        return !failures.isEmpty();
    }

    String render(String started, String loadBefore, String loadAfter, Path root, boolean measuresRss) {
        StringBuilder sb = new StringBuilder();
        sb.append("## cfrun-java vs cf-runagent (scripts/bench.sh)\n\n");
        sb.append("Ratios are ours / cf-runagent of the medians; cells are median [10th–90th percentile].\n\n");
        sb.append("| section | measure | ours | cf-runagent | ratio | target | met |\n|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append("| ").append(r.section()).append(" | ").append(r.what()).append(" | ").append(r.ours()).append(" | ")
                    .append(r.theirs()).append(" | ").append(Double.isNaN(r.ratio()) ? "–" : fmt(r.ratio(), 2)).append(" | ")
                    .append(r.target()).append(" | ").append(r.met() == null ? "" : r.met() ? "yes" : "**no**").append(" |\n");
        }
        sb.append(details);
        sb.append("\n### Machine and run\n\n");
        sb.append("- started ").append(started).append(", load average before ").append(loadBefore).append(", after ")
                .append(loadAfter).append('\n');
        sb.append("- ").append(Machine.describe()).append('\n');
        sb.append("- our JVM (bin/cfrun): ").append(Machine.javaVersion()).append("; launcher options: ")
                .append(Machine.launcherOptions(root)).append("; class-data-sharing archive: ").append(Machine.archive(root))
                .append('\n');
        sb.append("- cf-runagent: ").append(Machine.firstLine(List.of(Lab.CF_RUNAGENT.toString(), "--version"))).append('\n');
        sb.append("- peak RSS: ").append(measuresRss ? "GNU time (%M)" : "not measured").append('\n');
        if (!failures.isEmpty()) {
            sb.append("\n### Failures\n\n");
            failures.forEach(f -> sb.append("- ").append(f.replace("\n", "\n  ")).append('\n'));
        }
        return sb.toString();
    }

    /** {@code d} with {@code decimals} decimals, "–" for NaN. */
    static String fmt(double d, int decimals) {
        return Double.isNaN(d) ? "–" : String.format(Locale.ROOT, "%." + decimals + "f", d);
    }
}
