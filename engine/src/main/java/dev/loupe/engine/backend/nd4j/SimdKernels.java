package dev.loupe.engine.backend.nd4j;

import static dev.loupe.engine.backend.nd4j.Nd4jBackend.F;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API forms of the NHWC loops whose innermost dimension is the channel (contiguous):
 * 2×2 max pooling forward and backward, col2im's scatter-add and the bias add. Each computes
 * every element with the same float operations in the same order as the scalar loop, so the bits
 * do not depend on which form ran. Only loaded when {@link Simd#AVAILABLE}; channel tails shorter
 * than a vector run the scalar form.
 */
final class SimdKernels {
    private SimdKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder O = ByteOrder.nativeOrder();
    private static final long B = Float.BYTES;
    /** 0, 1, 2, … per lane: channel offsets within a vector, for argmax indices. */
    private static final FloatVector IOTA = FloatVector.zero(S).addIndex(1);

    /** Floats per vector: loops use the vector form where a pixel has at least this many channels. */
    static int lanes() {
        return L;
    }

    private static FloatVector load(MemorySegment m, long at) {
        return FloatVector.fromMemorySegment(S, m, at * B, O);
    }

    /**
     * Output pixels {@code [lo, hi)} of a 2×2/2 max pool without padding. The reference's rule
     * exactly: tap 0 is the running maximum and a later tap replaces it only when strictly greater
     * (a NaN never replaces and, first, is never replaced; −0 and +0 tie). The argmax holds the
     * window-local index as a float (exact: indices are far below 2²⁴).
     */
    static void maxPool2x2(MemorySegment x, MemorySegment y, MemorySegment argmax, int lo, int hi,
                           int oh, int ow, int wd, int c, long in) {
        long rowStride = (long) wd * c;
        for (int row = lo; row < hi; row++) {
            int n = row / (oh * ow), rest = row % (oh * ow), py = rest / ow, px = rest % ow;
            long l0 = ((long) 2 * py * wd + 2L * px) * c, l1 = l0 + c, l2 = l0 + rowStride, l3 = l2 + c;
            long base = n * in, o = (long) row * c;
            int k = 0;
            for (; k <= c - L; k += L) {
                FloatVector best = load(x, base + l0 + k);
                FloatVector at = IOTA.add((float) (l0 + k));
                FloatVector v = load(x, base + l1 + k);
                VectorMask<Float> gt = v.compare(VectorOperators.GT, best);
                best = best.blend(v, gt);
                at = at.blend(IOTA.add((float) (l1 + k)), gt);
                v = load(x, base + l2 + k);
                gt = v.compare(VectorOperators.GT, best);
                best = best.blend(v, gt);
                at = at.blend(IOTA.add((float) (l2 + k)), gt);
                v = load(x, base + l3 + k);
                gt = v.compare(VectorOperators.GT, best);
                best = best.blend(v, gt);
                at = at.blend(IOTA.add((float) (l3 + k)), gt);
                best.intoMemorySegment(y, (o + k) * B, O);
                at.intoMemorySegment(argmax, (o + k) * B, O);
            }
            for (; k < c; k++) {
                long[] taps = {l0, l1, l2, l3};
                float best = x.getAtIndex(F, base + l0 + k);
                long at = l0;
                for (int t = 1; t < 4; t++) {
                    float v = x.getAtIndex(F, base + taps[t] + k);
                    if (v > best) {
                        best = v;
                        at = taps[t];
                    }
                }
                y.setAtIndex(F, o + k, best);
                argmax.setAtIndex(F, o + k, at + k);
            }
        }
    }

    /**
     * Samples {@code [lo, hi)} of the 2×2/2 max pool's backward pass. The windows do not overlap,
     * so each input element gets at most one output's gradient: instead of zeroing and scattering,
     * every tap is written once with {@code 0 + dy} where the argmax names it and 0 elsewhere
     * (the reference's {@code dx += dy} on a zeroed dx, bit for bit, −0 included). Rows and columns
     * that no window covers (odd sizes) are zeroed.
     */
    static void maxPool2x2Backward(MemorySegment dy, MemorySegment argmax, MemorySegment dx, int lo, int hi,
                                   int oh, int ow, int h, int wd, int c) {
        long in = (long) h * wd * c, out = (long) oh * ow * c, rowStride = (long) wd * c;
        FloatVector zero = FloatVector.zero(S);
        for (int n = lo; n < hi; n++) {
            long base = n * in;
            if (h != 2 * oh || wd != 2 * ow) dx.asSlice(base * B, in * B).fill((byte) 0);
            for (int py = 0; py < oh; py++) {
                for (int px = 0; px < ow; px++) {
                    long l0 = ((long) 2 * py * wd + 2L * px) * c, l1 = l0 + c, l2 = l0 + rowStride, l3 = l2 + c;
                    long o = (long) n * out + ((long) py * ow + px) * c;
                    int k = 0;
                    for (; k <= c - L; k += L) {
                        FloatVector a = load(argmax, o + k);
                        FloatVector g = zero.add(load(dy, o + k));
                        FloatVector iota = IOTA.add((float) k);
                        zero.blend(g, a.compare(VectorOperators.EQ, iota.add((float) l0))).intoMemorySegment(dx, (base + l0 + k) * B, O);
                        zero.blend(g, a.compare(VectorOperators.EQ, iota.add((float) l1))).intoMemorySegment(dx, (base + l1 + k) * B, O);
                        zero.blend(g, a.compare(VectorOperators.EQ, iota.add((float) l2))).intoMemorySegment(dx, (base + l2 + k) * B, O);
                        zero.blend(g, a.compare(VectorOperators.EQ, iota.add((float) l3))).intoMemorySegment(dx, (base + l3 + k) * B, O);
                    }
                    for (; k < c; k++) {
                        long a = (long) argmax.getAtIndex(F, o + k);
                        float g = 0f + dy.getAtIndex(F, o + k);
                        dx.setAtIndex(F, base + l0 + k, a == l0 + k ? g : 0f);
                        dx.setAtIndex(F, base + l1 + k, a == l1 + k ? g : 0f);
                        dx.setAtIndex(F, base + l2 + k, a == l2 + k ? g : 0f);
                        dx.setAtIndex(F, base + l3 + k, a == l3 + k ? g : 0f);
                    }
                }
            }
        }
    }

    /** {@code dst[to .. to+len) += src[from .. from+len)} (col2im's scatter). */
    static void add(MemorySegment src, long from, MemorySegment dst, long to, int len) {
        int k = 0;
        for (; k <= len - L; k += L) load(dst, to + k).add(load(src, from + k)).intoMemorySegment(dst, (to + k) * B, O);
        for (; k < len; k++) dst.setAtIndex(F, to + k, dst.getAtIndex(F, to + k) + src.getAtIndex(F, from + k));
    }

    /** Rows {@code [lo, hi)} of {@code x[r, :] += bias}. */
    static void addBias(MemorySegment x, MemorySegment bias, int lo, int hi, int cols) {
        for (int r = lo; r < hi; r++) {
            long base = (long) r * cols;
            int c = 0;
            for (; c <= cols - L; c += L) load(x, base + c).add(load(bias, c)).intoMemorySegment(x, (base + c) * B, O);
            for (; c < cols; c++) x.setAtIndex(F, base + c, x.getAtIndex(F, base + c) + bias.getAtIndex(F, c));
        }
    }
}
