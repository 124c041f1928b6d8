package dev.loupe.engine.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.ConvShape;
import dev.loupe.engine.PoolShape;
import dev.loupe.engine.TensorStats;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * The Vector API loops (max pool forward/backward, col2im, bias add, bias gradient, ReLU forward/backward, axpy, combine,
 * histogram bins) give the same bits as the
 * scalar loops and as the reference backend, ties, −0 and NaN included, for channel counts that
 * fill whole vectors and ones that leave a scalar tail.
 */
class SimdKernelsTest {
    private static final SplittableRandom RNG = new SplittableRandom(7);

    /** ReLU-like data: many exact zeros (ties), some −0 and NaN, the rest uniform in (0, 1). */
    private static float[] tricky(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double u = RNG.nextDouble();
            x[i] = u < 0.4 ? 0f : u < 0.45 ? -0f : u < 0.47 ? Float.NaN : (float) RNG.nextDouble();
        }
        return x;
    }

    private static float[] uniform(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (2 * RNG.nextDouble() - 1);
        // a few −0 in gradients too: the reference's 0 + (−0) is +0
        for (int i = 0; i < n; i += 17) x[i] = -0f;
        return x;
    }

    private static Buf up(Backend b, float[] h) {
        Buf x = b.alloc(h.length);
        b.upload(h, 0, x, 0, h.length);
        return x;
    }

    private static float[] down(Backend b, Buf x, int n) {
        float[] h = new float[n];
        b.download(x, 0, h, 0, n);
        return h;
    }

    /** Runs {@code op(backend, out)} on the reference, scalar nd4j and SIMD nd4j; all outputs must agree bit for bit. */
    private static void sameBits(String what, int outLen, BiConsumer<Backend, Buf> op) {
        try (Backend ref = new ReferenceBackend();
             Backend scalar = new Nd4jBackend(OpenBlas.get(), 2, false);
             Backend simd = new Nd4jBackend(OpenBlas.get(), 2, true)) {
            float[] junk = uniform(outLen); // outputs start as junk: every element must be written
            float[][] got = new float[3][];
            List<Backend> bs = List.of(ref, scalar, simd);
            for (int i = 0; i < 3; i++) {
                Buf out = up(bs.get(i), junk);
                op.accept(bs.get(i), out);
                got[i] = down(bs.get(i), out, outLen);
            }
            for (int i = 1; i < 3; i++) {
                for (int e = 0; e < outLen; e++) {
                    int want = Float.floatToRawIntBits(got[0][e]), have = Float.floatToRawIntBits(got[i][e]);
                    if (want != have) {
                        assertEquals(got[0][e], got[i][e], what + (i == 1 ? " scalar" : " simd") + " differs at " + e);
                        assertEquals(want, have, what + (i == 1 ? " scalar" : " simd") + " differs in sign of zero at " + e);
                    }
                }
            }
        }
    }

    @Test
    void maxPoolForwardAndBackwardMatchTheReferenceBitwise() {
        assumeTrue(Simd.AVAILABLE, "the Vector API module is not in this JVM");
        PoolShape[] shapes = {new PoolShape(26, 26, 32, 2, 2, 2, 0), new PoolShape(11, 11, 64, 2, 2, 2, 0),
            new PoolShape(6, 8, 20, 2, 2, 2, 0), new PoolShape(7, 5, 3, 2, 2, 2, 0), new PoolShape(5, 5, 16, 3, 3, 2, 1)};
        for (PoolShape s : shapes) {
            int batch = 3;
            int in = batch * s.h() * s.w() * s.c(), out = batch * s.outH() * s.outW() * s.c();
            float[] x = tricky(in), dy = uniform(out);
            String name = s.toString();
            sameBits("maxPool values " + name, out, (b, y) -> b.maxPool(s, batch, up(b, x), y, b.alloc(out)));
            sameBits("maxPool argmax " + name, out, (b, arg) -> b.maxPool(s, batch, up(b, x), b.alloc(out), arg));
            sameBits("maxPoolBackward " + name, in, (b, dx) -> {
                Buf arg = b.alloc(out);
                b.maxPool(s, batch, up(b, x), b.alloc(out), arg);
                b.maxPoolBackward(s, batch, up(b, dy), arg, dx);
            });
        }
    }

    /**
     * Histogram counts (the register-counter loop for up to 32 bins, the table loop above) equal the
     * reference's for every bin count up to 33: data with its extremes repeated (the top bin's
     * clamp), lengths that end runs of 15 vectors and flushes of 255 mid-way, and a scalar tail.
     */
    @Test
    void histogramCountsMatchTheReferenceForEveryBinCount() {
        assumeTrue(Simd.AVAILABLE, "the Vector API module is not in this JVM");
        for (int n : new int[] {7, 241, 4_097, 70_001}) {
            float[] x = uniform(n);
            x[n / 2] = 1f; // the maximum, several times: the top bin's clamp
            x[n - 1] = 1f;
            x[0] = -1f;
            for (int bins = 1; bins <= 33; bins++) {
                int len = TensorStats.length(bins), nb = bins;
                float[] header = new float[len];
                try (Backend ref = new ReferenceBackend()) {
                    Buf out = ref.alloc(len);
                    ref.stats(n, 0, up(ref, x), out);
                    ref.download(out, 0, header, 0, TensorStats.HEADER);
                }
                sameBits("histogram n " + n + " bins " + bins, len, (b, out) -> {
                    b.upload(header, 0, out, 0, len);
                    b.histogram(n, nb, up(b, x), out);
                });
            }
        }
    }

    @Test
    void col2imMatchesTheReferenceBitwise() {
        assumeTrue(Simd.AVAILABLE, "the Vector API module is not in this JVM");
        ConvShape[] shapes = {new ConvShape(13, 13, 32, 3, 3, 1, 0), new ConvShape(28, 28, 1, 3, 3, 1, 0),
            new ConvShape(9, 9, 20, 5, 3, 2, 2), new ConvShape(8, 8, 16, 3, 3, 2, 1), new ConvShape(4, 4, 8, 3, 3, 1, 1)};
        for (ConvShape s : shapes) {
            int batch = 2;
            int in = batch * s.h() * s.w() * s.c(), cols = batch * s.outH() * s.outW() * s.patch();
            float[] dc = uniform(cols);
            sameBits("col2im " + s, in, (b, dx) -> b.col2im(s, batch, up(b, dc), dx));
        }
    }

    @Test
    void addBiasMatchesTheReferenceBitwise() {
        assumeTrue(Simd.AVAILABLE, "the Vector API module is not in this JVM");
        for (int cols : new int[] {5, 32, 40, 64}) {
            int rows = 37;
            float[] x = uniform(rows * cols), bias = uniform(cols);
            sameBits("addBias " + rows + "x" + cols, rows * cols, (b, out) -> {
                b.upload(x, 0, out, 0, x.length);
                b.addBias(rows, cols, out, up(b, bias));
            });
        }
    }

    @Test
    void reluForwardAndBackwardMatchTheReferenceBitwise() {
        assumeTrue(Simd.AVAILABLE, "the Vector API module is not in this JVM");
        for (int n : new int[] {13, 1000, 70_001}) {
            float[] x = tricky(n), dy = uniform(n);
            for (int i = 0; i < n; i += 5) x[i] = -x[i]; // negatives too
            dy[n / 2] = Float.POSITIVE_INFINITY;
            dy[n / 3] = Float.NaN;
            sameBits("relu n " + n, n, (b, y) -> b.activation(Activation.RELU, 0, n, up(b, x), y));
            sameBits("relu backward n " + n, n, (b, dx) -> {
                Buf xb = up(b, x), yb = b.alloc(n);
                b.activation(Activation.RELU, 0, n, xb, yb);
                b.activationBackward(Activation.RELU, 0, n, xb, yb, up(b, dy), dx);
            });
        }
    }

    /**
     * ReLU with the statistics of its input and output (and backward, of both gradients) computed
     * inside the op gives bitwise the output and summaries of the plain op followed by two stats
     * ops, finite or not: the recorder's summaries do not depend on which path ran.
     */
    @Test
    void fusedReluStatisticsEqualThePlainOpsBitwise() {
        assumeTrue(Simd.AVAILABLE, "the Vector API module is not in this JVM");
        int h = TensorStats.HEADER;
        try (Backend b = new Nd4jBackend(OpenBlas.get(), 2, true)) {
            for (int n : new int[] {1000, 300_001}) {
                for (boolean nonFinite : new boolean[] {false, true}) {
                    float[] x = uniform(n), dy = uniform(n);
                    for (int i = 0; i < n; i += 9) x[i] = 0f;
                    if (nonFinite) {
                        x[n - 7] = Float.NaN;
                        dy[n / 2] = Float.NEGATIVE_INFINITY;
                    }
                    Buf xb = up(b, x), dyb = up(b, dy);
                    Buf y1 = b.alloc(n), y2 = b.alloc(n), dx1 = b.alloc(n), dx2 = b.alloc(n), s1 = b.alloc(4L * h), s2 = b.alloc(4L * h);
                    b.activationWithStats(Activation.RELU, 0, n, xb, y1, s1.slice(0, h), s1.slice(h, h));
                    b.activationBackwardWithStats(Activation.RELU, 0, n, xb, y1, dyb, dx1, s1.slice(2L * h, h), s1.slice(3L * h, h));
                    b.activation(Activation.RELU, 0, n, xb, y2);
                    b.activationBackward(Activation.RELU, 0, n, xb, y2, dyb, dx2);
                    b.stats(n, 0, xb, s2.slice(0, h));
                    b.stats(n, 0, y2, s2.slice(h, h));
                    b.stats(n, 0, dyb, s2.slice(2L * h, h));
                    b.stats(n, 0, dx2, s2.slice(3L * h, h));
                    String what = "n " + n + (nonFinite ? " with non-finite elements" : "");
                    bitsEqual(down(b, y2, n), down(b, y1, n), "relu output, " + what);
                    bitsEqual(down(b, dx2, n), down(b, dx1, n), "relu backward, " + what);
                    bitsEqual(down(b, s2, 4 * h), down(b, s1, 4 * h), "summaries (x, y, dy, dx), " + what);
                }
            }
        }
    }

    @Test
    void sumRowsMatchesTheReferenceBitwise() {
        assumeTrue(Simd.AVAILABLE, "the Vector API module is not in this JVM");
        for (int cols : new int[] {3, 8, 32, 40, 64, 100}) {
            for (int rows : new int[] {1, 37, 70_000 / cols}) {
                float[] x = uniform(rows * cols);
                sameBits("sumRows " + rows + "x" + cols, cols, (b, out) -> b.sumRows(rows, cols, up(b, x), out));
            }
        }
    }

    @Test
    void axpyAndCombineMatchTheReferenceBitwise() {
        assumeTrue(Simd.AVAILABLE, "the Vector API module is not in this JVM");
        for (int n : new int[] {7, 1000, 70_001}) {
            float[] x = uniform(n), d1 = uniform(n), d2 = uniform(n);
            sameBits("axpy n " + n, n, (b, y) -> {
                b.upload(d2, 0, y, 0, n);
                b.axpy(n, -0.37f, up(b, x), y);
            });
            sameBits("combine 3 terms n " + n, n, (b, out) -> b.combine(n, up(b, x), 0.3f, up(b, d1), -1.7f, up(b, d2), out));
            sameBits("combine 2 terms n " + n, n, (b, out) -> b.combine(n, up(b, x), 2.5f, up(b, d1), 0f, null, out));
        }
    }

    private static void bitsEqual(float[] want, float[] have, String what) {
        for (int e = 0; e < want.length; e++) {
            assertEquals(Float.floatToRawIntBits(want[e]), Float.floatToRawIntBits(have[e]),
                    what + " differs at " + e + ": " + want[e] + " vs " + have[e]);
        }
    }
}
