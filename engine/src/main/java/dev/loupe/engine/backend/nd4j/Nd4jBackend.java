package dev.loupe.engine.backend.nd4j;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.ConvShape;
import dev.loupe.engine.DropoutRng;
import dev.loupe.engine.MemoryInfo;
import dev.loupe.engine.PoolShape;
import dev.loupe.engine.StatSegments;
import dev.loupe.engine.TensorStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The fast CPU backend: off-heap buffers, gemm through the OpenBLAS that ships with ND4J, and the
 * other ops as tight loops over those buffers split across the cores. Work runs on the calling
 * thread (plus helpers that finish before the op returns), so every op is synchronous; every
 * reduction combines fixed chunks in a fixed order, so results are bitwise reproducible.
 *
 * <p>Like the other backends it expects ops from one thread at a time (the trainer's).
 */
public final class Nd4jBackend implements Backend {
    static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT;
    /** Elements per thread below which splitting a streaming loop costs more than it saves. */
    static final int GRAIN = 32_768;

    private final OpenBlas blas;
    private final Arena arena = Arena.ofShared();
    private final Workers workers;
    private final ConvKernels conv;
    private final Kernels kernels;
    private final StatsKernels stats;
    private final Gemm gemm;
    private final boolean simd;
    private long allocated;

    Nd4jBackend(OpenBlas blas, int threads) {
        this(blas, threads, Simd.AVAILABLE);
    }

    /** {@code simd}: use the Vector API loops (needs {@link Simd#AVAILABLE}); false runs the scalar ones. */
    Nd4jBackend(OpenBlas blas, int threads, boolean simd) {
        if (simd && !Simd.AVAILABLE) throw new IllegalStateException("the Vector API module is not in this JVM");
        this.blas = blas;
        this.workers = new Workers(threads);
        this.conv = new ConvKernels(workers, simd);
        this.kernels = new Kernels(workers, simd);
        this.stats = new StatsKernels(workers, simd);
        this.simd = simd;
        this.gemm = new Gemm(blas, workers, arena);
    }

    /** A backend using every available core. */
    public static Nd4jBackend create() {
        OpenBlas blas = OpenBlas.get();
        // the backend splits gemms across its own workers; OpenBLAS runs each block single-threaded
        blas.setThreads(1);
        return new Nd4jBackend(blas, Runtime.getRuntime().availableProcessors());
    }

    static MemorySegment s(Buf b) {
        return ((NativeBuf) b).seg();
    }

    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public String device() {
        return "CPU, " + workers.threads() + " threads, " + (simd ? SimdLoops.describe() : "scalar loops") + "; " + blas.config() + " (" + blas.threads() + " BLAS threads)";
    }

    @Override
    public Buf alloc(long length) {
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("nd4j buffers hold at most 2^31 floats, asked for " + length);
        }
        // Arena.allocate zero-fills; 64-byte alignment keeps rows on cache lines for BLAS
        MemorySegment seg = arena.allocate(Math.max(1, length) * Float.BYTES, 64);
        synchronized (this) {
            allocated += seg.byteSize();
        }
        return new NativeBuf(seg, length, this);
    }

    @Override
    public void upload(float[] src, int srcOff, Buf dst, long dstOff, int len) {
        check(dst, dstOff + len);
        MemorySegment.copy(src, srcOff, s(dst), F, dstOff * Float.BYTES, len);
    }

    @Override
    public void download(Buf src, long srcOff, float[] dst, int dstOff, int len) {
        check(src, srcOff + len);
        MemorySegment.copy(s(src), F, srcOff * Float.BYTES, dst, dstOff, len);
    }

    private static void check(Buf b, long end) {
        if (end > b.length()) throw new IndexOutOfBoundsException("access to " + end + " of " + b.length() + " floats");
    }

    @Override
    public void copy(long n, Buf src, Buf dst) {
        MemorySegment.copy(s(src), 0, s(dst), 0, n * Float.BYTES);
    }

    @Override
    public void fill(long n, float value, Buf x) {
        kernels.fill((int) n, value, s(x));
    }

    @Override
    public void synchronize() {
        // every op has finished when it returns
    }

    @Override
    public synchronized MemoryInfo memory() {
        Runtime rt = Runtime.getRuntime();
        return new MemoryInfo(allocated, -1, rt.maxMemory());
    }

    /**
     * A few MiB: the conv layers' columns then stay in the cores' L2/L3 between im2col and the gemm
     * (and between the gemm and col2im). Measured on the CNN's conv2 at batch 100 (2 threads): chunks
     * of 16–32 samples (2–4.5 MB of columns) took dcols + col2im from 9.5 to 7.1–7.3 ms and
     * im2col + gemm from 8.2 to 7.0–7.4 ms.
     */
    @Override
    public long chunkBytes() {
        return 4L << 20;
    }

    @Override
    public void close() {
        workers.close();
        // frees every buffer; a later access to one throws IllegalStateException instead of crashing
        arena.close();
    }

    // ---- linear algebra ----

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Buf a, Buf b, float beta, Buf c) {
        if (m == 0 || n == 0) return;
        check(a, (long) m * k);
        check(b, (long) k * n);
        check(c, (long) m * n);
        if (k == 0) { // C = beta·C, where beta = 0 clears C even of NaN (as BLAS and the reference do)
            if (beta == 0) kernels.fill(m * n, 0f, s(c));
            else kernels.scale(m * n, beta, s(c));
            return;
        }
        if (!arena.scope().isAlive()) throw new IllegalStateException("backend is closed");
        gemm.run(transA, transB, m, n, k, alpha, s(a), s(b), beta, s(c));
    }

    @Override
    public void axpy(long n, float alpha, Buf x, Buf y) {
        kernels.axpy((int) n, alpha, s(x), s(y));
    }

    @Override
    public void combine(long n, Buf base, float a, Buf d1, float b, Buf d2, Buf out) {
        if (!simd) {
            Backend.super.combine(n, base, a, d1, b, d2, out);
            return;
        }
        kernels.combine((int) n, s(base), a, s(d1), b, d2 == null ? null : s(d2), s(out));
    }

    @Override
    public void scale(long n, float alpha, Buf x) {
        kernels.scale((int) n, alpha, s(x));
    }

    @Override
    public void mul(long n, Buf a, Buf b, Buf out) {
        kernels.mul((int) n, s(a), s(b), s(out));
    }

    @Override
    public void addBias(int rows, int cols, Buf x, Buf bias) {
        kernels.addBias(rows, cols, s(x), s(bias));
    }

    @Override
    public void sumRows(int rows, int cols, Buf x, Buf out) {
        kernels.sumRows(rows, cols, s(x), s(out));
    }

    // ---- activations ----

    @Override
    public void activation(Activation f, float alpha, long n, Buf x, Buf y) {
        kernels.activation(f, alpha, (int) n, s(x), s(y));
    }

    @Override
    public void activationBackward(Activation f, float alpha, long n, Buf x, Buf y, Buf dy, Buf dx) {
        kernels.activationBackward(f, alpha, (int) n, s(x), s(y), s(dy), s(dx));
    }

    @Override
    public void activationWithStats(Activation f, float alpha, long n, Buf x, Buf y, Buf statsX, Buf statsY) {
        if (!simd || f != Activation.RELU || overlap(x, n, y, n)) {
            Backend.super.activationWithStats(f, alpha, n, x, y, statsX, statsY);
            return;
        }
        stats.reluWithStats((int) n, s(x), s(y), s(statsX), s(statsY));
    }

    @Override
    public void activationBackwardWithStats(Activation f, float alpha, long n, Buf x, Buf y, Buf dy, Buf dx,
                                            Buf statsDy, Buf statsDx) {
        if (!simd || f != Activation.RELU || overlap(dy, n, dx, n)) {
            Backend.super.activationBackwardWithStats(f, alpha, n, x, y, dy, dx, statsDy, statsDx);
            return;
        }
        stats.reluBackwardWithStats((int) n, s(x), s(dy), s(dx), s(statsDy), s(statsDx));
    }

    /** Whether the first {@code na} floats of {@code a} and {@code nb} of {@code b} share memory. */
    private boolean overlap(Buf a, long na, Buf b, long nb) {
        long pa = s(a).address(), pb = s(b).address();
        return pa < pb + nb * Float.BYTES && pb < pa + na * Float.BYTES;
    }

    @Override
    public void dropout(long n, float p, long seed, long counter, Buf x, Buf y, Buf mask) {
        MemorySegment xs = s(x), ys = s(y), ms = s(mask);
        int keepScale = Float.floatToRawIntBits(1f / (1f - p));
        // DropoutRng.keep is u ≥ p with u = (hash >>> 40)·2⁻²⁴, exact in fp32: the same as
        // (hash >>> 40) ≥ ⌈p·2²⁴⌉, which selects without a branch (a coin flip at p = 0.5)
        long threshold = (long) Math.ceil(p * (double) (1 << 24));
        workers.forEach((int) n, GRAIN / 4, (chunk, lo, hi) -> {
            for (long i = lo; i < hi; i++) {
                long drop = ((DropoutRng.hash(seed, counter, i) >>> 40) - threshold) >> 63; // −1: dropped
                float m = Float.intBitsToFloat((int) ~drop & keepScale);
                ms.setAtIndex(F, i, m);
                ys.setAtIndex(F, i, xs.getAtIndex(F, i) * m);
            }
        });
    }

    // ---- convolution and pooling ----

    @Override
    public void im2col(ConvShape s, int batch, Buf x, Buf cols) {
        conv.im2col(s, batch, s(x), s(cols));
    }

    @Override
    public void col2im(ConvShape s, int batch, Buf cols, Buf dx) {
        conv.col2im(s, batch, s(cols), s(dx));
    }

    @Override
    public void maxPool(PoolShape s, int batch, Buf x, Buf y, Buf argmax) {
        conv.maxPool(s, batch, s(x), s(y), s(argmax));
    }

    @Override
    public void maxPoolBackward(PoolShape s, int batch, Buf dy, Buf argmax, Buf dx) {
        conv.maxPoolBackward(s, batch, s(dy), s(argmax), s(dx));
    }

    @Override
    public void avgPool(PoolShape s, int batch, Buf x, Buf y) {
        conv.avgPool(s, batch, s(x), s(y));
    }

    @Override
    public void avgPoolBackward(PoolShape s, int batch, Buf dy, Buf dx) {
        conv.avgPoolBackward(s, batch, s(dy), s(dx));
    }

    // ---- losses and metrics ----

    @Override
    public void softmaxCrossEntropy(int rows, int cols, Buf logits, Buf labels, Buf dlogits, Buf loss) {
        Losses.softmaxCrossEntropy(rows, cols, s(logits), s(labels), dlogits == null ? null : s(dlogits), s(loss));
    }

    @Override
    public void mse(int rows, int cols, Buf pred, Buf target, Buf dpred, Buf loss) {
        Losses.mse(rows, cols, s(pred), s(target), dpred == null ? null : s(dpred), s(loss));
    }

    @Override
    public void argmax(int rows, int cols, Buf x, Buf out) {
        MemorySegment xs = s(x), os = s(out);
        for (int r = 0; r < rows; r++) os.setAtIndex(F, r, Losses.rowArgmax(xs, r, cols));
    }

    @Override
    public void countCorrect(int rows, int cols, Buf logits, Buf labels, Buf out) {
        MemorySegment xs = s(logits), ls = s(labels);
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            if (Losses.rowArgmax(xs, r, cols) == (int) ls.getAtIndex(F, r)) correct++;
        }
        s(out).setAtIndex(F, 0, correct);
    }

    // ---- optimizers ----

    @Override
    public void sgdStep(long n, float lr, float momentum, boolean nesterov, float weightDecay,
                        Buf param, Buf grad, Buf velocity, Buf update) {
        kernels.sgd((int) n, lr, momentum, nesterov, weightDecay, s(param), s(grad),
                velocity == null ? null : s(velocity), update == null ? null : s(update));
    }

    @Override
    public void adamStep(long n, float lr, float beta1, float beta2, float eps, float weightDecay,
                         boolean decoupled, long t, Buf param, Buf grad, Buf m, Buf v, Buf update) {
        kernels.adam((int) n, lr, beta1, beta2, eps, weightDecay, decoupled, t, s(param), s(grad), s(m), s(v),
                update == null ? null : s(update));
    }

    @Override
    public void sgdStepWithStats(long n, float lr, float momentum, boolean nesterov, float weightDecay, Buf param,
                                 Buf grad, Buf velocity, Buf update, StatSegments segments, Buf out) {
        if (!simd || !segments.tiles(n)) { // the fused loop is the SIMD one; else compose the two ops
            Backend.super.sgdStepWithStats(n, lr, momentum, nesterov, weightDecay, param, grad, velocity, update, segments, out);
            return;
        }
        check(param, n);
        check(grad, n);
        check(update, n);
        if (momentum != 0) check(velocity, n);
        for (long at : segments.at()) check(out, at + 3L * TensorStats.HEADER);
        stats.sgdWithStats(lr, momentum, nesterov, weightDecay, s(param), s(grad), momentum == 0 ? null : s(velocity),
                s(update), segments, s(out));
    }

    @Override
    public void adamStepWithStats(long n, float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                                  long t, Buf param, Buf grad, Buf m, Buf v, Buf update, StatSegments segments, Buf out) {
        if (!simd || !segments.tiles(n)) {
            Backend.super.adamStepWithStats(n, lr, beta1, beta2, eps, weightDecay, decoupled, t, param, grad, m, v, update,
                    segments, out);
            return;
        }
        for (Buf b : new Buf[] {param, grad, m, v, update}) check(b, n);
        for (long at : segments.at()) check(out, at + 3L * TensorStats.HEADER);
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t); // as Kernels.adam
        stats.adamWithStats(lr, beta1, beta2, eps, weightDecay, decoupled, bc1, bc2, s(param), s(grad), s(m), s(v), s(update),
                segments, s(out));
    }

    // ---- statistics ----

    @Override
    public void stats(long n, int bins, Buf x, Buf out) {
        stats.stats((int) n, bins, s(x), s(out));
    }

    @Override
    public void histogram(long n, int bins, Buf x, Buf out) {
        stats.histogramOnly((int) n, bins, s(x), s(out));
    }
}
