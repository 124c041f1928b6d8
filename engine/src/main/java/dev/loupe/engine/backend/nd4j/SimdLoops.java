package dev.loupe.engine.backend.nd4j;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The nd4j backend's Vector API loops (loaded only when {@link Simd#AVAILABLE}): per-chunk
 * statistics partials, histogram binning, and the optimizer updates with their statistics fused in.
 * Elementwise results are bitwise those of the scalar loops (same float operations, no FMA
 * contraction); reductions differ from them only in the order of summation.
 *
 * <p>Sums and sums of squares are accumulated in double lanes (each float widened, as the
 * reference does): float accumulators would be faster (~20% here) but lose the variance of data
 * with a large offset (the {@code var = E[x²] − mean²} cancellation needs ~1e-10 relative precision).
 * Non-finite elements are not tested per element: a chunk holding one makes its double sum or sum
 * of squares non-finite (finite floats cannot overflow a double sum), and only then is the chunk
 * recounted by the scalar loop.
 */
final class SimdLoops {
    private SimdLoops() {}

    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final int L = FS.length();
    private static final ByteOrder LE = ByteOrder.nativeOrder();

    /** One line for {@code loupe info}: the vector width the loops run at. */
    static String describe() {
        return "SIMD " + FS.vectorBitSize() + "-bit";
    }

    /**
     * Statistics partials of {@code x[lo, hi)} into {@code p[slot·4 ..]} (sum, sum of squares,
     * min, max) and {@code k[slot·3 ..]} (finite, zeros, non-finite). Returns false, with nothing
     * written, when the range holds a non-finite element: the caller recounts it with the scalar loop.
     */
    static boolean stats(MemorySegment x, long lo, long hi, double[] p, long[] k, int slot) {
        DoubleVector s0 = DoubleVector.zero(DS), s1 = s0, q0 = s0, q1 = s0;
        FloatVector mn = FloatVector.broadcast(FS, Float.POSITIVE_INFINITY), mx = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        long zeros = 0, i = lo;
        for (long end = hi - L; i <= end; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(FS, x, i * Float.BYTES, LE);
            DoubleVector d0 = (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 0);
            DoubleVector d1 = (DoubleVector) v.convertShape(VectorOperators.F2D, DS, 1);
            s0 = s0.add(d0);
            q0 = d0.fma(d0, q0); // d0² is exact in double, as the reference's (double) v * v
            s1 = s1.add(d1);
            q1 = d1.fma(d1, q1);
            mn = mn.min(v);
            mx = mx.max(v);
            zeros += v.compare(VectorOperators.EQ, 0f).trueCount();
        }
        double sum = s0.add(s1).reduceLanes(VectorOperators.ADD), sumSq = q0.add(q1).reduceLanes(VectorOperators.ADD);
        double min = mn.reduceLanes(VectorOperators.MIN), max = mx.reduceLanes(VectorOperators.MAX);
        for (; i < hi; i++) {
            float v = x.getAtIndex(Nd4jBackend.F, i);
            if (v == 0f) zeros++;
            sum += v;
            sumSq += (double) v * v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        if (!Double.isFinite(sum) || !Double.isFinite(sumSq)) return false;
        StatsKernels.put(p, k, slot, sum, sumSq, min, max, hi - lo, zeros, 0);
        return true;
    }

    /**
     * Adds the histogram bins of {@code x[lo, hi)} (all finite) to {@code counts[at ..]}, which
     * holds {@link StatsKernels#WAYS} (4) interleaved tables of {@code bins} counters. The bin is computed as
     * {@code ReferenceBackend.histogramBin} does, {@code (int) ((v − lo) / (hi − lo) · bins)}
     * clamped, with the same float operations (a true division, not a reciprocal). Binning is
     * vectorized into {@code idx}; the increments are scalar, spread over the tables so that runs of
     * one bin do not serialize on a store-to-load dependency.
     */
    static void bins(MemorySegment x, long from, long to, float lo, float hi, int bins, int[] idx, int[] counts, int at) {
        FloatVector vlo = FloatVector.broadcast(FS, lo), width = FloatVector.broadcast(FS, hi - lo),
                scale = FloatVector.broadcast(FS, (float) bins);
        IntVector top = IntVector.broadcast(IS, bins - 1), zero = IntVector.zero(IS);
        int block = idx.length - idx.length % L;
        for (long start = from; start < to; start += block) {
            long end = Math.min(to, start + block), i = start;
            int m = 0;
            for (; i <= end - L; i += L, m += L) {
                FloatVector v = FloatVector.fromMemorySegment(FS, x, i * Float.BYTES, LE);
                IntVector b = (IntVector) v.sub(vlo).div(width).mul(scale).convertShape(VectorOperators.F2I, IS, 0);
                b.max(zero).min(top).intoArray(idx, m);
            }
            for (; i < end; i++, m++) {
                float v = x.getAtIndex(Nd4jBackend.F, i);
                idx[m] = Math.min(bins - 1, Math.max(0, (int) ((v - lo) / (hi - lo) * bins)));
            }
            int j = 0;
            for (; j + 3 < m; j += 4) {
                counts[at + idx[j]]++;
                counts[at + bins + idx[j + 1]]++;
                counts[at + 2 * bins + idx[j + 2]]++;
                counts[at + 3 * bins + idx[j + 3]]++;
            }
            for (; j < m; j++) counts[at + idx[j]]++;
        }
    }
}
