package dev.loupe.datasets.tfevents;

import java.util.List;

/**
 * One TensorBoard {@code Event}: either the file-version header (first record of every file) or a
 * summary of tagged values at a step.
 *
 * @param wallTime    seconds since the epoch
 * @param fileVersion {@code brain.Event:2} in the header event, else null
 */
public record TfEvent(double wallTime, long step, String fileVersion, List<SummaryValue> values) {
    public TfEvent {
        values = List.copyOf(values);
    }

    /** The header every event file starts with. */
    public static TfEvent header(double wallTime) {
        return new TfEvent(wallTime, 0, "brain.Event:2", List.of());
    }

    /** A summary event. */
    public static TfEvent summary(double wallTime, long step, List<SummaryValue> values) {
        return new TfEvent(wallTime, step, null, values);
    }
}
