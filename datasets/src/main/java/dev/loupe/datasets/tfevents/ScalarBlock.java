package dev.loupe.datasets.tfevents;

import java.util.ArrayList;
import java.util.List;

/**
 * Scalar values of one event under a fixed list of tags: {@code values[i]} is the value of
 * {@code tags.tag(i)}. Encoded from the tags' template; decoding gives them back as
 * {@link SummaryValue.Scalar}s.
 */
public record ScalarBlock(ScalarTags tags, float[] values) {
    public ScalarBlock {
        if (values.length != tags.size()) {
            throw new IllegalArgumentException(values.length + " values for " + tags.size() + " tags");
        }
    }

    /** The same values as separate scalars, in tag order. */
    public List<SummaryValue> asValues() {
        List<SummaryValue> out = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++) out.add(new SummaryValue.Scalar(tags.tag(i), values[i]));
        return out;
    }
}
