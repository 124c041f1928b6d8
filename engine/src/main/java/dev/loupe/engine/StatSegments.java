package dev.loupe.engine;

import java.util.Arrays;

/**
 * Parameter tensors an optimizer step summarizes while it updates them: segment {@code i} covers
 * {@code [offset[i], offset[i] + length[i])} of the flat parameter vector, and its three
 * {@link TensorStats} headers (no histogram) go to {@code out[at[i] ..]}, {@code stride} floats
 * apart: θ after the update, the gradient, then Δθ. {@code stride} is at least
 * {@link TensorStats#HEADER} (more where the slots also hold histogram bins, left untouched).
 */
public record StatSegments(long[] offset, long[] length, long[] at, int stride) {
    public StatSegments {
        if (offset.length != length.length || offset.length != at.length) {
            throw new IllegalArgumentException("offset, length and at differ in length");
        }
        if (stride < TensorStats.HEADER) throw new IllegalArgumentException("stride " + stride + " < " + TensorStats.HEADER);
        offset = offset.clone();
        length = length.clone();
        at = at.clone();
    }

    /** Headers back to back ({@code stride} = {@link TensorStats#HEADER}). */
    public StatSegments(long[] offset, long[] length, long[] at) {
        this(offset, length, at, TensorStats.HEADER);
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
                + ", at=" + Arrays.toString(at) + ", stride=" + stride + "]";
    }
}
