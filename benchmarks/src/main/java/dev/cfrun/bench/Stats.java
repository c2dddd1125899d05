package dev.cfrun.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Order statistics of a sample: median and spread (the 10th and 90th percentiles, min, max). */
record Stats(int n, double median, double p10, double p90, double min, double max) {

    static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        return new Stats(v.size(), quantile(v, 0.5), quantile(v, 0.1), quantile(v, 0.9), v.get(0), v.get(v.size() - 1));
    }

    /** Linear interpolation between the closest ranks (the usual "type 7" quantile). */
    static double quantile(List<Double> sorted, double q) {
        double pos = q * (sorted.size() - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
    }

    /** {@code 123.4 [110.2–140.0]}: the median and the 10th–90th percentile range. */
    String spread(int decimals) {
        String f = "%." + decimals + "f";
        return String.format(Locale.ROOT, f + " [" + f + "–" + f + "]", median, p10, p90);
    }
}
