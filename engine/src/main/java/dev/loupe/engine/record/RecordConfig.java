package dev.loupe.engine.record;

import dev.loupe.datasets.BadInputException;

/**
 * What the {@link Recorder} records and how often.
 *
 * @param mode       off, stats, or full (stats plus histograms)
 * @param statsEvery steps between per-tensor statistics (1 = every step)
 * @param histEvery  steps between histograms in {@code full} mode
 * @param bins       histogram bins
 * @param budget     largest fraction of step time recording may cost before sampling is spaced
 *                   out (0 = no budget: record exactly at the configured intervals)
 */
public record RecordConfig(RecordMode mode, int statsEvery, int histEvery, int bins, double budget) {
    /** Default histogram bins. */
    public static final int BINS = 30;

    public RecordConfig {
        if (statsEvery <= 0) throw new BadInputException("--record-every must be positive, got " + statsEvery);
        if (histEvery <= 0) throw new BadInputException("--hist-every must be positive, got " + histEvery);
        if (bins <= 0 || bins > 4096) throw new BadInputException("histogram bins must be in 1..4096, got " + bins);
        if (!(budget >= 0 && budget < 10)) throw new BadInputException("--record-budget must be ≥ 0 (a fraction such as 0.05), got " + budget);
    }

    /** {@code full}: statistics every step, histograms every 10 steps, no budget. */
    public static RecordConfig defaults() {
        return new RecordConfig(RecordMode.FULL, 1, 10, BINS, 0);
    }

    /** Whether histograms are recorded at all. */
    public boolean histograms() {
        return mode == RecordMode.FULL;
    }
}
