package dev.loupe.engine.backend.reference;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.ConvShape;
import dev.loupe.engine.DropoutRng;
import dev.loupe.engine.MemoryInfo;
import dev.loupe.engine.PoolShape;
import dev.loupe.engine.TensorStats;

/**
 * The definition of every op: plain Java loops over heap arrays, written to be obviously right
 * rather than fast. Other backends are tested against it.
 */
public final class ReferenceBackend implements Backend {

    /** A heap array window. */
    record Arr(float[] data, int off, int len) implements Buf {
        @Override
        public long length() {
            return len;
        }

        @Override
        public Buf slice(long offset, long length) {
            if (offset < 0 || length < 0 || offset + length > len) {
                throw new IndexOutOfBoundsException("slice " + offset + "+" + length + " of " + len);
            }
            return new Arr(data, off + (int) offset, (int) length);
        }

        float get(long i) {
            return data[off + (int) i];
        }

        void set(long i, float v) {
            data[off + (int) i] = v;
        }
    }

    private long allocated;

    private static Arr a(Buf b) {
        return (Arr) b;
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String device() {
        return "CPU, plain Java (single thread)";
    }

    @Override
    public Buf alloc(long length) {
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("reference buffers hold at most 2^31 floats");
        }
        allocated += length * 4;
        return new Arr(new float[(int) length], 0, (int) length);
    }

    @Override
    public void upload(float[] src, int srcOff, Buf dst, long dstOff, int len) {
        Arr d = a(dst);
        System.arraycopy(src, srcOff, d.data, d.off + (int) dstOff, len);
    }

    @Override
    public void download(Buf src, long srcOff, float[] dst, int dstOff, int len) {
        Arr s = a(src);
        System.arraycopy(s.data, s.off + (int) srcOff, dst, dstOff, len);
    }

    @Override
    public void copy(long n, Buf src, Buf dst) {
        for (long i = 0; i < n; i++) a(dst).set(i, a(src).get(i));
    }

    @Override
    public void fill(long n, float value, Buf x) {
        for (long i = 0; i < n; i++) a(x).set(i, value);
    }

    @Override
    public void synchronize() {}

    @Override
    public MemoryInfo memory() {
        Runtime rt = Runtime.getRuntime();
        return new MemoryInfo(allocated, rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()), rt.maxMemory());
    }

    @Override
    public void close() {}

    // ---- linear algebra ----

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Buf a, Buf b, float beta, Buf c) {
        Arr A = a(a), B = a(b), C = a(c);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    float av = transA ? A.get((long) p * m + i) : A.get((long) i * k + p);
                    float bv = transB ? B.get((long) j * k + p) : B.get((long) p * n + j);
                    acc += (double) av * bv;
                }
                long ci = (long) i * n + j;
                float old = beta == 0 ? 0 : beta * C.get(ci);
                C.set(ci, (float) (alpha * acc) + old);
            }
        }
    }

    @Override
    public void axpy(long n, float alpha, Buf x, Buf y) {
        for (long i = 0; i < n; i++) a(y).set(i, a(y).get(i) + alpha * a(x).get(i));
    }

    @Override
    public void scale(long n, float alpha, Buf x) {
        for (long i = 0; i < n; i++) a(x).set(i, alpha * a(x).get(i));
    }

    @Override
    public void mul(long n, Buf x, Buf y, Buf out) {
        for (long i = 0; i < n; i++) a(out).set(i, a(x).get(i) * a(y).get(i));
    }

    @Override
    public void addBias(int rows, int cols, Buf x, Buf bias) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                long i = (long) r * cols + c;
                a(x).set(i, a(x).get(i) + a(bias).get(c));
            }
        }
    }

    @Override
    public void sumRows(int rows, int cols, Buf x, Buf out) {
        for (int c = 0; c < cols; c++) {
            double s = 0;
            for (int r = 0; r < rows; r++) s += a(x).get((long) r * cols + c);
            a(out).set(c, (float) s);
        }
    }

    // ---- activations ----

    static final double GELU_K = Math.sqrt(2 / Math.PI);

    /** The forward nonlinearity on one value; shared with tests as the scalar definition. */
    public static float apply(Activation f, float alpha, float x) {
        return switch (f) {
            case RELU -> x > 0 ? x : 0f;
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case SIGMOID -> (float) (1 / (1 + Math.exp(-x)));
            case TANH -> (float) Math.tanh(x);
            case GELU -> (float) (0.5 * x * (1 + Math.tanh(GELU_K * (x + 0.044715 * x * x * x))));
            case IDENTITY -> x;
        };
    }

    /** The derivative of {@link #apply} at {@code x}, given its output {@code y}. */
    public static float derivative(Activation f, float alpha, float x, float y) {
        return switch (f) {
            case RELU -> x > 0 ? 1f : 0f;
            case LEAKY_RELU -> x > 0 ? 1f : alpha;
            case SIGMOID -> y * (1 - y);
            case TANH -> 1 - y * y;
            case GELU -> {
                double u = GELU_K * (x + 0.044715 * x * x * x);
                double t = Math.tanh(u);
                double du = GELU_K * (1 + 3 * 0.044715 * x * x);
                yield (float) (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du);
            }
            case IDENTITY -> 1f;
        };
    }

    @Override
    public void activation(Activation f, float alpha, long n, Buf x, Buf y) {
        for (long i = 0; i < n; i++) a(y).set(i, apply(f, alpha, a(x).get(i)));
    }

    @Override
    public void activationBackward(Activation f, float alpha, long n, Buf x, Buf y, Buf dy, Buf dx) {
        for (long i = 0; i < n; i++) {
            a(dx).set(i, derivative(f, alpha, a(x).get(i), a(y).get(i)) * a(dy).get(i));
        }
    }

    @Override
    public void dropout(long n, float p, long seed, long counter, Buf x, Buf y, Buf mask) {
        float keepScale = 1f / (1f - p);
        for (long i = 0; i < n; i++) {
            float m = DropoutRng.keep(seed, counter, i, p) ? keepScale : 0f;
            a(mask).set(i, m);
            a(y).set(i, a(x).get(i) * m);
        }
    }

    // ---- convolution and pooling ----

    @Override
    public void im2col(ConvShape s, int batch, Buf x, Buf cols) {
        int oh = s.outH(), ow = s.outW(), patch = s.patch();
        for (int n = 0; n < batch; n++)
            for (int y = 0; y < oh; y++)
                for (int xo = 0; xo < ow; xo++) {
                    long row = ((long) n * oh + y) * ow + xo;
                    for (int ky = 0; ky < s.kh(); ky++)
                        for (int kx = 0; kx < s.kw(); kx++)
                            for (int c = 0; c < s.c(); c++) {
                                int iy = y * s.stride() - s.pad() + ky, ix = xo * s.stride() - s.pad() + kx;
                                float v = 0;
                                if (iy >= 0 && iy < s.h() && ix >= 0 && ix < s.w()) {
                                    v = a(x).get((((long) n * s.h() + iy) * s.w() + ix) * s.c() + c);
                                }
                                a(cols).set(row * patch + (ky * s.kw() + kx) * s.c() + c, v);
                            }
                }
    }

    @Override
    public void col2im(ConvShape s, int batch, Buf cols, Buf dx) {
        fill((long) batch * s.h() * s.w() * s.c(), 0f, dx);
        int oh = s.outH(), ow = s.outW(), patch = s.patch();
        for (int n = 0; n < batch; n++)
            for (int y = 0; y < oh; y++)
                for (int xo = 0; xo < ow; xo++) {
                    long row = ((long) n * oh + y) * ow + xo;
                    for (int ky = 0; ky < s.kh(); ky++)
                        for (int kx = 0; kx < s.kw(); kx++)
                            for (int c = 0; c < s.c(); c++) {
                                int iy = y * s.stride() - s.pad() + ky, ix = xo * s.stride() - s.pad() + kx;
                                if (iy >= 0 && iy < s.h() && ix >= 0 && ix < s.w()) {
                                    long xi = (((long) n * s.h() + iy) * s.w() + ix) * s.c() + c;
                                    a(dx).set(xi, a(dx).get(xi) + a(cols).get(row * patch + (ky * s.kw() + kx) * s.c() + c));
                                }
                            }
                }
    }

    @Override
    public void maxPool(PoolShape s, int batch, Buf x, Buf y, Buf argmax) {
        int oh = s.outH(), ow = s.outW();
        long in = (long) s.h() * s.w() * s.c();
        for (int n = 0; n < batch; n++)
            for (int py = 0; py < oh; py++)
                for (int px = 0; px < ow; px++)
                    for (int c = 0; c < s.c(); c++) {
                        float best = Float.NEGATIVE_INFINITY;
                        long bestAt = -1;
                        for (int ky = 0; ky < s.kh(); ky++)
                            for (int kx = 0; kx < s.kw(); kx++) {
                                int iy = py * s.stride() - s.pad() + ky, ix = px * s.stride() - s.pad() + kx;
                                if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) continue;
                                long local = ((long) iy * s.w() + ix) * s.c() + c;
                                float v = a(x).get(n * in + local);
                                if (bestAt < 0 || v > best) {
                                    best = v;
                                    bestAt = local;
                                }
                            }
                        long o = (((long) n * oh + py) * ow + px) * s.c() + c;
                        a(y).set(o, best);
                        a(argmax).set(o, bestAt);
                    }
    }

    @Override
    public void maxPoolBackward(PoolShape s, int batch, Buf dy, Buf argmax, Buf dx) {
        long in = (long) s.h() * s.w() * s.c();
        long out = (long) s.outH() * s.outW() * s.c();
        fill(batch * in, 0f, dx);
        for (int n = 0; n < batch; n++)
            for (long o = 0; o < out; o++) {
                long at = n * in + (long) a(argmax).get(n * out + o);
                a(dx).set(at, a(dx).get(at) + a(dy).get(n * out + o));
            }
    }

    @Override
    public void avgPool(PoolShape s, int batch, Buf x, Buf y) {
        int oh = s.outH(), ow = s.outW();
        float inv = 1f / (s.kh() * s.kw());
        for (int n = 0; n < batch; n++)
            for (int py = 0; py < oh; py++)
                for (int px = 0; px < ow; px++)
                    for (int c = 0; c < s.c(); c++) {
                        double sum = 0;
                        for (int ky = 0; ky < s.kh(); ky++)
                            for (int kx = 0; kx < s.kw(); kx++) {
                                int iy = py * s.stride() - s.pad() + ky, ix = px * s.stride() - s.pad() + kx;
                                if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) continue;
                                sum += a(x).get((((long) n * s.h() + iy) * s.w() + ix) * s.c() + c);
                            }
                        a(y).set((((long) n * oh + py) * ow + px) * s.c() + c, (float) sum * inv);
                    }
    }

    @Override
    public void avgPoolBackward(PoolShape s, int batch, Buf dy, Buf dx) {
        int oh = s.outH(), ow = s.outW();
        float inv = 1f / (s.kh() * s.kw());
        fill((long) batch * s.h() * s.w() * s.c(), 0f, dx);
        for (int n = 0; n < batch; n++)
            for (int py = 0; py < oh; py++)
                for (int px = 0; px < ow; px++)
                    for (int c = 0; c < s.c(); c++) {
                        float g = a(dy).get((((long) n * oh + py) * ow + px) * s.c() + c) * inv;
                        for (int ky = 0; ky < s.kh(); ky++)
                            for (int kx = 0; kx < s.kw(); kx++) {
                                int iy = py * s.stride() - s.pad() + ky, ix = px * s.stride() - s.pad() + kx;
                                if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) continue;
                                long xi = (((long) n * s.h() + iy) * s.w() + ix) * s.c() + c;
                                a(dx).set(xi, a(dx).get(xi) + g);
                            }
                    }
    }

    // ---- losses and metrics ----

    @Override
    public void softmaxCrossEntropy(int rows, int cols, Buf logits, Buf labels, Buf dlogits, Buf loss) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, a(logits).get(base + c));
            double z = 0;
            for (int c = 0; c < cols; c++) z += Math.exp(a(logits).get(base + c) - max);
            int label = (int) a(labels).get(r);
            total += Math.log(z) + max - a(logits).get(base + label);
            if (dlogits != null) {
                for (int c = 0; c < cols; c++) {
                    double p = Math.exp(a(logits).get(base + c) - max) / z;
                    a(dlogits).set(base + c, (float) ((p - (c == label ? 1 : 0)) / rows));
                }
            }
        }
        a(loss).set(0, (float) (total / rows));
    }

    @Override
    public void mse(int rows, int cols, Buf pred, Buf target, Buf dpred, Buf loss) {
        long n = (long) rows * cols;
        double total = 0;
        for (long i = 0; i < n; i++) {
            double d = (double) a(pred).get(i) - a(target).get(i);
            total += d * d;
            if (dpred != null) a(dpred).set(i, (float) (2 * d / n));
        }
        a(loss).set(0, (float) (total / n));
    }

    @Override
    public void argmax(int rows, int cols, Buf x, Buf out) {
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < cols; c++) {
                if (a(x).get((long) r * cols + c) > a(x).get((long) r * cols + best)) best = c;
            }
            a(out).set(r, best);
        }
    }

    @Override
    public void countCorrect(int rows, int cols, Buf logits, Buf labels, Buf out) {
        int correct = 0;
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < cols; c++) {
                if (a(logits).get((long) r * cols + c) > a(logits).get((long) r * cols + best)) best = c;
            }
            if (best == (int) a(labels).get(r)) correct++;
        }
        a(out).set(0, correct);
    }

    // ---- optimizers ----

    @Override
    public void sgdStep(long n, float lr, float momentum, boolean nesterov, float weightDecay,
                        Buf param, Buf grad, Buf velocity, Buf update) {
        for (long i = 0; i < n; i++) {
            float th = a(param).get(i);
            float g = a(grad).get(i) + weightDecay * th;
            if (momentum != 0) {
                float v = momentum * a(velocity).get(i) + g;
                a(velocity).set(i, v);
                g = nesterov ? g + momentum * v : v;
            }
            float d = -lr * g;
            if (update != null) a(update).set(i, d);
            a(param).set(i, th + d);
        }
    }

    @Override
    public void adamStep(long n, float lr, float beta1, float beta2, float eps, float weightDecay,
                         boolean decoupled, long t, Buf param, Buf grad, Buf m, Buf v, Buf update) {
        double bc1 = 1 - Math.pow(beta1, t), bc2 = 1 - Math.pow(beta2, t);
        for (long i = 0; i < n; i++) {
            float th = a(param).get(i);
            float g = a(grad).get(i);
            if (!decoupled) g += weightDecay * th;
            float mi = beta1 * a(m).get(i) + (1 - beta1) * g;
            float vi = beta2 * a(v).get(i) + (1 - beta2) * g * g;
            a(m).set(i, mi);
            a(v).set(i, vi);
            float d = (float) (-lr * (mi / bc1) / (Math.sqrt(vi / bc2) + eps));
            if (decoupled) d -= lr * weightDecay * th;
            if (update != null) a(update).set(i, d);
            a(param).set(i, th + d);
        }
    }

    // ---- statistics ----

    @Override
    public void stats(long n, int bins, Buf x, Buf out) {
        long finite = 0, zeros = 0, nonFinite = 0;
        double sum = 0, sumSq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (long i = 0; i < n; i++) {
            float v = a(x).get(i);
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
        double mean = finite == 0 ? 0 : sum / finite;
        double var = finite == 0 ? 0 : Math.max(0, sumSq / finite - mean * mean);
        Arr o = a(out);
        o.set(TensorStats.COUNT, n);
        o.set(TensorStats.MEAN, (float) mean);
        o.set(TensorStats.STD, (float) Math.sqrt(var));
        o.set(TensorStats.MIN, finite == 0 ? 0 : (float) min);
        o.set(TensorStats.MAX, finite == 0 ? 0 : (float) max);
        o.set(TensorStats.L2, (float) Math.sqrt(sumSq));
        o.set(TensorStats.ZERO_FRAC, n == 0 ? 0 : (float) zeros / n);
        o.set(TensorStats.NON_FINITE, nonFinite);
        for (int b = 0; b < bins; b++) o.set(TensorStats.HEADER + b, 0);
        if (bins == 0 || finite == 0) return;
        float lo = (float) min, hi = (float) max;
        for (long i = 0; i < n; i++) {
            float v = a(x).get(i);
            if (!Float.isFinite(v)) continue;
            int b = histogramBin(v, lo, hi, bins);
            o.set(TensorStats.HEADER + b, o.get(TensorStats.HEADER + b) + 1);
        }
    }

    /**
     * The bin of {@code v} among {@code bins} equal-width bins on [lo, hi]; hi falls in the last.
     * The offset from {@code lo} is multiplied by {@link #binScale} (one float division per
     * tensor, not per element), the way every backend bins.
     */
    public static int histogramBin(float v, float lo, float hi, int bins) {
        if (!(hi > lo)) return bins / 2;
        int b = (int) ((v - lo) * binScale(lo, hi, bins));
        return Math.min(bins - 1, Math.max(0, b));
    }

    /**
     * Bins per unit of value, {@code bins / (hi − lo)} in float. Where it overflows to infinity
     * (a subnormal range) the offset 0 gives NaN and the others infinity, which the cast and
     * the clamp put in the first and last bins.
     */
    public static float binScale(float lo, float hi, int bins) {
        return bins / (hi - lo);
    }
}
