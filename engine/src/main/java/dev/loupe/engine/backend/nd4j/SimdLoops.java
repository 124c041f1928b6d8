package dev.loupe.engine.backend.nd4j;

import dev.loupe.engine.backend.reference.ReferenceBackend;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The nd4j backend's Vector API loops (loaded only when {@link Simd#AVAILABLE}): per-chunk
 * statistics partials, histogram binning, ReLU forward and backward, the SGD and Adam updates, and
 * those updates and ReLU passes with the statistics of their inputs and outputs computed block by
 * block as they are written.
 * Elementwise results are bitwise those of the scalar loops (same float operations, no FMA
 * contraction); reductions differ from them only in the order of summation.
 *
 * <p>Sums and sums of squares are accumulated per block of {@link #BLOCK} elements in float lanes
 * over the shifted values {@code t = x − c}, {@code c} the block's first element, then widened to
 * double and unshifted ({@code Σx = Σt + n·c}, {@code Σx² = Σt² + 2c·Σt + n·c²}). Each lane sums
 * at most {@code BLOCK / L} values, and the shift keeps the variance of data with a large offset
 * (for x within a factor 2 of c, x − c is exact by Sterbenz's lemma; the conformance case with
 * offset 1000 agrees with the reference's double sums to 1.5e-7). Measured against double lanes
 * (each float widened): 25% less time for the parameter statistics fused into the SGD step.
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
    /** Half-width floats, as many lanes as {@link #DS}: the statistics loops widen each to one double vector. */
    static final VectorSpecies<Float> HS = VectorSpecies.of(float.class, VectorShape.forBitSize(FS.vectorBitSize() / 2));
    private static final int H = HS.length();
    /** Ones in int lanes: the per-lane zero counters' increment (a block of {@link #BLOCK} cannot overflow them). */
    private static final IntVector ONE_I = IntVector.broadcast(IS, 1);
    private static final ByteOrder LE = ByteOrder.nativeOrder();

    /** One line for {@code loupe info}: the vector width the loops run at. */
    static String describe() {
        return "SIMD " + FS.vectorBitSize() + "-bit";
    }

    /**
     * Elements per block of the statistics loops: each block's vector accumulators are reduced
     * into double partials, so a fused loop can update a block and then summarize it from L1.
     * The plain statistics use the same blocks, so fused and unfused partials are bitwise equal.
     */
    static final int BLOCK = 1024;

    /**
     * Statistics partials of {@code x[lo, hi)} into {@code p[slot·4 ..]} (sum, sum of squares,
     * min, max) and {@code k[slot·3 ..]} (finite, zeros, non-finite). Returns false, with nothing
     * written, when the range holds a non-finite element: the caller recounts it with the scalar loop.
     */
    static boolean stats(MemorySegment x, long lo, long hi, double[] p, long[] k, int slot) {
        double[] a = fresh();
        for (long b = lo; b < hi; b += BLOCK) accumulate(x, b, Math.min(hi, b + BLOCK), a);
        return put(a, p, k, slot, hi - lo);
    }

    /** {sum, sum of squares, min, max, zeros} before any element. */
    private static double[] fresh() {
        return new double[] {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0};
    }

    /**
     * Adds {@code x[lo, hi)} (at most one block) to the partials {@code a} (see {@link #fresh});
     * a small method, so C2 inlines every vector op. Shifted float sums, see the class comment; min
     * and max by compare and blend (Java's min/max keep NaN and ±0 rules at several instructions
     * each; a NaN makes the sums non-finite and the chunk is recounted anyway, and −0 vs +0 as the
     * minimum compare equal); zeros counted in int lanes by masked adds. Two vectors per iteration
     * into two sets of accumulators, combined at the end: one set leaves each iteration waiting on
     * the compare-and-blend chains of min and max (about 7 cycles per vector), two hide that
     * latency (about 20% less time per vector measured on AVX-512).
     */
    private static void accumulate(MemorySegment x, long lo, long hi, double[] a) {
        long i = lo, full = lo + (hi - lo) / L * L;
        if (full > lo) {
            float c = x.getAtIndex(Nd4jBackend.F, lo);
            FloatVector vc = FloatVector.broadcast(FS, c), s0 = FloatVector.zero(FS), q0 = s0, s1 = s0, q1 = s0;
            FloatVector mn0 = FloatVector.broadcast(FS, Float.POSITIVE_INFINITY), mx0 = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
            FloatVector mn1 = mn0, mx1 = mx0;
            IntVector z0 = IntVector.zero(IS), z1 = z0;
            for (long pairs = lo + (hi - lo) / (2L * L) * (2L * L); i < pairs; i += 2L * L) {
                FloatVector u = FloatVector.fromMemorySegment(FS, x, i * Float.BYTES, LE);
                FloatVector w = FloatVector.fromMemorySegment(FS, x, (i + L) * Float.BYTES, LE);
                FloatVector t = u.sub(vc), v = w.sub(vc);
                s0 = s0.add(t);
                s1 = s1.add(v);
                q0 = t.fma(t, q0);
                q1 = v.fma(v, q1);
                mn0 = mn0.blend(u, u.compare(VectorOperators.LT, mn0));
                mn1 = mn1.blend(w, w.compare(VectorOperators.LT, mn1));
                mx0 = mx0.blend(u, u.compare(VectorOperators.GT, mx0));
                mx1 = mx1.blend(w, w.compare(VectorOperators.GT, mx1));
                z0 = z0.add(ONE_I, u.compare(VectorOperators.EQ, 0f).cast(IS));
                z1 = z1.add(ONE_I, w.compare(VectorOperators.EQ, 0f).cast(IS));
            }
            for (; i < full; i += L) {
                FloatVector u = FloatVector.fromMemorySegment(FS, x, i * Float.BYTES, LE);
                FloatVector t = u.sub(vc);
                s0 = s0.add(t);
                q0 = t.fma(t, q0);
                mn0 = mn0.blend(u, u.compare(VectorOperators.LT, mn0));
                mx0 = mx0.blend(u, u.compare(VectorOperators.GT, mx0));
                z0 = z0.add(ONE_I, u.compare(VectorOperators.EQ, 0f).cast(IS));
            }
            FloatVector s = s0.add(s1), q = q0.add(q1);
            FloatVector mn = mn0.blend(mn1, mn1.compare(VectorOperators.LT, mn0)), mx = mx0.blend(mx1, mx1.compare(VectorOperators.GT, mx0));
            double sum = ((DoubleVector) s.convertShape(VectorOperators.F2D, DS, 0)).add(
                    (DoubleVector) s.convertShape(VectorOperators.F2D, DS, 1)).reduceLanes(VectorOperators.ADD);
            double sq = ((DoubleVector) q.convertShape(VectorOperators.F2D, DS, 0)).add(
                    (DoubleVector) q.convertShape(VectorOperators.F2D, DS, 1)).reduceLanes(VectorOperators.ADD);
            double n = full - lo;
            a[0] += sum + n * c;
            a[1] += sq + 2 * c * sum + n * ((double) c * c);
            a[2] = Math.min(a[2], mn.reduceLanes(VectorOperators.MIN));
            a[3] = Math.max(a[3], mx.reduceLanes(VectorOperators.MAX));
            a[4] += z0.add(z1).reduceLanesToLong(VectorOperators.ADD);
        }
        for (; i < hi; i++) add(a, x.getAtIndex(Nd4jBackend.F, i));
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

    /** An optimizer update of the elements {@code [lo, hi)} (writing θ, its state and Δθ). */
    interface BlockStep {
        void run(long lo, long hi);
    }

    /**
     * {@code step} over {@code [lo, hi)} with the statistics partials of θ after the update, the
     * gradient and Δθ (which {@code step} writes to {@code upd}) into slots {@code sTheta},
     * {@code sGrad}, {@code sDelta}. Returns a bit set of the streams (1 θ, 2 gradient, 4 Δθ)
     * that held a non-finite element: their partials are not written, and the caller recounts
     * them from the buffers with the scalar loop.
     */
    static int stepStats(BlockStep step, MemorySegment param, MemorySegment grad, MemorySegment upd, long lo, long hi,
                         double[] p, long[] k, int sTheta, int sGrad, int sDelta) {
        // one vector loop doing all of it needs ~20 live accumulators and more inlined code than C2
        // will compile as vectors (it fell back to boxed vectors: 20× slower); blocks that are
        // updated, then summarized while in L1, cost the same memory traffic
        double[] t = fresh(), g = fresh(), d = fresh();
        for (long b = lo; b < hi; b += BLOCK) {
            long e = Math.min(hi, b + BLOCK);
            accumulate(grad, b, e, g); // the gradient is only read by the step: summarize it as it is loaded
            step.run(b, e);
            accumulate(param, b, e, t);
            accumulate(upd, b, e, d);
        }
        return (put(t, p, k, sTheta, hi - lo) ? 0 : 1) | (put(g, p, k, sGrad, hi - lo) ? 0 : 2)
                | (put(d, p, k, sDelta, hi - lo) ? 0 : 4);
    }

    /** {@code y += alpha · x} over {@code [lo, hi)}, rounded as the scalar loop (no FMA). */
    static void axpy(MemorySegment x, MemorySegment y, long lo, long hi, float alpha) {
        FloatVector va = FloatVector.broadcast(FS, alpha);
        long i = lo;
        for (long end = hi - L; i <= end; i += L) {
            long off = i * Float.BYTES;
            FloatVector.fromMemorySegment(FS, y, off, LE).add(va.mul(FloatVector.fromMemorySegment(FS, x, off, LE)))
                    .intoMemorySegment(y, off, LE);
        }
        for (; i < hi; i++) y.setAtIndex(Nd4jBackend.F, i, y.getAtIndex(Nd4jBackend.F, i) + alpha * x.getAtIndex(Nd4jBackend.F, i));
    }

    /** {@code out = (base + a·d1) + b·d2} over {@code [lo, hi)} ({@code d2} null: two terms), rounded term by term. */
    static void combine(MemorySegment base, float a, MemorySegment d1, float b, MemorySegment d2, MemorySegment out,
                        long lo, long hi) {
        FloatVector va = FloatVector.broadcast(FS, a), vb = FloatVector.broadcast(FS, b);
        long i = lo;
        for (long end = hi - L; i <= end; i += L) {
            long off = i * Float.BYTES;
            FloatVector v = FloatVector.fromMemorySegment(FS, base, off, LE).add(va.mul(FloatVector.fromMemorySegment(FS, d1, off, LE)));
            if (d2 != null) v = v.add(vb.mul(FloatVector.fromMemorySegment(FS, d2, off, LE)));
            v.intoMemorySegment(out, off, LE);
        }
        for (; i < hi; i++) {
            float v = base.getAtIndex(Nd4jBackend.F, i) + a * d1.getAtIndex(Nd4jBackend.F, i);
            if (d2 != null) v = v + b * d2.getAtIndex(Nd4jBackend.F, i);
            out.setAtIndex(Nd4jBackend.F, i, v);
        }
    }

    /**
     * Adds rows {@code [lo, hi)} of the row-major {@code x[· × cols]} to {@code acc[at .. at + cols)},
     * column by column in row order: the same double additions, in the same order, as the scalar
     * loop, so the bias gradient does not depend on which loop ran.
     */
    static void addRows(MemorySegment x, int lo, int hi, int cols, double[] acc, int at) {
        int c0 = 0;
        // four vectors of columns at a time, summed down the rows in registers (a running sum kept in
        // the array would put a store-to-load round trip on every row)
        for (; c0 + 4 * H <= cols; c0 += 4 * H) {
            DoubleVector a0 = DoubleVector.fromArray(DS, acc, at + c0), a1 = DoubleVector.fromArray(DS, acc, at + c0 + H),
                    a2 = DoubleVector.fromArray(DS, acc, at + c0 + 2 * H), a3 = DoubleVector.fromArray(DS, acc, at + c0 + 3 * H);
            for (int r = lo; r < hi; r++) {
                long off = ((long) r * cols + c0) * Float.BYTES;
                a0 = a0.add(widen(x, off));
                a1 = a1.add(widen(x, off + (long) H * Float.BYTES));
                a2 = a2.add(widen(x, off + 2L * H * Float.BYTES));
                a3 = a3.add(widen(x, off + 3L * H * Float.BYTES));
            }
            a0.intoArray(acc, at + c0);
            a1.intoArray(acc, at + c0 + H);
            a2.intoArray(acc, at + c0 + 2 * H);
            a3.intoArray(acc, at + c0 + 3 * H);
        }
        for (; c0 + H <= cols; c0 += H) {
            DoubleVector a0 = DoubleVector.fromArray(DS, acc, at + c0);
            for (int r = lo; r < hi; r++) a0 = a0.add(widen(x, ((long) r * cols + c0) * Float.BYTES));
            a0.intoArray(acc, at + c0);
        }
        for (; c0 < cols; c0++) {
            double a = acc[at + c0];
            for (int r = lo; r < hi; r++) a += x.getAtIndex(Nd4jBackend.F, (long) r * cols + c0);
            acc[at + c0] = a;
        }
    }

    /** {@link #HS} floats at byte offset {@code off}, widened to one double vector. */
    private static DoubleVector widen(MemorySegment x, long off) {
        return (DoubleVector) FloatVector.fromMemorySegment(HS, x, off, LE).convertShape(VectorOperators.F2D, DS, 0);
    }

    /** ReLU forward of {@code [lo, hi)} exactly as the scalar loop: {@code x > 0 ? x : +0} (NaN → 0). */
    static void relu(MemorySegment x, MemorySegment y, long lo, long hi) {
        FloatVector zero = FloatVector.zero(FS);
        long i = lo;
        for (long end = hi - L; i <= end; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(FS, x, i * Float.BYTES, LE);
            zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoMemorySegment(y, i * Float.BYTES, LE);
        }
        for (; i < hi; i++) {
            float v = x.getAtIndex(Nd4jBackend.F, i);
            y.setAtIndex(Nd4jBackend.F, i, v > 0 ? v : 0f);
        }
    }

    /**
     * ReLU backward of {@code [lo, hi)} exactly as the scalar loop: {@code dx = (x > 0 ? 1 : 0) · dy}
     * (a product, not a select, so 0 · ±∞ and 0 · NaN stay NaN and 0 · negative stays −0).
     */
    static void reluBackward(MemorySegment x, MemorySegment dy, MemorySegment dx, long lo, long hi) {
        FloatVector zero = FloatVector.zero(FS), one = FloatVector.broadcast(FS, 1f);
        long i = lo;
        for (long end = hi - L; i <= end; i += L) {
            long off = i * Float.BYTES;
            FloatVector v = FloatVector.fromMemorySegment(FS, x, off, LE);
            FloatVector g = FloatVector.fromMemorySegment(FS, dy, off, LE);
            zero.blend(one, v.compare(VectorOperators.GT, 0f)).mul(g).intoMemorySegment(dx, off, LE);
        }
        for (; i < hi; i++) {
            float v = x.getAtIndex(Nd4jBackend.F, i);
            dx.setAtIndex(Nd4jBackend.F, i, (v > 0 ? 1f : 0f) * dy.getAtIndex(Nd4jBackend.F, i));
        }
    }

    /**
     * ReLU forward over {@code [lo, hi)} with the statistics partials of {@code x} into slot
     * {@code sx} and of {@code y} into {@code sy}, block by block while each block is in L1 (the
     * blocks of {@link #stats}, so the partials are bitwise those of two separate stats calls).
     * Returns the bit set of streams (1 x, 2 y) that met a non-finite element, as {@link #stepStats}.
     */
    static int reluStats(MemorySegment x, MemorySegment y, long lo, long hi, double[] p, long[] k, int sx, int sy) {
        double[] a = fresh(), b = fresh();
        for (long s = lo; s < hi; s += BLOCK) {
            long e = Math.min(hi, s + BLOCK);
            accumulate(x, s, e, a);
            relu(x, y, s, e);
            accumulate(y, s, e, b);
        }
        return (put(a, p, k, sx, hi - lo) ? 0 : 1) | (put(b, p, k, sy, hi - lo) ? 0 : 2);
    }

    /** ReLU backward over {@code [lo, hi)} with the partials of {@code dy} (slot {@code sdy}, bit 1) and {@code dx} ({@code sdx}, bit 2). */
    static int reluBackwardStats(MemorySegment x, MemorySegment dy, MemorySegment dx, long lo, long hi, double[] p, long[] k,
                                 int sdy, int sdx) {
        double[] a = fresh(), b = fresh();
        for (long s = lo; s < hi; s += BLOCK) {
            long e = Math.min(hi, s + BLOCK);
            accumulate(dy, s, e, a);
            reluBackward(x, dy, dx, s, e);
            accumulate(dx, s, e, b);
        }
        return (put(a, p, k, sdy, hi - lo) ? 0 : 1) | (put(b, p, k, sdx, hi - lo) ? 0 : 2);
    }

    /**
     * The Adam update of {@code [lo, hi)} exactly as {@code Kernels.adam} computes it: float
     * moments, the step in double ({@code bc1}, {@code bc2} are the bias corrections), vectorized
     * at half width so that each float vector widens to one double vector.
     */
    static void adam(MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, MemorySegment upd,
                     long lo, long hi, float lr, float beta1, float beta2, float eps, float wd, boolean decoupled,
                     double bc1, double bc2) {
        FloatVector b1 = FloatVector.broadcast(HS, beta1), c1 = FloatVector.broadcast(HS, 1 - beta1),
                b2 = FloatVector.broadcast(HS, beta2), c2 = FloatVector.broadcast(HS, 1 - beta2),
                vwd = FloatVector.broadcast(HS, wd), lrwd = FloatVector.broadcast(HS, lr * wd);
        DoubleVector nlr = DoubleVector.broadcast(DS, (double) -lr), veps = DoubleVector.broadcast(DS, (double) eps),
                vbc1 = DoubleVector.broadcast(DS, bc1), vbc2 = DoubleVector.broadcast(DS, bc2);
        long i = lo;
        for (long end = hi - H; i <= end; i += H) {
            long off = i * Float.BYTES;
            FloatVector th = FloatVector.fromMemorySegment(HS, param, off, LE);
            FloatVector g = FloatVector.fromMemorySegment(HS, grad, off, LE);
            if (!decoupled) g = g.add(vwd.mul(th));
            FloatVector mi = b1.mul(FloatVector.fromMemorySegment(HS, m, off, LE)).add(c1.mul(g));
            FloatVector vi = b2.mul(FloatVector.fromMemorySegment(HS, v, off, LE)).add(c2.mul(g).mul(g));
            mi.intoMemorySegment(m, off, LE);
            vi.intoMemorySegment(v, off, LE);
            DoubleVector md = (DoubleVector) mi.convertShape(VectorOperators.F2D, DS, 0);
            DoubleVector vd = (DoubleVector) vi.convertShape(VectorOperators.F2D, DS, 0);
            DoubleVector dd = nlr.mul(md.div(vbc1)).div(vd.div(vbc2).sqrt().add(veps));
            FloatVector d = (FloatVector) dd.convertShape(VectorOperators.D2F, HS, 0);
            if (decoupled) d = d.sub(lrwd.mul(th));
            if (upd != null) d.intoMemorySegment(upd, off, LE);
            th.add(d).intoMemorySegment(param, off, LE);
        }
        for (; i < hi; i++) {
            float th = param.getAtIndex(Nd4jBackend.F, i);
            float g = grad.getAtIndex(Nd4jBackend.F, i);
            if (!decoupled) g += wd * th;
            float mi = beta1 * m.getAtIndex(Nd4jBackend.F, i) + (1 - beta1) * g;
            float vi = beta2 * v.getAtIndex(Nd4jBackend.F, i) + (1 - beta2) * g * g;
            m.setAtIndex(Nd4jBackend.F, i, mi);
            v.setAtIndex(Nd4jBackend.F, i, vi);
            float d = (float) (-lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps));
            if (decoupled) d -= lr * wd * th;
            if (upd != null) upd.setAtIndex(Nd4jBackend.F, i, d);
            param.setAtIndex(Nd4jBackend.F, i, th + d);
        }
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
     * {@code ReferenceBackend.histogramBin} does, {@code (int) ((v − lo) · scale)} clamped, with
     * {@code scale = ReferenceBackend.binScale(lo, hi, bins)}, the same float operations. Binning is
     * vectorized into {@code idx}; the increments are scalar, spread over the tables so that runs of
     * one bin do not serialize on a store-to-load dependency.
     */
    static void bins(MemorySegment x, long from, long to, float lo, float hi, int bins, int[] idx, int[] counts, int at) {
        float k = ReferenceBackend.binScale(lo, hi, bins);
        FloatVector vlo = FloatVector.broadcast(FS, lo), scale = FloatVector.broadcast(FS, k);
        IntVector top = IntVector.broadcast(IS, bins - 1), zero = IntVector.zero(IS);
        int block = idx.length - idx.length % L;
        for (long start = from; start < to; start += block) {
            long end = Math.min(to, start + block), i = start;
            int m = 0;
            for (; i <= end - L; i += L, m += L) {
                FloatVector v = FloatVector.fromMemorySegment(FS, x, i * Float.BYTES, LE);
                IntVector b = (IntVector) v.sub(vlo).mul(scale).convertShape(VectorOperators.F2I, IS, 0);
                b.max(zero).min(top).intoArray(idx, m);
            }
            for (; i < end; i++, m++) {
                float v = x.getAtIndex(Nd4jBackend.F, i);
                idx[m] = Math.min(bins - 1, Math.max(0, (int) ((v - lo) * k)));
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

    /** The most bins {@link #binsSmall} counts in vector registers. */
    static final int SMALL_BINS = 32;

    /**
     * {@link #bins} for at most {@link #SMALL_BINS} bins with no scalar work per element: each
     * lane keeps its own histogram as 4-bit counters in four accumulator vectors, bin b in
     * accumulator {@code b & 3} at nibble {@code b >> 2}; an element adds {@code 1 << (b & ~3)}
     * to its lane of accumulator {@code b & 3} (a masked add per accumulator). A nibble grows by
     * at most 1 per vector, so every 15 vectors the nibbles are spread into 8-bit counters (even
     * and odd nibbles into two vectors per accumulator), and those go to {@code counts[at + b]}
     * every 17 such runs (255 vectors), before a byte could overflow. Since lo is the minimum of
     * the elements, {@code v − lo ≥ 0} and the bin needs no clamp at 0; below 32 bins it needs
     * none at the top either: an element at hi computes at most bin {@code bins}, which has a
     * counter of its own and is folded into the last bin at the end (with 32 bins, or where the
     * scale overflowed to infinity, the bin is clamped). About 14 vector operations per vector
     * of elements; 8-bit counters with eight accumulators took 25% and 21% more time than the
     * 4-bit ones.
     */
    static void binsSmall(MemorySegment x, long from, long to, float lo, float hi, int bins, int[] counts, int at) {
        float k = ReferenceBackend.binScale(lo, hi, bins);
        boolean clamp = bins >= SMALL_BINS || Float.isInfinite(k);
        FloatVector vlo = FloatVector.broadcast(FS, lo), scale = FloatVector.broadcast(FS, k);
        IntVector top = IntVector.broadcast(IS, bins - 1), zero = IntVector.zero(IS), one = IntVector.broadcast(IS, 1),
                low = IntVector.broadcast(IS, 0x0F0F0F0F);
        int[] bytes = new int[8 * L];
        int[] found = new int[SMALL_BINS];
        long i = from;
        while (i <= to - L) {
            // up to 17 runs of at most 15 vectors; no calls inside, so C2 keeps the accumulators in registers
            IntVector b0 = zero, b1 = zero, b2 = zero, b3 = zero, b4 = zero, b5 = zero, b6 = zero, b7 = zero;
            for (int run = 0; run < 17 && i <= to - L; run++) {
                IntVector n0 = zero, n1 = zero, n2 = zero, n3 = zero;
                for (long end = Math.min(to - L, i + 14L * L); i <= end; i += L) {
                    FloatVector v = FloatVector.fromMemorySegment(FS, x, i * Float.BYTES, LE);
                    IntVector b = (IntVector) v.sub(vlo).mul(scale).convertShape(VectorOperators.F2I, IS, 0);
                    if (clamp) b = b.max(zero).min(top);
                    IntVector inc = one.lanewise(VectorOperators.LSHL, b.and(~3));
                    IntVector g = b.and(3);
                    n0 = n0.add(inc, g.compare(VectorOperators.EQ, 0));
                    n1 = n1.add(inc, g.compare(VectorOperators.EQ, 1));
                    n2 = n2.add(inc, g.compare(VectorOperators.EQ, 2));
                    n3 = n3.add(inc, g.compare(VectorOperators.EQ, 3));
                }
                // even nibbles (bins g, g+8, g+16, g+24 of accumulator g) to b(2g), odd ones (g+4, g+12, ...) to b(2g+1)
                b0 = b0.add(n0.and(low));
                b1 = b1.add(n0.lanewise(VectorOperators.LSHR, 4).and(low));
                b2 = b2.add(n1.and(low));
                b3 = b3.add(n1.lanewise(VectorOperators.LSHR, 4).and(low));
                b4 = b4.add(n2.and(low));
                b5 = b5.add(n2.lanewise(VectorOperators.LSHR, 4).and(low));
                b6 = b6.add(n3.and(low));
                b7 = b7.add(n3.lanewise(VectorOperators.LSHR, 4).and(low));
            }
            b0.intoArray(bytes, 0);
            b1.intoArray(bytes, L);
            b2.intoArray(bytes, 2 * L);
            b3.intoArray(bytes, 3 * L);
            b4.intoArray(bytes, 4 * L);
            b5.intoArray(bytes, 5 * L);
            b6.intoArray(bytes, 6 * L);
            b7.intoArray(bytes, 7 * L);
            for (int b = 0; b < SMALL_BINS; b++) {
                int nib = b >> 2, base = (2 * (b & 3) + (nib & 1)) * L, shift = 8 * (nib >> 1), c = 0;
                for (int lane = 0; lane < L; lane++) c += (bytes[base + lane] >>> shift) & 0xFF;
                found[b] += c;
            }
        }
        for (int b = 0; b < SMALL_BINS; b++) counts[at + Math.min(bins - 1, b)] += found[b];
        for (; i < to; i++) {
            float v = x.getAtIndex(Nd4jBackend.F, i);
            counts[at + Math.min(bins - 1, Math.max(0, (int) ((v - lo) * k)))]++;
        }
    }
}
