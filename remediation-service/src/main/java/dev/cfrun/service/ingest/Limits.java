package dev.cfrun.service.ingest;

/**
 * Bounds on one request body, checked before anything is accepted; beyond any of them the body is refused
 * with a {@link PayloadException}.
 *
 * @param maxBytes          the body's size in bytes (the default: 1 MiB)
 * @param maxAlerts         alerts in one Alertmanager delivery, hosts in one {@code /v1/runs} request
 * @param maxLabels         labels (and, separately, annotations) of one alert; classes and bundles of one request
 * @param maxLabelLength    characters of a label name or value, a fingerprint, a host, a class or bundle name
 * @param maxTextLength     characters of the longer texts: annotation values, groupKey, generatorURL, receiver
 */
public record Limits(int maxBytes, int maxAlerts, int maxLabels, int maxLabelLength, int maxTextLength) {
    /** 1 MiB, 1,000 alerts, 64 labels of 1,024 characters, texts of 16,384 characters. */
    public static final Limits DEFAULTS = new Limits(1 << 20, 1_000, 64, 1_024, 16_384);

    /**
     * Checked bounds.
     *
     * @throws IllegalArgumentException if a bound is not positive
     */
    public Limits {
        if (maxBytes < 1 || maxAlerts < 1 || maxLabels < 1 || maxLabelLength < 1 || maxTextLength < 1) {
            throw new IllegalArgumentException("every limit must be positive: " + maxBytes + ", " + maxAlerts
                    + ", " + maxLabels + ", " + maxLabelLength + ", " + maxTextLength);
        }
    }
}
