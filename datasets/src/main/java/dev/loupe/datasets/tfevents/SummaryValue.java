package dev.loupe.datasets.tfevents;

/** One tagged value of an event's summary: a scalar or a histogram. */
public sealed interface SummaryValue {
    String tag();

    /** {@code Summary.Value.simple_value}. */
    record Scalar(String tag, float value) implements SummaryValue {}

    /** {@code Summary.Value.histo}. */
    record Histo(String tag, Histogram histogram) implements SummaryValue {}
}
