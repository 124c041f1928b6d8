package dev.loupe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Activation;
import dev.loupe.engine.ConvShape;
import dev.loupe.engine.PoolShape;
import dev.loupe.engine.TensorStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs {@link CudaBackend} — its launch shapes, argument lists, scratch handling and the kernel
 * source itself — on the host emulation of the kernels, against the reference backend. Ops the
 * kernels compute with the reference's exact arithmetic must agree bitwise; ops with
 * transcendentals or reordered sums within 1e-6. A GPU runs the same source, compiled by nvcc.
 */
class CudaKernelsEmulatedTest {
    private Twin t;
    private EmulatedDevice dev;

    @BeforeEach
    void open() throws Exception {
        Assumptions.assumeTrue(KernelEmulator.compilerPresent(), "g++ is needed to emulate the kernels");
        dev = new EmulatedDevice();
        t = new Twin(new CudaBackend(dev), 7);
    }

    @AfterEach
    void close() {
        if (t != null) t.close();
    }

    @Test
    void aLaunchWhoseArgumentsDoNotMatchThePtxSignatureIsRejected() {
        long x = dev.alloc(16);
        var wrong = new KernelArgs().i32(4).f32(1f).ptr(x);  // loupe_fill takes (i64 n, float, float*)
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> dev.launch(dev.kernel("loupe_fill"), 1, 1, 32, 1, wrong));
        assertTrue(e.getMessage().contains("parameter 0 is .u64"), e.getMessage());
        dev.launch(dev.kernel("loupe_fill"), 1, 1, 32, 1, new KernelArgs().i64(4).f32(1f).ptr(x));
        dev.free(x);
    }

    @Test
    void elementwiseOpsMatchBitwise() {
        int n = 1000;
        var x = t.random(n, 1f);
        var y = t.random(n, 1f);
        var out = t.garbage(n);
        t.ref.axpy(n, 0.3f, x.ref(), y.ref());
        t.dut.axpy(n, 0.3f, x.dut(), y.dut());
        t.assertSame("axpy", y);
        t.ref.scale(n - 3, -1.7f, x.ref());
        t.dut.scale(n - 3, -1.7f, x.dut());
        t.assertSame("scale", x);
        t.ref.mul(n, x.ref(), y.ref(), out.ref());
        t.dut.mul(n, x.dut(), y.dut(), out.dut());
        t.assertSame("mul", out);
        t.ref.mul(n, x.ref(), y.ref(), x.ref());  // aliasing allowed
        t.dut.mul(n, x.dut(), y.dut(), x.dut());
        t.assertSame("mul in place", x);
        t.ref.fill(n / 2, 2.5f, out.ref().slice(100, n / 2));
        t.dut.fill(n / 2, 2.5f, out.dut().slice(100, n / 2));
        t.assertSame("fill of a slice", out);
        t.ref.copy(300, y.ref(), out.ref().slice(7, 300));
        t.dut.copy(300, y.dut(), out.dut().slice(7, 300));
        t.assertSame("copy", out);
    }

    @Test
    void biasAndColumnSumsMatch() {
        int rows = 37, cols = 70;
        var x = t.random(rows * cols, 1f);
        var bias = t.random(cols, 1f);
        var sums = t.garbage(cols);
        t.ref.addBias(rows, cols, x.ref(), bias.ref());
        t.dut.addBias(rows, cols, x.dut(), bias.dut());
        t.assertSame("addBias", x);
        t.ref.sumRows(rows, cols, x.ref(), sums.ref());
        t.dut.sumRows(rows, cols, x.dut(), sums.dut());
        t.assertClose("sumRows", sums, 1e-6);
    }

    @Test
    void tallColumnSumsSplitIntoRowRangesMatch() {
        // a conv bias gradient's shape: many rows, few columns, summed in row ranges and then parts
        for (int[] shape : new int[][] {{5000, 32}, {2049, 70}, {4100, 3}}) {
            int rows = shape[0], cols = shape[1];
            assertTrue(CudaBackend.sumRowsParts(rows, cols) > 1, "split for " + rows + "x" + cols);
            var x = t.random(rows * cols, 1f);
            var sums = t.garbage(cols);
            t.ref.sumRows(rows, cols, x.ref(), sums.ref());
            t.dut.sumRows(rows, cols, x.dut(), sums.dut());
            t.assertClose("sumRows " + rows + "x" + cols, sums, 1e-6);
        }
        assertEquals(1, CudaBackend.sumRowsParts(2048, 32));
        assertEquals(1, CudaBackend.sumRowsParts(100_000, 264 * 32));
    }

    @Test
    void activationsAndTheirGradientsMatch() {
        int n = 600;
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (i - n / 2) / 40f;  // -7.5 .. 7.5, including 0
        var x = t.of(d);
        var dy = t.random(n, 1f);
        for (Activation f : Activation.values()) {
            var y = t.garbage(n);
            var dx = t.garbage(n);
            t.ref.activation(f, 0.1f, n, x.ref(), y.ref());
            t.dut.activation(f, 0.1f, n, x.dut(), y.dut());
            t.ref.activationBackward(f, 0.1f, n, x.ref(), y.ref(), dy.ref(), dx.ref());
            t.dut.activationBackward(f, 0.1f, n, x.dut(), y.dut(), dy.dut(), dx.dut());
            t.assertClose(f + " forward", y, 1e-6);
            t.assertClose(f + " backward", dx, 1e-6);
        }
    }

    @Test
    void dropoutDropsTheSameElements() {
        int n = 5000;
        var x = t.random(n, 1f);
        var y = t.garbage(n);
        var mask = t.garbage(n);
        t.ref.dropout(n, 0.3f, 42L, 9L, x.ref(), y.ref(), mask.ref());
        t.dut.dropout(n, 0.3f, 42L, 9L, x.dut(), y.dut(), mask.dut());
        t.assertSame("dropout mask", mask);
        t.assertSame("dropout output", y);
        float[] m = Twin.read(t.dut, mask.dut(), n);
        long kept = 0;
        for (float v : m) if (v != 0) kept++;
        assertTrue(kept > 0.65 * n && kept < 0.75 * n, "kept " + kept + " of " + n + " at p=0.3");
    }

    @Test
    void im2colAndCol2imMatchWithStrideAndPadding() {
        for (ConvShape s : new ConvShape[] {new ConvShape(7, 6, 3, 3, 3, 1, 1), new ConvShape(9, 8, 2, 3, 2, 2, 1),
                new ConvShape(5, 5, 1, 5, 5, 1, 0), new ConvShape(6, 6, 4, 2, 2, 2, 0)}) {
            int batch = 3;
            int colsLen = batch * s.outH() * s.outW() * s.patch(), xLen = batch * s.h() * s.w() * s.c();
            var x = t.random(xLen, 1f);
            var cols = t.garbage(colsLen);
            t.ref.im2col(s, batch, x.ref(), cols.ref());
            t.dut.im2col(s, batch, x.dut(), cols.dut());
            t.assertSame("im2col " + s, cols);
            var g = t.random(colsLen, 1f);
            var dx = t.garbage(xLen);
            t.ref.col2im(s, batch, g.ref(), dx.ref());
            t.dut.col2im(s, batch, g.dut(), dx.dut());
            t.assertSame("col2im " + s, dx);
        }
    }

    @Test
    void poolingForwardAndBackwardMatch() {
        for (PoolShape s : new PoolShape[] {new PoolShape(8, 8, 3, 2, 2, 2, 0), new PoolShape(7, 9, 2, 3, 3, 2, 1),
                new PoolShape(6, 6, 4, 6, 6, 1, 0), new PoolShape(5, 5, 1, 3, 3, 1, 1)}) {
            int batch = 2;
            int in = batch * s.h() * s.w() * s.c(), out = batch * s.outH() * s.outW() * s.c();
            float[] d = new float[in];
            for (int i = 0; i < in; i++) d[i] = t.rnd.nextInt(4);  // many ties: first maximum must win
            var x = t.of(d);
            var y = t.garbage(out);
            var arg = t.garbage(out);
            t.ref.maxPool(s, batch, x.ref(), y.ref(), arg.ref());
            t.dut.maxPool(s, batch, x.dut(), y.dut(), arg.dut());
            t.assertSame("maxPool " + s, y);
            t.assertSame("maxPool argmax " + s, arg);
            var dy = t.random(out, 1f);
            var dx = t.garbage(in);
            t.ref.maxPoolBackward(s, batch, dy.ref(), arg.ref(), dx.ref());
            t.dut.maxPoolBackward(s, batch, dy.dut(), arg.dut(), dx.dut());
            t.assertSame("maxPoolBackward " + s, dx);
            t.ref.avgPool(s, batch, x.ref(), y.ref());
            t.dut.avgPool(s, batch, x.dut(), y.dut());
            t.assertSame("avgPool " + s, y);
            t.ref.avgPoolBackward(s, batch, dy.ref(), dx.ref());
            t.dut.avgPoolBackward(s, batch, dy.dut(), dx.dut());
            t.assertSame("avgPoolBackward " + s, dx);
        }
    }

    @Test
    void lossesAndMetricsMatch() {
        int rows = 300, cols = 10;  // two blocks of rows
        var logits = t.random(rows * cols, 3f);
        var labels = t.labels(rows, cols);
        var dl = t.garbage(rows * cols);
        var loss = t.garbage(1);
        t.ref.softmaxCrossEntropy(rows, cols, logits.ref(), labels.ref(), dl.ref(), loss.ref());
        t.dut.softmaxCrossEntropy(rows, cols, logits.dut(), labels.dut(), dl.dut(), loss.dut());
        t.assertClose("softmax cross-entropy loss", loss, 1e-6);
        t.assertClose("softmax cross-entropy gradient", dl, 1e-6);
        t.ref.softmaxCrossEntropy(rows, cols, logits.ref(), labels.ref(), null, loss.ref());
        t.dut.softmaxCrossEntropy(rows, cols, logits.dut(), labels.dut(), null, loss.dut());
        t.assertClose("loss without gradient", loss, 1e-6);

        var target = t.random(rows * cols, 1f);
        t.ref.mse(rows, cols, logits.ref(), target.ref(), dl.ref(), loss.ref());
        t.dut.mse(rows, cols, logits.dut(), target.dut(), dl.dut(), loss.dut());
        t.assertClose("mse", loss, 1e-6);
        t.assertSame("mse gradient", dl);

        float[] tied = new float[rows * cols];
        for (int i = 0; i < tied.length; i++) tied[i] = t.rnd.nextInt(3);
        tied[5 * cols] = Float.NaN;       // NaN in column 0 wins by the reference's scan
        tied[6 * cols + 4] = Float.NaN;   // NaN elsewhere never wins
        var x = t.of(tied);
        var am = t.garbage(rows);
        t.ref.argmax(rows, cols, x.ref(), am.ref());
        t.dut.argmax(rows, cols, x.dut(), am.dut());
        t.assertSame("argmax", am);
        var correct = t.garbage(1);
        t.ref.countCorrect(rows, cols, x.ref(), labels.ref(), correct.ref());
        t.dut.countCorrect(rows, cols, x.dut(), labels.dut(), correct.dut());
        t.assertSame("countCorrect", correct);
    }

    @Test
    void optimizerStepsMatchBitwise() {
        int n = 777;
        for (boolean nesterov : new boolean[] {false, true}) {
            var p = t.random(n, 1f);
            var g = t.random(n, 1f);
            var v = t.random(n, 0.1f);
            var u = t.garbage(n);
            t.ref.sgdStep(n, 0.01f, 0.9f, nesterov, 1e-4f, p.ref(), g.ref(), v.ref(), u.ref());
            t.dut.sgdStep(n, 0.01f, 0.9f, nesterov, 1e-4f, p.dut(), g.dut(), v.dut(), u.dut());
            t.assertSame("sgd param", p);
            t.assertSame("sgd velocity", v);
            t.assertSame("sgd update", u);
        }
        var p = t.random(n, 1f);
        var g = t.random(n, 1f);
        t.ref.sgdStep(n, 0.1f, 0f, false, 0f, p.ref(), g.ref(), null, null);
        t.dut.sgdStep(n, 0.1f, 0f, false, 0f, p.dut(), g.dut(), null, null);
        t.assertSame("plain sgd", p);
        for (boolean decoupled : new boolean[] {false, true}) {
            var m = t.zeros(n);
            var v = t.zeros(n);
            var u = t.garbage(n);
            for (long step = 1; step <= 3; step++) {
                t.ref.adamStep(n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, step, p.ref(), g.ref(), m.ref(), v.ref(), u.ref());
                t.dut.adamStep(n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, step, p.dut(), g.dut(), m.dut(), v.dut(), u.dut());
            }
            t.assertSame("adam param", p);
            t.assertSame("adam m", m);
            t.assertSame("adam v", v);
            t.assertSame("adam update", u);
        }
    }

    @Test
    void gemmMatchesForEveryTransposeThroughTheColumnMajorSwap() {
        int m = 5, n = 7, k = 3;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                var a = t.random(m * k, 1f);
                var b = t.random(k * n, 1f);
                var c = t.random(m * n, 1f);
                t.ref.gemm(ta, tb, m, n, k, 1.5f, a.ref(), b.ref(), 0.5f, c.ref());
                t.dut.gemm(ta, tb, m, n, k, 1.5f, a.dut(), b.dut(), 0.5f, c.dut());
                t.assertSame("gemm transA=" + ta + " transB=" + tb, c);
            }
        }
    }

    @Test
    void statsMatchIncludingNonFiniteAndHistogram() {
        int n = 70_000;  // several partial blocks
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) (t.rnd.nextGaussian() * 2 + 0.5);
        for (int i = 0; i < n; i += 97) d[i] = 0f;
        d[10] = Float.NaN;
        d[20] = Float.POSITIVE_INFINITY;
        d[30] = Float.NEGATIVE_INFINITY;
        var x = t.of(d);
        for (int bins : new int[] {0, 1, 30, 3000}) {
            var out = t.garbage(TensorStats.length(bins));
            t.ref.stats(n, bins, x.ref(), out.ref());
            t.dut.stats(n, bins, x.dut(), out.dut());
            t.assertClose("stats with " + bins + " bins", out, 1e-6);
            float[] r = Twin.read(t.ref, out.ref(), out.length()), c = Twin.read(t.dut, out.dut(), out.length());
            for (int i = TensorStats.MIN; i <= TensorStats.MAX; i++) assertEquals(r[i], c[i], "min/max exact");
            for (int b = 0; b < bins; b++) assertEquals(r[TensorStats.HEADER + b], c[TensorStats.HEADER + b], "bin " + b);
            assertEquals(3f, c[TensorStats.NON_FINITE]);
        }
        // constant tensor (middle bin) and all-NaN tensor (no finite elements)
        var constant = t.of(new float[] {4f, 4f, 4f, 4f, 4f});
        var out = t.garbage(TensorStats.length(8));
        t.ref.stats(5, 8, constant.ref(), out.ref());
        t.dut.stats(5, 8, constant.dut(), out.dut());
        t.assertSame("stats of a constant", out);
        var nans = t.of(new float[] {Float.NaN, Float.NaN});
        t.ref.stats(2, 8, nans.ref(), out.ref());
        t.dut.stats(2, 8, nans.dut(), out.dut());
        t.assertSame("stats of NaNs", out);
    }
}
