package dev.loupe.gpu;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.ConvShape;
import dev.loupe.engine.MemoryInfo;
import dev.loupe.engine.PoolShape;
import dev.loupe.engine.TensorStats;
import java.util.ArrayList;
import java.util.List;

/**
 * The CUDA backend: every op is one or a few launches of Loupe's own kernels
 * ({@code gpu/src/main/cuda}) on one stream, and gemm is cuBLAS. Nothing here waits for the
 * device except {@link #download} and {@link #synchronize}.
 */
public final class CudaBackend implements Backend {
    static final int THREADS = 256;
    /** Grid-stride kernels never need more blocks than this to fill an H100 (132 SMs). */
    static final int MAX_BLOCKS = 132 * 32;
    /** Blocks of the two-pass reductions (mse, stats); their partials fit the scratch buffer. */
    static final int REDUCE_BLOCKS = 1024;
    static final int STATS_PARTIAL = 7;

    /** The device with pending batched statistics flushed before any other work (see {@link #stats}). */
    private final Device dev;
    private final Device raw;
    /** Consecutive statistics calls are launched together, up to this many. */
    static final int STATS_BATCH = 48;
    /**
     * Bytes of the kernels' StatsBatch struct: x, out and n per tensor, first[STATS_BATCH + 1],
     * count, bins per tensor, count_first[STATS_BATCH + 1], padded to 8.
     */
    static final int STATS_BATCH_BYTES = (STATS_BATCH * 24 + (STATS_BATCH + 1) * 4 + 4 + STATS_BATCH * 4 + (STATS_BATCH + 1) * 4 + 7) / 8 * 8;
    /** {@code -Dloupe.cuda.batchStats=false} launches every statistics call on its own. */
    private final boolean batchStats = !"false".equals(System.getProperty("loupe.cuda.batchStats"));
    private final long[] pendingX = new long[STATS_BATCH], pendingOut = new long[STATS_BATCH], pendingN = new long[STATS_BATCH];
    private final int[] pendingBins = new int[STATS_BATCH];
    private int pending;
    /** Per batched tensor: its number of finite elements, for the histogram pass. */
    private final long batchMeta;
    private final List<Long> allocations = new ArrayList<>(), retired = new ArrayList<>();
    private final List<Device.Graph> graphs = new ArrayList<>();
    private long allocatedBytes;
    // scratch for reductions: per-block double partials + one meta double, and histogram counts
    private long partials, partialDoubles;
    private long counts, countCapacity;
    private boolean closed;

    private final Device.Kernel fill, axpy, scale, mul, addBias, sumRows, sumRowsPart, sumRowsFinish, act, actBack, dropout,
            im2col, col2im, maxPool, maxPoolBack, avgPool, avgPoolBack, reducePartials, xentRows,
            msePartial, argmax, countCorrect, sgd, adam, statsPartial, statsFinalize, statsHist, statsHistOut,
            statsPartialBatch, statsFinalizeBatch, statsHistBatch, statsHistOutBatch;

    CudaBackend(Device device) {
        this.raw = device;
        this.dev = new FlushingDevice(device, this::flushStats);
        fill = dev.kernel("loupe_fill");
        axpy = dev.kernel("loupe_axpy");
        scale = dev.kernel("loupe_scale");
        mul = dev.kernel("loupe_mul");
        addBias = dev.kernel("loupe_add_bias");
        sumRows = dev.kernel("loupe_sum_rows");
        sumRowsPart = dev.kernel("loupe_sum_rows_part");
        sumRowsFinish = dev.kernel("loupe_sum_rows_finish");
        act = dev.kernel("loupe_activation");
        actBack = dev.kernel("loupe_activation_backward");
        dropout = dev.kernel("loupe_dropout");
        im2col = dev.kernel("loupe_im2col");
        col2im = dev.kernel("loupe_col2im");
        maxPool = dev.kernel("loupe_max_pool");
        maxPoolBack = dev.kernel("loupe_max_pool_backward");
        avgPool = dev.kernel("loupe_avg_pool");
        avgPoolBack = dev.kernel("loupe_avg_pool_backward");
        reducePartials = dev.kernel("loupe_reduce_partials");
        xentRows = dev.kernel("loupe_softmax_xent_rows");
        msePartial = dev.kernel("loupe_mse_partial");
        argmax = dev.kernel("loupe_argmax");
        countCorrect = dev.kernel("loupe_count_correct");
        sgd = dev.kernel("loupe_sgd_step");
        adam = dev.kernel("loupe_adam_step");
        statsPartial = dev.kernel("loupe_stats_partial");
        statsFinalize = dev.kernel("loupe_stats_finalize");
        statsHist = dev.kernel("loupe_stats_hist");
        statsHistOut = dev.kernel("loupe_stats_hist_out");
        statsPartialBatch = dev.kernel("loupe_stats_partial_batch");
        statsFinalizeBatch = dev.kernel("loupe_stats_finalize_batch");
        statsHistBatch = dev.kernel("loupe_stats_hist_batch");
        statsHistOutBatch = dev.kernel("loupe_stats_hist_out_batch");
        ensurePartials(REDUCE_BLOCKS * STATS_PARTIAL);
        batchMeta = dev.alloc((long) STATS_BATCH * Double.BYTES);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public String device() {
        return dev.describe();
    }

    // ---- buffers ----

    private long addr(Buf b) {
        if (b == null) return 0;
        if (!(b instanceof CudaBuf c) || c.owner() != this) {
            throw new IllegalArgumentException("buffer does not belong to this cuda backend: " + b);
        }
        return c.address();
    }

    @Override
    public Buf alloc(long length) {
        if (length < 0) throw new IllegalArgumentException("negative length " + length);
        long bytes = Math.max(1, length) * Float.BYTES;
        long a = dev.alloc(bytes);
        allocations.add(a);
        allocatedBytes += bytes;
        return new CudaBuf(this, a, length);
    }

    private void check(Buf b, long off, long len) {
        if (off < 0 || len < 0 || off + len > b.length()) {
            throw new IndexOutOfBoundsException(len + " floats at " + off + " of a buffer of " + b.length());
        }
    }

    @Override
    public void upload(float[] src, int srcOff, Buf dst, long dstOff, int len) {
        check(dst, dstOff, len);
        dev.upload(src, srcOff, addr(dst) + dstOff * Float.BYTES, len);
    }

    @Override
    public void download(Buf src, long srcOff, float[] dst, int dstOff, int len) {
        check(src, srcOff, len);
        dev.download(addr(src) + srcOff * Float.BYTES, dst, dstOff, len);
    }

    @Override
    public void copy(long n, Buf src, Buf dst) {
        if (n > 0) dev.copy(addr(dst), addr(src), n * Float.BYTES);
    }

    @Override
    public void fill(long n, float value, Buf x) {
        elementwise(fill, n, new KernelArgs().i64(n).f32(value).ptr(addr(x)));
    }

    @Override
    public void synchronize() {
        dev.synchronize();
    }

    /** A CUDA graph of the work {@code ops} enqueues; see {@link Backend#capture}. */
    @Override
    public Replay capture(Runnable ops) {
        if (closed) throw new IllegalStateException("cuda backend is closed");
        Device.Graph g = dev.capture(ops);
        graphs.add(g);
        return new Replay() {
            private boolean done;

            @Override
            public void run() {
                if (done) throw new IllegalStateException("replay after close");
                g.launch();
            }

            @Override
            public void close() {
                if (done) return;
                done = true;
                graphs.remove(g);
                g.close();
            }
        };
    }

    @Override
    public MemoryInfo memory() {
        return dev.memory(allocatedBytes);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            dev.synchronize();
            for (Device.Graph g : graphs) g.close();
            graphs.clear();
            for (long a : allocations) dev.free(a);
            for (long a : retired) dev.free(a);
            if (partials != 0) dev.free(partials);
            if (counts != 0) dev.free(counts);
            dev.free(batchMeta);
        } finally {
            dev.close();
        }
    }

    // ---- launch shapes ----

    static int blocksFor(long n, int cap) {
        return (int) Math.max(1, Math.min(cap, (n + THREADS - 1) / THREADS));
    }

    private void elementwise(Device.Kernel k, long n, KernelArgs args) {
        if (n <= 0) return;
        dev.launch(k, blocksFor(n, MAX_BLOCKS), 1, THREADS, 1, args);
    }

    private void ensurePartials(long doubles) {
        if (doubles + 1 <= partialDoubles) return;
        // the old scratch may still be used by enqueued work or by a captured graph: it is freed
        // only with the backend
        if (partials != 0) retired.add(partials);
        partialDoubles = Math.max(doubles + 1, 2 * partialDoubles);
        partials = dev.alloc(partialDoubles * Double.BYTES);
    }

    /** Where reductions keep one extra double of metadata, after the largest partials block. */
    private long meta() {
        return partials + (partialDoubles - 1) * Double.BYTES;
    }

    private void ensureCounts(int bins) {
        if (bins <= countCapacity) return;
        if (counts != 0) retired.add(counts);
        countCapacity = Math.max(bins, 2 * countCapacity);
        counts = dev.alloc(countCapacity * Integer.BYTES);
    }

    // ---- linear algebra ----

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Buf a, Buf b, float beta, Buf c) {
        if (m == 0 || n == 0) return;
        if (k == 0) {  // cuBLAS would scale C by beta; the reference does the same, so match it
            if (beta == 0) fill((long) m * n, 0f, c);
            else scale((long) m * n, beta, c);
            return;
        }
        // Row-major C (m×n) is column-major Cᵀ (n×m), and Cᵀ = op(B)ᵀ·op(A)ᵀ: ask cuBLAS for that
        // product with the operands swapped. A row-major r×c matrix is a column-major c×r one with
        // leading dimension c, so each operand's leading dimension is its stored row length.
        int ldb = transB ? k : n;
        int lda = transA ? m : k;
        dev.sgemmColumnMajor(transB, transA, n, m, k, alpha, addr(b), ldb, addr(a), lda, beta, addr(c), n);
    }

    @Override
    public void axpy(long n, float alpha, Buf x, Buf y) {
        elementwise(axpy, n, new KernelArgs().i64(n).f32(alpha).ptr(addr(x)).ptr(addr(y)));
    }

    @Override
    public void scale(long n, float alpha, Buf x) {
        elementwise(scale, n, new KernelArgs().i64(n).f32(alpha).ptr(addr(x)));
    }

    @Override
    public void mul(long n, Buf a, Buf b, Buf out) {
        elementwise(mul, n, new KernelArgs().i64(n).ptr(addr(a)).ptr(addr(b)).ptr(addr(out)));
    }

    @Override
    public void addBias(int rows, int cols, Buf x, Buf bias) {
        elementwise(addBias, (long) rows * cols, new KernelArgs().i32(rows).i32(cols).ptr(addr(x)).ptr(addr(bias)));
    }

    @Override
    public void sumRows(int rows, int cols, Buf x, Buf out) {
        if (cols <= 0) return;
        int colBlocks = (cols + 31) / 32;
        int parts = sumRowsParts(rows, cols);
        if (parts == 1) {
            dev.launch(sumRows, colBlocks, 1, 32, 8, new KernelArgs().i32(rows).i32(cols).ptr(addr(x)).ptr(addr(out)));
            return;
        }
        int span = (rows + parts - 1) / parts;
        parts = (rows + span - 1) / span;
        ensurePartials((long) parts * cols);
        dev.launch(sumRowsPart, colBlocks, parts, 32, 8, new KernelArgs().i32(rows).i32(cols).i32(span)
                .ptr(addr(x)).ptr(partials));
        elementwise(sumRowsFinish, cols, new KernelArgs().i32(parts).i32(cols).ptr(partials).ptr(addr(out)));
    }

    /**
     * How many row ranges {@link #sumRows} splits into: one while the columns alone give the GPU
     * enough blocks or the rows are few, else ranges of at least 256 rows, up to about 1,024
     * blocks in all.
     */
    static int sumRowsParts(int rows, int cols) {
        int colBlocks = (cols + 31) / 32;
        if (rows <= 2048 || colBlocks >= 264) return 1;
        return Math.max(1, Math.min((rows + 255) / 256, 1024 / colBlocks));
    }

    // ---- activations ----

    /** The kernels' activation codes; spelled out so reordering the enum cannot break them. */
    static int code(Activation f) {
        return switch (f) {
            case RELU -> 0;
            case LEAKY_RELU -> 1;
            case SIGMOID -> 2;
            case TANH -> 3;
            case GELU -> 4;
            case IDENTITY -> 5;
        };
    }

    @Override
    public void activation(Activation f, float alpha, long n, Buf x, Buf y) {
        elementwise(act, n, new KernelArgs().i32(code(f)).f32(alpha).i64(n).ptr(addr(x)).ptr(addr(y)));
    }

    @Override
    public void activationBackward(Activation f, float alpha, long n, Buf x, Buf y, Buf dy, Buf dx) {
        elementwise(actBack, n, new KernelArgs().i32(code(f)).f32(alpha).i64(n)
                .ptr(addr(x)).ptr(addr(y)).ptr(addr(dy)).ptr(addr(dx)));
    }

    @Override
    public void dropout(long n, float p, long seed, long counter, Buf x, Buf y, Buf mask) {
        elementwise(dropout, n, new KernelArgs().i64(n).f32(p).i64(seed).i64(counter)
                .ptr(addr(x)).ptr(addr(y)).ptr(addr(mask)));
    }

    // ---- convolution and pooling ----

    private static KernelArgs geometry(int h, int w, int c, int kh, int kw, int stride, int pad, int oh, int ow, int batch) {
        return new KernelArgs().i32(h).i32(w).i32(c).i32(kh).i32(kw).i32(stride).i32(pad).i32(oh).i32(ow).i32(batch);
    }

    private static KernelArgs geometry(ConvShape s, int batch) {
        return geometry(s.h(), s.w(), s.c(), s.kh(), s.kw(), s.stride(), s.pad(), s.outH(), s.outW(), batch);
    }

    private static KernelArgs geometry(PoolShape s, int batch) {
        return geometry(s.h(), s.w(), s.c(), s.kh(), s.kw(), s.stride(), s.pad(), s.outH(), s.outW(), batch);
    }

    @Override
    public void im2col(ConvShape s, int batch, Buf x, Buf cols) {
        long n = (long) batch * s.outH() * s.outW() * s.patch();
        elementwise(im2col, n, geometry(s, batch).ptr(addr(x)).ptr(addr(cols)));
    }

    @Override
    public void col2im(ConvShape s, int batch, Buf cols, Buf dx) {
        long n = (long) batch * s.h() * s.w() * s.c();
        elementwise(col2im, n, geometry(s, batch).ptr(addr(cols)).ptr(addr(dx)));
    }

    @Override
    public void maxPool(PoolShape s, int batch, Buf x, Buf y, Buf argmaxOut) {
        long n = (long) batch * s.outH() * s.outW() * s.c();
        elementwise(maxPool, n, geometry(s, batch).ptr(addr(x)).ptr(addr(y)).ptr(addr(argmaxOut)));
    }

    @Override
    public void maxPoolBackward(PoolShape s, int batch, Buf dy, Buf argmaxIn, Buf dx) {
        long n = (long) batch * s.h() * s.w() * s.c();
        elementwise(maxPoolBack, n, geometry(s, batch).ptr(addr(dy)).ptr(addr(argmaxIn)).ptr(addr(dx)));
    }

    @Override
    public void avgPool(PoolShape s, int batch, Buf x, Buf y) {
        long n = (long) batch * s.outH() * s.outW() * s.c();
        elementwise(avgPool, n, geometry(s, batch).ptr(addr(x)).ptr(addr(y)));
    }

    @Override
    public void avgPoolBackward(PoolShape s, int batch, Buf dy, Buf dx) {
        long n = (long) batch * s.h() * s.w() * s.c();
        elementwise(avgPoolBack, n, geometry(s, batch).ptr(addr(dy)).ptr(addr(dx)));
    }

    // ---- losses and metrics ----

    private void reduce(int blocks, double divisor, Buf out) {
        dev.launch(reducePartials, 1, 1, THREADS, 1, new KernelArgs().i32(blocks).ptr(partials).f64(divisor).ptr(addr(out)));
    }

    @Override
    public void softmaxCrossEntropy(int rows, int cols, Buf logits, Buf labels, Buf dlogits, Buf loss) {
        int blocks = blocksFor(rows, Integer.MAX_VALUE);
        ensurePartials(blocks);
        dev.launch(xentRows, blocks, 1, THREADS, 1, new KernelArgs().i32(rows).i32(cols)
                .ptr(addr(logits)).ptr(addr(labels)).ptr(addr(dlogits)).ptr(partials));
        reduce(blocks, rows, loss);
    }

    @Override
    public void mse(int rows, int cols, Buf pred, Buf target, Buf dpred, Buf loss) {
        long n = (long) rows * cols;
        int blocks = blocksFor(n, REDUCE_BLOCKS);
        dev.launch(msePartial, blocks, 1, THREADS, 1, new KernelArgs().i64(n)
                .ptr(addr(pred)).ptr(addr(target)).ptr(addr(dpred)).ptr(partials));
        reduce(blocks, n, loss);
    }

    @Override
    public void argmax(int rows, int cols, Buf x, Buf out) {
        elementwise(argmax, rows, new KernelArgs().i32(rows).i32(cols).ptr(addr(x)).ptr(addr(out)));
    }

    @Override
    public void countCorrect(int rows, int cols, Buf logits, Buf labels, Buf out) {
        dev.memset32(addr(out), 0, 1);
        if (rows <= 0) return;
        dev.launch(countCorrect, blocksFor(rows, Integer.MAX_VALUE), 1, THREADS, 1,
                new KernelArgs().i32(rows).i32(cols).ptr(addr(logits)).ptr(addr(labels)).ptr(addr(out)));
    }

    // ---- optimizers ----

    @Override
    public void sgdStep(long n, float lr, float momentum, boolean nesterov, float weightDecay,
                        Buf param, Buf grad, Buf velocity, Buf update) {
        elementwise(sgd, n, new KernelArgs().i64(n).f32(lr).f32(momentum).i32(nesterov ? 1 : 0).f32(weightDecay)
                .ptr(addr(param)).ptr(addr(grad)).ptr(addr(velocity)).ptr(addr(update)));
    }

    @Override
    public void adamStep(long n, float lr, float beta1, float beta2, float eps, float weightDecay,
                         boolean decoupled, long t, Buf param, Buf grad, Buf m, Buf v, Buf update) {
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        elementwise(adam, n, new KernelArgs().i64(n).f32(lr).f32(beta1).f32(beta2).f32(eps).f32(weightDecay)
                .i32(decoupled ? 1 : 0).f64(bc1).f64(bc2)
                .ptr(addr(param)).ptr(addr(grad)).ptr(addr(m)).ptr(addr(v)).ptr(addr(update)));
    }

    // ---- statistics ----

    @Override
    public void stats(long n, int bins, Buf x, Buf out) {
        if (bins < 0) throw new IllegalArgumentException("negative bin count " + bins);
        check(out, 0, TensorStats.length(bins));
        if (batchStats) {
            long xa = addr(x), oa = addr(out), outBytes = (long) TensorStats.length(bins) * Float.BYTES;
            // a batch reads every x before it writes any output: a call that reads or writes an
            // output still pending must wait for the batch before it
            if (overlapsPendingOut(xa, n * Float.BYTES) || overlapsPendingOut(oa, outBytes)) flushStats();
            pendingX[pending] = xa;
            pendingOut[pending] = oa;
            pendingN[pending] = n;
            pendingBins[pending] = bins;
            if (++pending == STATS_BATCH) flushStats();
            return;
        }
        int blocks = blocksFor(n, REDUCE_BLOCKS);
        dev.launch(statsPartial, blocks, 1, THREADS, 1, new KernelArgs().i64(n).ptr(addr(x)).ptr(partials));
        dev.launch(statsFinalize, 1, 1, THREADS, 1, new KernelArgs().i32(blocks).i64(n).ptr(partials)
                .ptr(addr(out)).ptr(meta()));
        if (bins == 0) return;
        ensureCounts(bins);
        dev.memset32(counts, 0, bins);
        dev.launch(statsHist, blocks, 1, THREADS, 1, new KernelArgs().i64(n).i32(bins).ptr(addr(x))
                .ptr(addr(out)).ptr(meta()).ptr(counts));
        elementwise(statsHistOut, bins, new KernelArgs().i32(bins).ptr(counts).ptr(addr(out)));
    }

    private boolean overlapsPendingOut(long address, long bytes) {
        for (int k = 0; k < pending; k++) {
            long o = pendingOut[k], end = o + (long) TensorStats.length(pendingBins[k]) * Float.BYTES;
            if (address < end && o < address + Math.max(bytes, 1)) return true;
        }
        return false;
    }

    /**
     * Launches the pending statistics calls as one batch: two launches for up to
     * {@link #STATS_BATCH} tensors (and a memset and two more when any has a histogram), each
     * split into blocks exactly as its own launches would be, so headers and counts are bitwise
     * the per-tensor ones.
     */
    private void flushStats() {
        if (pending == 0) return;
        int count = pending;
        pending = 0;
        int[] first = new int[count + 1], countFirst = new int[count + 1];
        for (int k = 0; k < count; k++) {
            first[k + 1] = first[k] + blocksFor(pendingN[k], REDUCE_BLOCKS);
            countFirst[k + 1] = countFirst[k] + pendingBins[k];
        }
        int totalBins = countFirst[count];
        ensurePartials((long) first[count] * STATS_PARTIAL);
        if (totalBins > 0) ensureCounts(totalBins);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(STATS_BATCH_BYTES).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int firstAt = 24 * STATS_BATCH, countAt = firstAt + 4 * (STATS_BATCH + 1), binsAt = countAt + 4,
                countFirstAt = binsAt + 4 * STATS_BATCH;
        for (int k = 0; k < count; k++) {
            b.putLong(8 * k, pendingX[k]);
            b.putLong(8 * (STATS_BATCH + k), pendingOut[k]);
            b.putLong(8 * (2 * STATS_BATCH + k), pendingN[k]);
            b.putInt(binsAt + 4 * k, pendingBins[k]);
        }
        for (int k = 0; k <= count; k++) {
            b.putInt(firstAt + 4 * k, first[k]);
            b.putInt(countFirstAt + 4 * k, countFirst[k]);
        }
        b.putInt(countAt, count);
        byte[] struct = b.array();  // a fresh array per batch: a recording (capture) keeps the launch arguments
        raw.launch(statsPartialBatch, first[count], 1, THREADS, 1, new KernelArgs().bytes(struct).ptr(partials));
        raw.launch(statsFinalizeBatch, count, 1, THREADS, 1, new KernelArgs().bytes(struct).ptr(partials).ptr(batchMeta));
        if (totalBins == 0) return;
        raw.memset32(counts, 0, totalBins);
        raw.launch(statsHistBatch, first[count], 1, THREADS, 1, new KernelArgs().bytes(struct).ptr(batchMeta).ptr(counts));
        raw.launch(statsHistOutBatch, count, 1, THREADS, 1, new KernelArgs().bytes(struct).ptr(counts));
    }
}
