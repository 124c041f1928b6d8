package dev.loupe.engine;

/**
 * The compute contract every backend implements: fp32 buffers, host↔device copies, and the coarse
 * ops that training, recording and explaining need.
 *
 * <p>Conventions shared by every op:
 * <ul>
 *   <li>Matrices are row-major and contiguous; a {@link Buf} argument starts at element 0 of that
 *       buffer (pass a {@link Buf#slice slice} to start elsewhere).</li>
 *   <li>Images are NHWC (channels last), so a flatten is free and a convolution is im2col + gemm.</li>
 *   <li>Class labels travel as floats holding integer class indices.</li>
 *   <li>Ops may run asynchronously; {@link #download} and {@link #synchronize} are the only sync
 *       points. Arguments are read when the op is enqueued, buffers when it runs.</li>
 *   <li>Unless stated otherwise an op overwrites its output. Outputs never alias inputs except
 *       where an op says so.</li>
 * </ul>
 * The {@code reference} backend is the definition of every op; all backends must agree with it
 * (see the conformance suite).
 */
public interface Backend extends AutoCloseable {

    /** Short name used on the command line: {@code reference}, {@code nd4j}, {@code cuda}. */
    String name();

    /** One line describing the device this backend computes on. */
    String device();

    /** Allocates a zero-filled buffer of {@code length} floats. */
    Buf alloc(long length);

    /** Copies {@code len} floats from {@code src[srcOff..]} into {@code dst[dstOff..]}. */
    void upload(float[] src, int srcOff, Buf dst, long dstOff, int len);

    /** Copies {@code len} floats from {@code src[srcOff..]} into {@code dst[dstOff..]}; a sync point. */
    void download(Buf src, long srcOff, float[] dst, int dstOff, int len);

    /** {@code dst[0..n) = src[0..n)}. */
    void copy(long n, Buf src, Buf dst);

    /** {@code x[0..n) = value}. */
    void fill(long n, float value, Buf x);

    /** Waits until every enqueued op has finished. */
    void synchronize();

    /** Memory in use and available to this backend, in bytes (-1 where unknown). */
    MemoryInfo memory();

    /** Device work recorded once by {@link #capture} and launched again as a whole. */
    interface Replay extends AutoCloseable {
        /** Enqueues the recorded work again, in the order it was recorded. */
        void run();

        @Override
        void close();
    }

    /**
     * Records the device work that {@code ops} enqueues, without running it, as one unit that
     * {@link Replay#run} launches again (a CUDA graph on the cuda backend). What is recorded is
     * fixed: each op's arguments (sizes, scalars such as a learning rate, buffers) as they were
     * during recording. So {@code ops} must enqueue work only, the same work every time: no
     * uploads, downloads or synchronization, and no op whose scalar arguments change between
     * runs (a dropout counter, Adam's step). Returns null where the backend has no such facility,
     * which is the default; callers then run {@code ops} themselves each time (see
     * {@link dev.loupe.engine.nn.CapturedOps}).
     */
    default Replay capture(Runnable ops) {
        return null;
    }

    /**
     * Largest scratch working set, in bytes, that a layer should produce and consume in one go:
     * a convolution unfolds and multiplies its im2col columns a few samples at a time when the
     * whole batch's columns exceed it, so that they are used while still in cache. The default
     * (no limit) keeps every op whole, which suits devices where one big launch is cheapest.
     */
    default long chunkBytes() {
        return Long.MAX_VALUE;
    }

    @Override
    void close();

    // ---- linear algebra -------------------------------------------------------------------

    /**
     * {@code C[m×n] = alpha · op(A) · op(B) + beta · C}, where {@code op(A)} is {@code m×k}
     * ({@code A} is stored {@code k×m} when {@code transA}) and {@code op(B)} is {@code k×n}
     * ({@code B} stored {@code n×k} when {@code transB}).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, Buf a, Buf b, float beta, Buf c);

    /** {@code y[i] += alpha · x[i]} for {@code i < n}. */
    void axpy(long n, float alpha, Buf x, Buf y);

    /** {@code x[i] *= alpha} for {@code i < n} (in place). */
    void scale(long n, float alpha, Buf x);

    /**
     * {@code out = base + a·d1 + b·d2} for {@code i < n} ({@code d2} may be null: no third term),
     * rounded as {@link #copy} then {@link #axpy} with {@code a}, then with {@code b}: a point
     * {@code θ0 + α·d1 + β·d2} of a plane in one pass. {@code out} must not overlap the inputs.
     */
    default void combine(long n, Buf base, float a, Buf d1, float b, Buf d2, Buf out) {
        copy(n, base, out);
        axpy(n, a, d1, out);
        if (d2 != null) axpy(n, b, d2, out);
    }

    /** {@code out[i] = a[i] · b[i]} for {@code i < n}; {@code out} may alias {@code a} or {@code b}. */
    void mul(long n, Buf a, Buf b, Buf out);

    /** {@code x[r, c] += bias[c]} for a {@code rows×cols} matrix (in place). */
    void addBias(int rows, int cols, Buf x, Buf bias);

    /** {@code out[c] = Σ_r x[r, c]} for a {@code rows×cols} matrix (the bias gradient). */
    void sumRows(int rows, int cols, Buf x, Buf out);

    // ---- activations ----------------------------------------------------------------------

    /** {@code y = f(x)} elementwise; {@code alpha} is the negative slope of LeakyReLU. */
    void activation(Activation f, float alpha, long n, Buf x, Buf y);

    /** {@code dx = f'(x) · dy} elementwise, given the forward's input {@code x} and output {@code y}. */
    void activationBackward(Activation f, float alpha, long n, Buf x, Buf y, Buf dy, Buf dx);

    /**
     * {@link #activation} that also writes the statistics (no bins, as {@link #stats} with
     * {@code bins} 0) of its input into {@code statsX} and of its output into {@code statsY}: the
     * values {@link #stats} gives on those buffers after the op, within rounding of the summation
     * order. The default composes the three ops; a backend may summarize both tensors in the
     * activation's own loop, where they are in registers anyway, saving two passes over memory.
     * {@code x} and {@code y} must not overlap.
     */
    default void activationWithStats(Activation f, float alpha, long n, Buf x, Buf y, Buf statsX, Buf statsY) {
        activation(f, alpha, n, x, y);
        stats(n, 0, x, statsX);
        stats(n, 0, y, statsY);
    }

    /**
     * {@link #activationBackward} with the statistics (no bins) of the incoming gradient
     * {@code dy} into {@code statsDy} and of {@code dx} into {@code statsDx}; see
     * {@link #activationWithStats}. {@code dy} and {@code dx} must not overlap.
     */
    default void activationBackwardWithStats(Activation f, float alpha, long n, Buf x, Buf y, Buf dy, Buf dx,
                                             Buf statsDy, Buf statsDx) {
        activationBackward(f, alpha, n, x, y, dy, dx);
        stats(n, 0, dy, statsDy);
        stats(n, 0, dx, statsDx);
    }

    /**
     * Inverted dropout: {@code mask[i] = keep ? 1/(1-p) : 0} and {@code y = x · mask}. Whether
     * element {@code i} is kept is {@link DropoutRng#keep(long, long, long, float)} of
     * {@code (seed, counter, i)}, so every backend drops the same elements.
     */
    void dropout(long n, float p, long seed, long counter, Buf x, Buf y, Buf mask);

    // ---- convolution and pooling (NHWC) ---------------------------------------------------

    /**
     * Unfolds {@code x[batch, H, W, C]} into {@code cols[batch·OH·OW, KH·KW·C]}: row
     * {@code (n, oh, ow)}, column {@code (kh, kw, c)} holds the input pixel under that kernel tap,
     * or 0 in the padding.
     */
    void im2col(ConvShape s, int batch, Buf x, Buf cols);

    /** The adjoint of {@link #im2col}: {@code dx} is overwritten with the scatter-sum of {@code cols}. */
    void col2im(ConvShape s, int batch, Buf cols, Buf dx);

    /**
     * Max pooling; {@code argmax[o]} receives the flat index within the sample's {@code H·W·C}
     * input of the winning element (first maximum in window order) for output element {@code o}.
     */
    void maxPool(PoolShape s, int batch, Buf x, Buf y, Buf argmax);

    /** {@code dx} is overwritten: each {@code dy[o]} is added at {@code argmax[o]}. */
    void maxPoolBackward(PoolShape s, int batch, Buf dy, Buf argmax, Buf dx);

    /** Average pooling; padding taps count toward the divisor (the window size). */
    void avgPool(PoolShape s, int batch, Buf x, Buf y);

    /** {@code dx} is overwritten with the adjoint of {@link #avgPool}. */
    void avgPoolBackward(PoolShape s, int batch, Buf dy, Buf dx);

    // ---- losses and metrics ---------------------------------------------------------------

    /**
     * Fused softmax cross-entropy over {@code rows×cols} logits with integer labels:
     * {@code loss[0] = mean_r −log softmax(logits_r)[label_r]} and, when {@code dlogits} is not
     * null, {@code dlogits = (softmax(logits) − onehot(labels)) / rows}.
     */
    void softmaxCrossEntropy(int rows, int cols, Buf logits, Buf labels, Buf dlogits, Buf loss);

    /**
     * Mean squared error over {@code rows×cols}: {@code loss[0] = Σ (p − t)² / (rows·cols)} and,
     * when {@code dpred} is not null, {@code dpred = 2 (p − t) / (rows·cols)}.
     */
    void mse(int rows, int cols, Buf pred, Buf target, Buf dpred, Buf loss);

    /** {@code out[r] = argmax_c x[r, c]} (first maximum), as a float. */
    void argmax(int rows, int cols, Buf x, Buf out);

    /** {@code out[0] = number of rows whose argmax equals the label}. */
    void countCorrect(int rows, int cols, Buf logits, Buf labels, Buf out);

    // ---- optimizers -----------------------------------------------------------------------

    /**
     * One SGD step over {@code n} parameters (PyTorch semantics): {@code g = grad + wd·θ};
     * with momentum {@code v = μ v + g} and {@code g = nesterov ? g + μ v : v};
     * {@code Δ = −lr · g}; {@code θ += Δ}. {@code update} (may be null) receives {@code Δ};
     * {@code velocity} may be null when momentum is 0.
     */
    void sgdStep(long n, float lr, float momentum, boolean nesterov, float weightDecay,
                 Buf param, Buf grad, Buf velocity, Buf update);

    /**
     * One Adam step (t ≥ 1 is the step count after this update) over {@code n} parameters:
     * {@code m = β1 m + (1−β1) g}, {@code v = β2 v + (1−β2) g²},
     * {@code Δ = −lr · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)}. Weight decay is L2
     * ({@code g += wd·θ} first) unless {@code decoupled}, where AdamW's {@code Δ −= lr·wd·θ} is used.
     * {@code update} (may be null) receives {@code Δ}; {@code θ += Δ}.
     */
    void adamStep(long n, float lr, float beta1, float beta2, float eps, float weightDecay,
                  boolean decoupled, long t, Buf param, Buf grad, Buf m, Buf v, Buf update);

    /**
     * {@link #sgdStep} that also writes, for each of {@code segments}, the statistics of θ after
     * the update, of the gradient and of Δθ (see {@link StatSegments}) into {@code out}: the same
     * values as {@link #stats} with no bins on those slices after the step, within rounding of
     * the summation order. {@code update} is required and receives Δθ. The default composes the
     * two ops; a backend may compute the statistics inside the update loop, where θ, the gradient
     * and Δθ are in registers anyway, saving three passes over memory.
     */
    default void sgdStepWithStats(long n, float lr, float momentum, boolean nesterov, float weightDecay,
                                  Buf param, Buf grad, Buf velocity, Buf update, StatSegments segments, Buf out) {
        sgdStep(n, lr, momentum, nesterov, weightDecay, param, grad, velocity, update);
        summarize(segments, param, grad, update, out);
    }

    /** {@link #adamStep} with the statistics of {@link #sgdStepWithStats}. */
    default void adamStepWithStats(long n, float lr, float beta1, float beta2, float eps, float weightDecay,
                                   boolean decoupled, long t, Buf param, Buf grad, Buf m, Buf v, Buf update,
                                   StatSegments segments, Buf out) {
        adamStep(n, lr, beta1, beta2, eps, weightDecay, decoupled, t, param, grad, m, v, update);
        summarize(segments, param, grad, update, out);
    }

    private void summarize(StatSegments segments, Buf param, Buf grad, Buf update, Buf out) {
        int h = TensorStats.HEADER, st = segments.stride();
        for (int i = 0; i < segments.count(); i++) {
            long off = segments.offset()[i], len = segments.length()[i], at = segments.at()[i];
            stats(len, 0, param.slice(off, len), out.slice(at, h));
            stats(len, 0, grad.slice(off, len), out.slice(at + st, h));
            stats(len, 0, update.slice(off, len), out.slice(at + 2L * st, h));
        }
    }

    // ---- statistics -----------------------------------------------------------------------

    /**
     * Summarizes {@code x[0..n)} in one op into {@code out[0 .. TensorStats.HEADER + bins)}: see
     * {@link TensorStats} for the layout. Statistics are over the finite elements; the histogram
     * has {@code bins} equal-width bins spanning [min, max] of the finite elements.
     */
    void stats(long n, int bins, Buf x, Buf out);

    /**
     * The histogram half of {@link #stats}: fills {@code out[HEADER .. HEADER + bins)} for
     * {@code x[0..n)} when {@code out}'s header already holds {@code x}'s statistics (written by
     * {@code stats} with no bins or by a fused op such as {@link #activationWithStats}), giving
     * the same result as {@code stats(n, bins, x, out)}. The default simply calls that; a backend
     * may skip the statistics pass.
     */
    default void histogram(long n, int bins, Buf x, Buf out) {
        stats(n, bins, x, out);
    }
}
