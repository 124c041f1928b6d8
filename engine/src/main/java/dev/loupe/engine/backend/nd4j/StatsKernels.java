package dev.loupe.engine.backend.nd4j;

import static dev.loupe.engine.backend.nd4j.Nd4jBackend.F;

import dev.loupe.engine.StatSegments;
import dev.loupe.engine.TensorStats;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The statistics op of the nd4j backend: per-chunk partials (SIMD where {@link Simd#AVAILABLE},
 * else the scalar loop) combined in chunk order, then an optional histogram pass. Chunks are
 * {@link Kernels#reductionChunks} of {@code n}, a function of {@code n} alone, so results do not
 * depend on the thread count.
 */
final class StatsKernels {
    static final int SUM = 0, SUMSQ = 1, MIN = 2, MAX = 3, SLOTS = 4;
    static final int FINITE = 0, ZEROS = 1, NONFINITE = 2, CSLOTS = 3;
    /** Elements binned per vector block of the histogram pass (its index scratch per chunk). */
    private static final int BIN_BLOCK = 2048;
    /** Counter tables per chunk in the histogram pass (see {@link SimdLoops#bins}). */
    static final int WAYS = 4;

    private final Workers w;
    private double[] p = new double[0];
    private long[] k = new long[0];
    private int[][] idx = new int[0][];
    private int[] hist = new int[0];
    private long finite;
    private final boolean simd;

    /** {@code simd}: the Vector API loops (needs {@link Simd#AVAILABLE}); false keeps the scalar ones. */
    StatsKernels(Workers w, boolean simd) {
        this.w = w;
        this.simd = simd;
    }

    /** Partial slots for {@code slots} chunks (of one or several streams). */
    void reserve(int slots) {
        if (p.length < slots * SLOTS) p = new double[slots * SLOTS];
        if (k.length < slots * CSLOTS) k = new long[slots * CSLOTS];
    }

    static void put(double[] p, long[] k, int slot, double sum, double sumSq, double min, double max, long finite,
                    long zeros, long nonFinite) {
        p[slot * SLOTS + SUM] = sum;
        p[slot * SLOTS + SUMSQ] = sumSq;
        p[slot * SLOTS + MIN] = min;
        p[slot * SLOTS + MAX] = max;
        k[slot * CSLOTS + FINITE] = finite;
        k[slot * CSLOTS + ZEROS] = zeros;
        k[slot * CSLOTS + NONFINITE] = nonFinite;
    }

    /** The partials of {@code x[lo, hi)} into {@code slot}: SIMD when available and the range is all finite. */
    void chunk(MemorySegment x, long lo, long hi, int slot) {
        if (simd && SimdLoops.stats(x, lo, hi, p, k, slot)) return;
        scalar(x, lo, hi, p, k, slot);
    }

    /** The reference's loop over one chunk (any element may be non-finite). */
    static void scalar(MemorySegment x, long lo, long hi, double[] p, long[] k, int slot) {
        long finite = 0, zeros = 0, nonFinite = 0;
        double sum = 0, sumSq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (long i = lo; i < hi; i++) {
            float v = x.getAtIndex(F, i);
            if (!Float.isFinite(v)) {
                nonFinite++;
                continue;
            }
            if (v == 0f) zeros++;
            finite++;
            sum += v;
            sumSq += (double) v * v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        put(p, k, slot, sum, sumSq, min, max, finite, zeros, nonFinite);
    }

    void stats(int n, int bins, MemorySegment x, MemorySegment out) {
        int chunks = Kernels.reductionChunks(n);
        reserve(chunks);
        w.run(n, chunks, (ch, lo, hi) -> chunk(x, lo, hi, ch));
        header(n, 0, chunks, out);
        if (bins > 0) histogram(n, bins, chunks, x, out);
    }

    /**
     * {@link #stats} with {@code bins} > 0 when {@code out}'s header already holds the statistics
     * of {@code x}: only the binning pass runs. Where the header counts non-finite elements (or
     * does not describe {@code n} elements) the whole op runs instead.
     */
    void histogramOnly(int n, int bins, MemorySegment x, MemorySegment out) {
        if (bins == 0) return;
        if (out.getAtIndex(F, TensorStats.NON_FINITE) != 0 || out.getAtIndex(F, TensorStats.COUNT) != (float) n) {
            stats(n, bins, x, out);
            return;
        }
        int chunks = Kernels.reductionChunks(n);
        reserve(chunks);
        for (int ch = 0; ch < chunks; ch++) k[ch * CSLOTS + NONFINITE] = 0;
        finite = n;
        histogram(n, bins, chunks, x, out);
    }

    /**
     * Combines the partials in slots {@code [first, first + chunks)}, in order, into the header of
     * {@code out} (bins 0 written as the reference does); remembers the finite count for {@link #histogram}.
     */
    void header(long n, int first, int chunks, MemorySegment out) {
        long fin = 0, zeros = 0, nonFinite = 0;
        double sum = 0, sumSq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (int ch = first; ch < first + chunks; ch++) {
            sum += p[ch * SLOTS + SUM];
            sumSq += p[ch * SLOTS + SUMSQ];
            min = Math.min(min, p[ch * SLOTS + MIN]);
            max = Math.max(max, p[ch * SLOTS + MAX]);
            fin += k[ch * CSLOTS + FINITE];
            zeros += k[ch * CSLOTS + ZEROS];
            nonFinite += k[ch * CSLOTS + NONFINITE];
        }
        double mean = fin == 0 ? 0 : sum / fin;
        double var = fin == 0 ? 0 : Math.max(0, sumSq / fin - mean * mean);
        out.setAtIndex(F, TensorStats.COUNT, n);
        out.setAtIndex(F, TensorStats.MEAN, (float) mean);
        out.setAtIndex(F, TensorStats.STD, (float) Math.sqrt(var));
        out.setAtIndex(F, TensorStats.MIN, fin == 0 ? 0 : (float) min);
        out.setAtIndex(F, TensorStats.MAX, fin == 0 ? 0 : (float) max);
        out.setAtIndex(F, TensorStats.L2, (float) Math.sqrt(sumSq));
        out.setAtIndex(F, TensorStats.ZERO_FRAC, n == 0 ? 0 : (float) zeros / n);
        out.setAtIndex(F, TensorStats.NON_FINITE, nonFinite);
        this.finite = fin;
    }

    /**
     * The second pass: counts of {@code bins} equal-width bins over [min, max] of the finite
     * elements (read back from {@code out}'s header, as the reference rounds them to float).
     */
    private void histogram(int n, int bins, int chunks, MemorySegment x, MemorySegment out) {
        for (int b = 0; b < bins; b++) out.setAtIndex(F, TensorStats.HEADER + b, 0);
        if (finite == 0) return;
        float lo = out.getAtIndex(F, TensorStats.MIN), hi = out.getAtIndex(F, TensorStats.MAX);
        if (!(hi > lo)) { // every finite element falls in the middle bin
            out.setAtIndex(F, TensorStats.HEADER + bins / 2, finite);
            return;
        }
        int tables = bins * WAYS;
        if (hist.length < chunks * tables) hist = new int[chunks * tables];
        if (idx.length < chunks) {
            idx = new int[chunks][];
            for (int c = 0; c < chunks; c++) idx[c] = new int[BIN_BLOCK];
        }
        Arrays.fill(hist, 0, chunks * tables, 0);
        long[] kk = k;
        int[][] scratch = idx;
        w.run(n, chunks, (ch, from, to) -> {
            if (simd && kk[ch * CSLOTS + NONFINITE] == 0) {
                if (bins <= SimdLoops.SMALL_BINS) SimdLoops.binsSmall(x, from, to, lo, hi, bins, hist, ch * tables);
                else SimdLoops.bins(x, from, to, lo, hi, bins, scratch[ch], hist, ch * tables);
                return;
            }
            int at = ch * tables;
            for (long i = from; i < to; i++) {
                float v = x.getAtIndex(F, i);
                if (Float.isFinite(v)) hist[at + ReferenceBackend.histogramBin(v, lo, hi, bins)]++;
            }
        });
        for (int b = 0; b < bins; b++) {
            long c = 0;
            for (int ch = 0; ch < chunks; ch++) {
                for (int t = 0; t < WAYS; t++) c += hist[ch * tables + t * bins + b];
            }
            out.setAtIndex(F, TensorStats.HEADER + b, c);
        }
    }

    // ---- ReLU passes with the statistics of their input and output fused in ----

    /**
     * {@code y = relu(x)} over {@code [0, n)} with the statistics of {@code x} into {@code outX}
     * and of {@code y} into {@code outY} (headers only), in the chunks {@link #stats} uses, so the
     * results are bitwise those of the op followed by two {@code stats} calls. SIMD only.
     */
    void reluWithStats(int n, MemorySegment x, MemorySegment y, MemorySegment outX, MemorySegment outY) {
        int chunks = Kernels.reductionChunks(n);
        reserve(2 * chunks);
        double[] pp = p;
        long[] kk = k;
        w.run(n, chunks, (ch, lo, hi) -> {
            int bad = SimdLoops.reluStats(x, y, lo, hi, pp, kk, ch, chunks + ch);
            if ((bad & 1) != 0) scalar(x, lo, hi, pp, kk, ch);
            if ((bad & 2) != 0) scalar(y, lo, hi, pp, kk, chunks + ch);
        });
        header(n, 0, chunks, outX);
        header(n, chunks, chunks, outY);
    }

    /** {@code dx = relu'(x) · dy} with the statistics of {@code dy} into {@code outDy} and of {@code dx} into {@code outDx}. */
    void reluBackwardWithStats(int n, MemorySegment x, MemorySegment dy, MemorySegment dx, MemorySegment outDy,
                               MemorySegment outDx) {
        int chunks = Kernels.reductionChunks(n);
        reserve(2 * chunks);
        double[] pp = p;
        long[] kk = k;
        w.run(n, chunks, (ch, lo, hi) -> {
            int bad = SimdLoops.reluBackwardStats(x, dy, dx, lo, hi, pp, kk, ch, chunks + ch);
            if ((bad & 1) != 0) scalar(dy, lo, hi, pp, kk, ch);
            if ((bad & 2) != 0) scalar(dx, lo, hi, pp, kk, chunks + ch);
        });
        header(n, 0, chunks, outDy);
        header(n, chunks, chunks, outDx);
    }

    // ---- optimizer steps with the parameter statistics fused in ----

    private int[] taskSegment = new int[0];
    private int[] firstTask = new int[1];

    /**
     * The SGD step over {@code [0, n)}, which {@code segments} tile, with each segment's statistics
     * of θ (after), the gradient and Δθ computed in the update loop and written to {@code out}.
     * Each segment is cut into {@link Kernels#reductionChunks} of its length (so the partials are
     * those of {@link #stats} on the segment alone, and independent of the thread count); the
     * chunks of all segments are the tasks shared by the workers. Slots: stream-major,
     * {@code stream · tasks + task}. Only reached when {@link Simd#AVAILABLE}.
     */
    void sgdWithStats(float lr, float mom, boolean nesterov, float wd, MemorySegment param, MemorySegment grad,
                      MemorySegment vel, MemorySegment upd, StatSegments segments, MemorySegment out) {
        stepWithStats((lo, hi) -> SimdLoops.sgd(param, grad, vel, upd, lo, hi, lr, mom, nesterov, wd), param, grad, upd,
                segments, out);
    }

    /** {@link #sgdWithStats} for Adam ({@code bc1}, {@code bc2}: the bias corrections of step t). */
    void adamWithStats(float lr, float beta1, float beta2, float eps, float wd, boolean decoupled, double bc1, double bc2,
                       MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v, MemorySegment upd,
                       StatSegments segments, MemorySegment out) {
        stepWithStats((lo, hi) -> SimdLoops.adam(param, grad, m, v, upd, lo, hi, lr, beta1, beta2, eps, wd, decoupled, bc1, bc2),
                param, grad, upd, segments, out);
    }

    private void stepWithStats(SimdLoops.BlockStep step, MemorySegment param, MemorySegment grad, MemorySegment upd,
                               StatSegments segments, MemorySegment out) {
        int segs = segments.count();
        if (firstTask.length < segs + 1) firstTask = new int[segs + 1];
        for (int i = 0; i < segs; i++) firstTask[i + 1] = firstTask[i] + Kernels.reductionChunks(segments.length()[i]);
        int tasks = firstTask[segs];
        if (taskSegment.length < tasks) taskSegment = new int[tasks];
        for (int i = 0; i < segs; i++) Arrays.fill(taskSegment, firstTask[i], firstTask[i + 1], i);
        reserve(3 * tasks);
        double[] pp = p;
        long[] kk = k;
        w.run(tasks, tasks, (c, from, to) -> {
            for (int t = from; t < to; t++) {
                int seg = taskSegment[t], chunks = firstTask[seg + 1] - firstTask[seg], ch = t - firstTask[seg];
                long off = segments.offset()[seg], len = segments.length()[seg];
                long lo = off + len * ch / chunks, hi = off + len * (ch + 1) / chunks;
                int bad = SimdLoops.stepStats(step, param, grad, upd, lo, hi, pp, kk, t, tasks + t, 2 * tasks + t);
                if ((bad & 1) != 0) scalar(param, lo, hi, pp, kk, t);
                if ((bad & 2) != 0) scalar(grad, lo, hi, pp, kk, tasks + t);
                if ((bad & 4) != 0) scalar(upd, lo, hi, pp, kk, 2 * tasks + t);
            }
        });
        long h = TensorStats.HEADER * (long) Float.BYTES, st = segments.stride() * (long) Float.BYTES;
        for (int i = 0; i < segs; i++) {
            int chunks = firstTask[i + 1] - firstTask[i];
            long at = segments.at()[i] * Float.BYTES;
            for (int stream = 0; stream < 3; stream++) {
                header(segments.length()[i], stream * tasks + firstTask[i], chunks, out.asSlice(at + stream * st, h));
            }
        }
    }
}
