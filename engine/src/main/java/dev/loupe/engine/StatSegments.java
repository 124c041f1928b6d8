package dev.loupe.engine;

import java.util.Arrays;

/**
 * Parameter tensors an optimizer step summarizes while it updates them: segment {@code i} covers
 * {@code [offset[i], offset[i] + length[i])} of the flat parameter vector, and its three
 * {@link TensorStats} headers (no histogram) go to {@code out[at[i] ..]}: θ after the update,
 * the gradient, then Δθ, each {@link TensorStats#HEADER} floats.
 */
public record StatSegments(long[] offset, long[] length, long[] at) {
    public StatSegments {
        if (offset.length != length.length || offset.length != at.length) {
            throw new IllegalArgumentException("offset, length and at differ in length");
        }
        offset = offset.clone();
        length = length.clone();
        at = at.clone();
    }

    /** Number of segments. */
    public int count() {
        return offset.length;
    }

    /** Whether the segments cover {@code [0, n)} exactly, in order and without gaps. */
    public boolean tiles(long n) {
        long next = 0;
        for (int i = 0; i < offset.length; i++) {
            if (offset[i] != next || length[i] < 0) return false;
            next += length[i];
        }
        return next == n;
    }

    @Override
    public String toString() {
        return "StatSegments[offset=" + Arrays.toString(offset) + ", length=" + Arrays.toString(length)
                + ", at=" + Arrays.toString(at) + "]";
    }
}
