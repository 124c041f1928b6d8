package dev.loupe.datasets.tfevents;

import java.util.ArrayList;
import java.util.List;

/**
 * One TensorBoard {@code Event}: either the file-version header (first record of every file) or a
 * summary of tagged values at a step.
 *
 * @param wallTime    seconds since the epoch
 * @param fileVersion {@code brain.Event:2} in the header event, else null
 * @param values      tagged values
 * @param scalars     more scalars under fixed tags, encoded after {@code values}; null if none
 *                    (decoded events hold every value in {@code values})
 */
public record TfEvent(double wallTime, long step, String fileVersion, List<SummaryValue> values, ScalarBlock scalars) {
    public TfEvent {
        values = List.copyOf(values);
    }

    public TfEvent(double wallTime, long step, String fileVersion, List<SummaryValue> values) {
        this(wallTime, step, fileVersion, values, null);
    }

    /** The header every event file starts with. */
    public static TfEvent header(double wallTime) {
        return new TfEvent(wallTime, 0, "brain.Event:2", List.of());
    }

    /** A summary event. */
    public static TfEvent summary(double wallTime, long step, List<SummaryValue> values) {
        return new TfEvent(wallTime, step, null, values);
    }

    /** A summary event with a block of scalars under fixed tags after {@code values}. */
    public static TfEvent summary(double wallTime, long step, List<SummaryValue> values, ScalarBlock scalars) {
        return new TfEvent(wallTime, step, null, values, scalars);
    }

    /** Every value in the order encoded: {@code values}, then the block's scalars. */
    public List<SummaryValue> allValues() {
        if (scalars == null) return values;
        List<SummaryValue> all = new ArrayList<>(values);
        all.addAll(scalars.asValues());
        return all;
    }
}
