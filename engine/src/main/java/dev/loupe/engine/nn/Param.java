package dev.loupe.engine.nn;

import dev.loupe.engine.Buf;

/**
 * One trainable tensor of a layer: a window into the network's flat parameter vector, and the
 * matching window of the flat gradient. Weight shapes end with the output unit or filter, so a
 * "filter" (for filter normalization) is one column: {@code [fanIn, units]} for dense,
 * {@code [kh, kw, c, filters]} for conv.
 */
public record Param(String layer, String name, int[] shape, long offset, long size, int fanIn,
                    boolean bias, Buf value, Buf grad) {
    /** {@code layer.name}, as used in file names and recording tags. */
    public String id() {
        return layer + "." + name;
    }

    /** Number of output units or filters (the last dimension). */
    public int units() {
        return shape[shape.length - 1];
    }
}
