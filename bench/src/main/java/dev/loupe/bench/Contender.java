package dev.loupe.bench;

/**
 * One side of a side-by-side throughput comparison: something that trains (or, for a floor, does
 * part of a training step) in whole steps of a fixed batch and can be timed in windows.
 */
public interface Contender extends AutoCloseable {

    /** Name in tables, e.g. {@code loupe/nd4j}, {@code dl4j}, {@code torch}, {@code gemm-floor/nd4j}. */
    String name();

    /** What this contender is in the comparison. */
    Kind kind();

    /** Samples per step. */
    int batch();

    /**
     * Runs whole steps until at least {@code seconds} have passed (at least one step), with the
     * device synchronized before the clock stops.
     */
    Window run(double seconds);

    /** Anything a reader should know about this contender's run (versions, initial loss); may be empty. */
    default String note() { return ""; }

    @Override
    default void close() {}

    /** The roles in a comparison. */
    enum Kind {
        /** Loupe on one of its backends. */
        LOUPE,
        /** Another framework training the same model. */
        PEER,
        /** A lower bound on step time (only the step's GEMMs), for context. */
        FLOOR
    }

    /** Steps done in {@code nanos} nanoseconds of wall time. */
    record Window(long steps, long nanos) {
        /** Throughput of this window at {@code batch} samples per step. */
        public double samplesPerSecond(int batch) {
            return steps * (double) batch / (nanos / 1e9);
        }
    }

    /** Times {@code step} in a loop: the common {@link #run} of in-process contenders. */
    static Window loop(double seconds, Runnable step, Runnable sync) {
        long budget = (long) (seconds * 1e9);
        long t0 = System.nanoTime();
        long steps = 0;
        long elapsed;
        do {
            step.run();
            steps++;
            sync.run();
            elapsed = System.nanoTime() - t0;
        } while (elapsed < budget);
        return new Window(steps, elapsed);
    }
}
