package dev.loupe.engine.record;

/**
 * Decides which steps are recorded and, with a budget, spaces recording out when it costs too much.
 *
 * <p>The rule: statistics are recorded when {@code step % (statsEvery · f) == 0} and histograms when
 * {@code step % (histEvery · f) == 0}, with a slow-down factor {@code f} (a power of two) that
 * starts at 1. After every window of steps (at least 20, and long enough to hold two histogram
 * steps at the current {@code f}) the overhead {@code o = Σ recording time / Σ step time} over the
 * window is compared with the budget {@code b}: above it, {@code f} is multiplied by the smallest
 * power of two ≥ {@code o / b} (recording cost falls about as 1/f, so one window usually
 * suffices); below {@code b / 4}, {@code f} halves (never below 1), so a run that got faster
 * records more often again. The recorder's own
 * time is measured around its work on the host (enqueueing the stats ops, the summary download,
 * encoding and writing) plus the recorder's estimate of the parameter statistics it had the
 * optimizer step compute ({@code Recorder#totalFusedNanos}); on an asynchronous backend the stats kernels' device time is billed to
 * the next step instead, so there the figure is a lower bound.
 */
public final class SamplingBudget {
    static final int MIN_WINDOW = 20;
    private final int statsEvery;
    private final int histEvery;
    private final boolean histograms;
    private final double budget;
    private long factor = 1;
    private long windowSteps;
    private long windowRecordNanos;
    private long windowStepNanos;
    private double lastOverhead = Double.NaN;

    public SamplingBudget(RecordConfig cfg) {
        this.statsEvery = cfg.statsEvery();
        this.histEvery = cfg.histEvery();
        this.histograms = cfg.histograms();
        this.budget = cfg.budget();
    }

    /** Whether step {@code step} records per-tensor statistics (histogram steps always do). */
    public boolean statsDue(long step) {
        return step % (statsEvery * factor) == 0 || histDue(step);
    }

    /** Whether step {@code step} records histograms. */
    public boolean histDue(long step) {
        return histograms && step % (histEvery * factor) == 0;
    }

    /** Accounts one step: the recorder's time on it and the step's own time. */
    public void observe(long recordNanos, long stepNanos) {
        if (budget <= 0) return;
        windowSteps++;
        windowRecordNanos += recordNanos;
        windowStepNanos += stepNanos;
        long window = Math.max(MIN_WINDOW, 2L * (histograms ? histEvery : statsEvery) * factor);
        if (windowSteps < window) return;
        lastOverhead = windowStepNanos == 0 ? 0 : (double) windowRecordNanos / windowStepNanos;
        if (lastOverhead > budget) factor *= Long.highestOneBit((long) Math.ceil(lastOverhead / budget) * 2 - 1);
        else if (lastOverhead < budget / 4 && factor > 1) factor /= 2;
        windowSteps = windowRecordNanos = windowStepNanos = 0;
    }

    /** The current slow-down factor (1 = the configured intervals). */
    public long factor() {
        return factor;
    }

    /** Overhead measured over the last complete window (NaN before the first, or with no budget). */
    public double lastOverhead() {
        return lastOverhead;
    }
}
