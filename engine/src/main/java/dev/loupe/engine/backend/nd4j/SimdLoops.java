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
     * The SGD update of {@code [lo, hi)} exactly as {@code Kernels.sgd} computes it (PyTorch
     * semantics; {@code vel} unused when {@code mom} is 0), vectorized.
     */
    static void sgd(MemorySegment param, MemorySegment grad, MemorySegment vel, MemorySegment upd, long lo, long hi,
                    float lr, float mom, boolean nesterov, float wd) {
        FloatVector vwd = FloatVector.broadcast(FS, wd), vmom = FloatVector.broadcast(FS, mom), vlr = FloatVector.broadcast(FS, -lr);
        long i = lo;
        for (long end = hi - L; i <= end; i += L) {
            long off = i * Float.BYTES;
            FloatVector th = FloatVector.fromMemorySegment(FS, param, off, LE);
            FloatVector g = FloatVector.fromMemorySegment(FS, grad, off, LE).add(th.mul(vwd));
            if (mom != 0) {
                FloatVector v = vmom.mul(FloatVector.fromMemorySegment(FS, vel, off, LE)).add(g);
                v.intoMemorySegment(vel, off, LE);
                g = nesterov ? g.add(vmom.mul(v)) : v;
            }
            FloatVector d = vlr.mul(g);
            if (upd != null) d.intoMemorySegment(upd, off, LE);
            th.add(d).intoMemorySegment(param, off, LE);
        }
        for (; i < hi; i++) sgdScalar(param, grad, vel, upd, i, lr, mom, nesterov, wd);
    }

    /** One element of the SGD update, as {@code Kernels.sgd}; returns Δθ. */
    private static float sgdScalar(MemorySegment param, MemorySegment grad, MemorySegment vel, MemorySegment upd, long i,
                                   float lr, float mom, boolean nesterov, float wd) {
        float th = param.getAtIndex(Nd4jBackend.F, i);
        float g = grad.getAtIndex(Nd4jBackend.F, i) + wd * th;
        if (mom != 0) {
            float v = mom * vel.getAtIndex(Nd4jBackend.F, i) + g;
            vel.setAtIndex(Nd4jBackend.F, i, v);
            g = nesterov ? g + mom * v : v;
        }
        float d = -lr * g;
        if (upd != null) upd.setAtIndex(Nd4jBackend.F, i, d);
        param.setAtIndex(Nd4jBackend.F, i, th + d);
        return d;
    }

    /**
     * {@link #sgd} over {@code [lo, hi)} with the statistics partials of θ after the update, the
     * gradient and Δθ (written to {@code upd}) accumulated in the same loop, into slots
     * {@code sTheta}, {@code sGrad}, {@code sDelta}. Returns a bit set of the streams (1 θ,
     * 2 gradient, 4 Δθ) that held a non-finite element: their partials are not written, and the
     * caller recounts them from the buffers with the scalar loop.
     */
    static int sgdStats(MemorySegment param, MemorySegment grad, MemorySegment vel, MemorySegment upd, long lo, long hi,
                        float lr, float mom, boolean nesterov, float wd, double[] p, long[] k, int sTheta, int sGrad, int sDelta) {
        FloatVector vwd = FloatVector.broadcast(FS, wd), vmom = FloatVector.broadcast(FS, mom), vlr = FloatVector.broadcast(FS, -lr);
        FloatVector inf = FloatVector.broadcast(FS, Float.POSITIVE_INFINITY), ninf = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
        DoubleVector z = DoubleVector.zero(DS);
        DoubleVector ts0 = z, ts1 = z, tq0 = z, tq1 = z, gs0 = z, gs1 = z, gq0 = z, gq1 = z, ds0 = z, ds1 = z, dq0 = z, dq1 = z;
        FloatVector tmn = inf, tmx = ninf, gmn = inf, gmx = ninf, dmn = inf, dmx = ninf;
        long tz = 0, gz = 0, dz = 0, i = lo;
        for (long end = hi - L; i <= end; i += L) {
            long off = i * Float.BYTES;
            FloatVector th = FloatVector.fromMemorySegment(FS, param, off, LE);
            FloatVector gr = FloatVector.fromMemorySegment(FS, grad, off, LE);
            FloatVector g = gr.add(th.mul(vwd));
            if (mom != 0) {
                FloatVector v = vmom.mul(FloatVector.fromMemorySegment(FS, vel, off, LE)).add(g);
                v.intoMemorySegment(vel, off, LE);
                g = nesterov ? g.add(vmom.mul(v)) : v;
            }
            FloatVector d = vlr.mul(g);
            d.intoMemorySegment(upd, off, LE);
            FloatVector t = th.add(d);
            t.intoMemorySegment(param, off, LE);

            DoubleVector a0 = (DoubleVector) t.convertShape(VectorOperators.F2D, DS, 0);
            DoubleVector a1 = (DoubleVector) t.convertShape(VectorOperators.F2D, DS, 1);
            ts0 = ts0.add(a0);
            tq0 = a0.fma(a0, tq0);
            ts1 = ts1.add(a1);
            tq1 = a1.fma(a1, tq1);
            tmn = tmn.min(t);
            tmx = tmx.max(t);
            tz += t.compare(VectorOperators.EQ, 0f).trueCount();

            DoubleVector b0 = (DoubleVector) gr.convertShape(VectorOperators.F2D, DS, 0);
            DoubleVector b1 = (DoubleVector) gr.convertShape(VectorOperators.F2D, DS, 1);
            gs0 = gs0.add(b0);
            gq0 = b0.fma(b0, gq0);
            gs1 = gs1.add(b1);
            gq1 = b1.fma(b1, gq1);
            gmn = gmn.min(gr);
            gmx = gmx.max(gr);
            gz += gr.compare(VectorOperators.EQ, 0f).trueCount();

            DoubleVector c0 = (DoubleVector) d.convertShape(VectorOperators.F2D, DS, 0);
            DoubleVector c1 = (DoubleVector) d.convertShape(VectorOperators.F2D, DS, 1);
            ds0 = ds0.add(c0);
            dq0 = c0.fma(c0, dq0);
            ds1 = ds1.add(c1);
            dq1 = c1.fma(c1, dq1);
            dmn = dmn.min(d);
            dmx = dmx.max(d);
            dz += d.compare(VectorOperators.EQ, 0f).trueCount();
        }
        double[] ta = partial(ts0, ts1, tq0, tq1, tmn, tmx, tz), ga = partial(gs0, gs1, gq0, gq1, gmn, gmx, gz),
                da = partial(ds0, ds1, dq0, dq1, dmn, dmx, dz);
        for (; i < hi; i++) {
            float g = grad.getAtIndex(Nd4jBackend.F, i);
            float d = sgdScalar(param, grad, vel, upd, i, lr, mom, nesterov, wd);
            add(ta, param.getAtIndex(Nd4jBackend.F, i));
            add(ga, g);
            add(da, d);
        }
        return (put(ta, p, k, sTheta, hi - lo) ? 0 : 1) | (put(ga, p, k, sGrad, hi - lo) ? 0 : 2)
                | (put(da, p, k, sDelta, hi - lo) ? 0 : 4);
    }

    /** {sum, sum of squares, min, max, zeros} of one stream's vector accumulators. */
    private static double[] partial(DoubleVector s0, DoubleVector s1, DoubleVector q0, DoubleVector q1, FloatVector mn,
                                    FloatVector mx, long zeros) {
        return new double[] {s0.add(s1).reduceLanes(VectorOperators.ADD), q0.add(q1).reduceLanes(VectorOperators.ADD),
            mn.reduceLanes(VectorOperators.MIN), mx.reduceLanes(VectorOperators.MAX), zeros};
    }

    private static void add(double[] a, float v) {
        if (v == 0f) a[4]++;
        a[0] += v;
        a[1] += (double) v * v;
        a[2] = Math.min(a[2], v);
        a[3] = Math.max(a[3], v);
    }

    /** Writes a stream's partials; false (nothing written) when it met a non-finite element. */
    private static boolean put(double[] a, double[] p, long[] k, int slot, long count) {
        if (!Double.isFinite(a[0]) || !Double.isFinite(a[1])) return false;
        StatsKernels.put(p, k, slot, a[0], a[1], a[2], a[3], count, (long) a[4], 0);
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
