package dev.loupe.bench;

/** Where a running workload reports how far it is (the CLI draws a progress bar from it). */
@FunctionalInterface
public interface ProgressSink {

    /** {@code fraction} of the current workload is done (0..1); {@code message} says what is running. */
    void update(double fraction, String message);

    /** Discards progress. */
    ProgressSink NONE = (f, m) -> {};

    /** Maps this workload's 0..1 onto slot {@code index} of {@code count} equal slots of an overall 0..1. */
    default ProgressSink slot(int index, int count) {
        return (f, m) -> update((index + Math.max(0, Math.min(1, f))) / count, m);
    }
}
