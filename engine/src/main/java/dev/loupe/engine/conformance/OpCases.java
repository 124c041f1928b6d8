package dev.loupe.engine.conformance;

import dev.loupe.engine.Activation;
import dev.loupe.engine.ConvShape;
import dev.loupe.engine.PoolShape;
import dev.loupe.engine.StatSegments;
import dev.loupe.engine.TensorStats;
import dev.loupe.engine.conformance.Harness.T;

/**
 * The cases of the conformance suite, one method per group of ops. Sizes include small odd shapes
 * (edge handling) and a few hundred thousand elements (where a backend may split work across threads).
 */
final class OpCases {
    private OpCases() {}

    static final int BIG = 300_001;

    static void all(Harness h) {
        memory(h);
        gemm(h);
        vector(h);
        activations(h);
        dropout(h);
        convolution(h);
        pooling(h);
        losses(h);
        optimizers(h);
        stats(h);
        stepsWithStats(h);
    }

    static void memory(Harness h) {
        float[] src = h.uniform(200, -1, 1);
        T x = h.out(150);
        h.check("upload", "offsets 7→13 len 50", b -> b.upload(src, 7, x.on(b), 13, 50), x);
        T y = h.out(150);
        h.check("upload", "into slice 20+100 at 30", b -> b.upload(src, 0, y.slice(20, 100).on(b), 30, 60), y);
        T z = h.rand(300);
        h.checkHost("download", "offsets 11→5 len 80", b -> {
            float[] out = new float[100];
            b.download(z.on(b), 11, out, 5, 80);
            return out;
        });
        h.checkHost("download", "from slice of slice", b -> {
            float[] out = new float[40];
            b.download(z.slice(50, 200).slice(10, 100).on(b), 3, out, 0, 40);
            return out;
        });
        T s = h.rand(1000), d = h.out(1000);
        h.check("copy", "n 1000", b -> b.copy(1000, s.on(b), d.on(b)), d);
        T d2 = h.out(1000);
        h.check("copy", "slices 100+500 → 333+500", b -> b.copy(500, s.slice(100, 500).on(b), d2.slice(333, 500).on(b)), d2);
        T sb = h.rand(BIG), db = h.out(BIG);
        h.check("copy", "n " + BIG, b -> b.copy(BIG, sb.on(b), db.on(b)), db);
        T f = h.out(1000);
        h.check("fill", "slice 17+900 with 2.5", b -> b.fill(900, 2.5f, f.slice(17, 900).on(b)), f);
        T fb = h.out(BIG);
        h.check("fill", "n " + BIG + " with 0", b -> b.fill(BIG, 0f, fb.on(b)), fb);
        T z0 = h.out(10);
        h.check("fill", "n 0", b -> b.fill(0, 1f, z0.on(b)), z0);
    }

    static void gemm(Harness h) {
        // the larger shapes are where a backend may split C by rows or columns, or split k (64×64×520).
        // k stays ≤ ~500: fp32 accumulation over k terms drifts ~√k·ε from the reference's double sums,
        // and at k ≈ 700 an fp32 BLAS already reaches 1.4e-5 on these inputs
        int[][] sizes = {{1, 1, 1}, {7, 5, 0}, {37, 23, 65}, {5, 300, 7}, {128, 96, 200}, {256, 64, 288}, {64, 300, 150},
            {64, 64, 520}};
        for (int[] sz : sizes) {
            int m = sz[0], n = sz[1], k = sz[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                String tr = (ta ? "T" : "N") + (tb ? "T" : "N");
                T a = h.rand((long) m * k), bb = h.rand((long) k * n), c = h.out((long) m * n);
                h.check("gemm", tr + " " + m + "x" + n + "x" + k,
                        b -> b.gemm(ta, tb, m, n, k, 1f, a.on(b), bb.on(b), 0f, c.on(b)), c);
                T c2 = h.out((long) m * n);
                h.check("gemm", tr + " " + m + "x" + n + "x" + k + " alpha 0.7 beta 0.5",
                        b -> b.gemm(ta, tb, m, n, k, 0.7f, a.on(b), bb.on(b), 0.5f, c2.on(b)), c2);
            }
        }
        // operands at offsets inside larger buffers; elements outside C's window must stay untouched
        int m = 19, n = 33, k = 41;
        T a = h.rand(m * k + 9), bb = h.rand(k * n + 4), c = h.out(m * n + 20);
        h.check("gemm", "NN slices at offsets 9/4/11", b -> b.gemm(false, false, m, n, k, 1f,
                a.slice(9, m * k).on(b), bb.slice(4, k * n).on(b), 1f, c.slice(11, m * n).on(b)), c);
        T c2 = h.out(m * n + 20);
        h.check("gemm", "TN slices at offsets 9/4/11", b -> b.gemm(true, false, m, n, k, 1f,
                a.slice(9, m * k).on(b), bb.slice(4, k * n).on(b), 0f, c2.slice(11, m * n).on(b)), c2);
    }

    static void vector(Harness h) {
        for (int n : new int[] {1, 1000, BIG}) {
            T x = h.rand(n), y = h.rand(n), o = h.out(n);
            h.check("axpy", "n " + n, b -> b.axpy(n, -0.37f, x.on(b), y.on(b)), y);
            T s = h.rand(n);
            h.check("scale", "n " + n, b -> b.scale(n, 1.7f, s.on(b)), s);
            h.check("mul", "n " + n, b -> b.mul(n, x.on(b), y.on(b), o.on(b)), o);
            T d2 = h.rand(n), c3 = h.out(n), c2 = h.out(n);
            h.check("combine", "3 terms n " + n, b -> b.combine(n, x.on(b), 0.37f, y.on(b), -1.3f, d2.on(b), c3.on(b)), c3);
            h.check("combine", "2 terms n " + n, b -> b.combine(n, x.on(b), -2.5f, y.on(b), 0f, null, c2.on(b)), c2);
        }
        T x = h.rand(777), y = h.rand(777);
        h.check("mul", "out aliases a", b -> b.mul(777, x.on(b), y.on(b), x.on(b)), x);
        T x2 = h.rand(777), y2 = h.rand(777);
        h.check("mul", "out aliases b", b -> b.mul(777, x2.on(b), y2.on(b), y2.on(b)), y2);
        T big = h.rand(2000), y3 = h.rand(2000);
        h.check("axpy", "slices", b -> b.axpy(500, 2f, big.slice(100, 500).on(b), y3.slice(1000, 500).on(b)), y3);
        int[][] shapes = {{1, 1}, {33, 17}, {256, 512}, {2000, 150}};
        for (int[] sh : shapes) {
            int rows = sh[0], cols = sh[1];
            T m = h.rand((long) rows * cols), bias = h.rand(cols), sum = h.out(cols);
            h.check("addBias", rows + "x" + cols, b -> b.addBias(rows, cols, m.on(b), bias.on(b)), m);
            h.check("sumRows", rows + "x" + cols, b -> b.sumRows(rows, cols, m.on(b), sum.on(b)), sum);
        }
    }

    static void activations(Harness h) {
        for (Activation f : Activation.values()) {
            for (int n : new int[] {5003, BIG}) {
                float[] host = h.uniform(n, -4, 4);
                for (int i = 0; i < n; i += 7) host[i] = 0f; // the kink of ReLU-like functions
                T x = h.host(host), y = h.out(n), dy = h.rand(n), dx = h.out(n);
                float alpha = f == Activation.LEAKY_RELU ? 0.1f : 0f;
                h.check("activation", f + " n " + n, b -> b.activation(f, alpha, n, x.on(b), y.on(b)), y);
                h.check("activationBackward", f + " n " + n, b -> {
                    b.activation(f, alpha, n, x.on(b), y.on(b));
                    b.activationBackward(f, alpha, n, x.on(b), y.on(b), dy.on(b), dx.on(b));
                }, dx);
            }
        }
        for (Activation f : new Activation[] {Activation.RELU, Activation.LEAKY_RELU, Activation.TANH}) {
            for (int n : new int[] {5003, BIG}) {
                float[] host = h.uniform(n, -4, 4), grad = h.uniform(n, -1, 1);
                for (int i = 0; i < n; i += 7) host[i] = 0f;
                for (int i = 3; i < n; i += 11) grad[i] = 0f;
                if (n == BIG) { // non-finite elements: the chunks holding them are recounted
                    host[17] = Float.NaN;
                    host[200_000] = Float.POSITIVE_INFINITY;
                    grad[5] = Float.NEGATIVE_INFINITY;
                    grad[123_457] = Float.NaN;
                }
                T x = h.host(host), y = h.out(n), dy = h.host(grad), dx = h.out(n);
                T sx = h.out(TensorStats.HEADER), sy = h.out(TensorStats.HEADER), sdy = h.out(TensorStats.HEADER),
                        sdx = h.out(TensorStats.HEADER);
                float alpha = f == Activation.LEAKY_RELU ? 0.1f : 0f;
                h.check("activationWithStats", f + " n " + n, b -> b.activationWithStats(f, alpha, n, x.on(b), y.on(b), sx.on(b),
                        sy.on(b)), y, sx, sy);
                h.check("activationBackwardWithStats", f + " n " + n, b -> {
                    b.activation(f, alpha, n, x.on(b), y.on(b));
                    b.activationBackwardWithStats(f, alpha, n, x.on(b), y.on(b), dy.on(b), dx.on(b), sdy.on(b), sdx.on(b));
                }, dx, sdy, sdx);
            }
        }
        T x = h.rand(1000), y = h.out(1000);
        h.check("activation", "RELU in place", b -> b.activation(Activation.RELU, 0, 1000, x.on(b), x.on(b)), x);
        h.check("activation", "TANH on slices", b -> b.activation(Activation.TANH, 0, 300, x.slice(100, 300).on(b),
                y.slice(500, 300).on(b)), y);
    }

    static void dropout(Harness h) {
        float[] ps = {0f, 0.3f, 0.9f};
        for (float p : ps) {
            for (int n : new int[] {10_001, BIG}) {
                T x = h.rand(n), y = h.out(n), mask = h.out(n);
                h.check("dropout", "p " + p + " n " + n, b -> b.dropout(n, p, 42, 17, x.on(b), y.on(b), mask.on(b)), y, mask);
            }
        }
    }

    static void convolution(Harness h) {
        ConvShape[] shapes = {
            new ConvShape(7, 6, 3, 3, 3, 1, 0), new ConvShape(8, 8, 2, 3, 3, 2, 1), new ConvShape(5, 5, 4, 2, 2, 2, 0),
            new ConvShape(6, 7, 5, 1, 1, 1, 0), new ConvShape(9, 9, 3, 5, 3, 2, 2), new ConvShape(28, 28, 1, 3, 3, 1, 0),
            new ConvShape(13, 13, 32, 3, 3, 1, 0), new ConvShape(4, 4, 8, 3, 3, 1, 1)};
        for (ConvShape s : shapes) {
            int batch = s.h() * s.w() * s.c() > 2000 ? 2 : 3;
            String name = s.h() + "x" + s.w() + "x" + s.c() + " k" + s.kh() + "x" + s.kw() + " s" + s.stride()
                    + " p" + s.pad() + " batch " + batch;
            long in = (long) batch * s.h() * s.w() * s.c();
            long cols = (long) batch * s.outH() * s.outW() * s.patch();
            T x = h.rand(in), c = h.out(cols), dc = h.rand(cols), dx = h.out(in);
            h.check("im2col", name, b -> b.im2col(s, batch, x.on(b), c.on(b)), c);
            h.check("col2im", name, b -> b.col2im(s, batch, dc.on(b), dx.on(b)), dx);
        }
    }

    static void pooling(Harness h) {
        PoolShape[] shapes = {
            new PoolShape(8, 8, 3, 2, 2, 2, 0), new PoolShape(7, 7, 2, 3, 3, 2, 1), new PoolShape(9, 9, 4, 3, 3, 3, 0),
            new PoolShape(6, 5, 2, 2, 2, 1, 1), new PoolShape(5, 5, 3, 5, 5, 1, 0), new PoolShape(26, 26, 32, 2, 2, 2, 0),
            new PoolShape(11, 11, 64, 2, 2, 2, 0)};
        for (PoolShape s : shapes) {
            int batch = 3;
            String name = s.h() + "x" + s.w() + "x" + s.c() + " k" + s.kh() + "x" + s.kw() + " s" + s.stride()
                    + " p" + s.pad();
            long in = (long) batch * s.h() * s.w() * s.c(), out = (long) batch * s.outH() * s.outW() * s.c();
            for (boolean ties : new boolean[] {false, true}) {
                float[] host = h.uniform(in, -1, 1);
                // ReLU outputs: many exact zeros, so ties decide the argmax; −0 ties +0; a NaN wins only
                // where it comes first in its window
                if (ties) for (int i = 0; i < host.length; i++) host[i] = Math.max(0, host[i]);
                if (ties) for (int i = 0; i < host.length; i += 13) host[i] = i % 2 == 0 ? -0f : Float.NaN;
                T x = h.host(host), y = h.out(out), arg = h.out(out), dy = h.rand(out), dx = h.out(in);
                String nm = name + (ties ? " relu-ties" : "");
                h.check("maxPool", nm, b -> b.maxPool(s, batch, x.on(b), y.on(b), arg.on(b)), y, arg);
                h.check("maxPoolBackward", nm, b -> {
                    b.maxPool(s, batch, x.on(b), y.on(b), arg.on(b));
                    b.maxPoolBackward(s, batch, dy.on(b), arg.on(b), dx.on(b));
                }, dx);
                if (ties) continue;
                h.check("avgPool", nm, b -> b.avgPool(s, batch, x.on(b), y.on(b)), y);
                h.check("avgPoolBackward", nm, b -> b.avgPoolBackward(s, batch, dy.on(b), dx.on(b)), dx);
            }
        }
    }

    static void losses(Harness h) {
        int[][] shapes = {{1, 1}, {64, 10}, {256, 10}, {7, 1000}};
        for (int[] sh : shapes) {
            int rows = sh[0], cols = sh[1];
            for (float scale : new float[] {1f, 40f}) {
                String nm = rows + "x" + cols + (scale > 1 ? " large logits" : "");
                T logits = h.host(h.uniform((long) rows * cols, -scale, scale)), labels = h.host(h.labels(rows, cols));
                T d = h.out((long) rows * cols), loss = h.out(1);
                h.check("softmaxCrossEntropy", nm + " with dlogits",
                        b -> b.softmaxCrossEntropy(rows, cols, logits.on(b), labels.on(b), d.on(b), loss.on(b)), d, loss);
                T loss2 = h.out(1);
                h.check("softmaxCrossEntropy", nm + " loss only",
                        b -> b.softmaxCrossEntropy(rows, cols, logits.on(b), labels.on(b), null, loss2.on(b)), loss2);
            }
            T p = h.rand((long) rows * cols), t = h.rand((long) rows * cols), dp = h.out((long) rows * cols), l = h.out(1);
            h.check("mse", rows + "x" + cols + " with dpred", b -> b.mse(rows, cols, p.on(b), t.on(b), dp.on(b), l.on(b)), dp, l);
            T l2 = h.out(1);
            h.check("mse", rows + "x" + cols + " loss only", b -> b.mse(rows, cols, p.on(b), t.on(b), null, l2.on(b)), l2);
            for (boolean ties : new boolean[] {false, true}) {
                float[] host = h.uniform((long) rows * cols, -3, 3);
                if (ties) for (int i = 0; i < host.length; i++) host[i] = Math.round(host[i] / 2);
                String nm = rows + "x" + cols + (ties ? " ties" : "");
                T x = h.host(host), am = h.out(rows), lab = h.host(h.labels(rows, cols)), cnt = h.out(1);
                h.check("argmax", nm, b -> b.argmax(rows, cols, x.on(b), am.on(b)), am);
                h.check("countCorrect", nm, b -> b.countCorrect(rows, cols, x.on(b), lab.on(b), cnt.on(b)), cnt);
            }
        }
    }

    static void optimizers(Harness h) {
        Object[][] sgd = {{0f, false, 0f}, {0.9f, false, 0f}, {0.9f, true, 1e-2f}, {0f, false, 5e-4f}, {0.5f, false, 1e-3f}};
        for (int n : new int[] {1001, BIG}) {
            for (Object[] cfg : sgd) {
                float mom = (float) cfg[0], wd = (float) cfg[2];
                boolean nest = (boolean) cfg[1];
                for (boolean withUpdate : new boolean[] {true, false}) {
                    T p = h.rand(n), v = h.rand(n), u = h.out(n);
                    T[] grads = {h.rand(n), h.rand(n), h.rand(n)};
                    String nm = "n " + n + " momentum " + mom + (nest ? " nesterov" : "") + " wd " + wd
                            + (withUpdate ? "" : " no update") + ", 3 steps";
                    h.check("sgdStep", nm, b -> {
                        for (T g : grads) {
                            b.sgdStep(n, 0.05f, mom, nest, wd, p.on(b), g.on(b), mom == 0 ? null : v.on(b),
                                    withUpdate ? u.on(b) : null);
                        }
                    }, withUpdate ? new T[] {p, v, u} : new T[] {p, v});
                }
            }
            for (boolean decoupled : new boolean[] {false, true}) {
                for (float wd : new float[] {0f, 0.01f}) {
                    for (boolean withUpdate : new boolean[] {true, false}) {
                        T p = h.rand(n), m = h.host(new float[n]), v = h.host(new float[n]), u = h.out(n);
                        T[] grads = {h.rand(n), h.rand(n), h.rand(n), h.rand(n)};
                        String nm = "n " + n + (decoupled ? " decoupled" : " L2") + " wd " + wd
                                + (withUpdate ? "" : " no update") + ", t 1..4";
                        h.check("adamStep", nm, b -> {
                            for (int t = 0; t < grads.length; t++) {
                                b.adamStep(n, 1e-3f, 0.9f, 0.999f, 1e-8f, wd, decoupled, t + 1, p.on(b), grads[t].on(b),
                                        m.on(b), v.on(b), withUpdate ? u.on(b) : null);
                            }
                        }, withUpdate ? new T[] {p, m, v, u} : new T[] {p, m, v});
                    }
                }
            }
        }
    }

    static void stats(Harness h) {
        for (int n : new int[] {1, 1000, BIG}) {
            for (int bins : new int[] {0, 16, 64}) {
                float[] host = h.uniform(n, -2, 3);
                for (int i = 0; i < n; i += 5) host[i] = 0f;
                statsCase(h, "n " + n + " bins " + bins, host, bins);
            }
        }
        float[] bad = h.uniform(5000, -1, 1);
        bad[3] = Float.NaN;
        bad[100] = Float.POSITIVE_INFINITY;
        bad[4999] = Float.NEGATIVE_INFINITY;
        bad[2500] = Float.NaN;
        statsCase(h, "NaN and ±Inf elements", bad, 20);
        float[] allBad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NaN};
        statsCase(h, "only non-finite", allBad, 8);
        float[] constant = new float[999];
        java.util.Arrays.fill(constant, 1.25f);
        statsCase(h, "constant", constant, 10);
        statsCase(h, "all zero", new float[4096], 10);
        float[] peaked = h.uniform(BIG, -1, 2); // ReLU-like: most elements in one bin (counters must not overflow)
        for (int i = 0; i < peaked.length; i++) if (i % 50 != 0) peaked[i] = 0.25f;
        statsCase(h, "n " + BIG + " 98% in one bin", peaked, 30);
        float[] huge = h.uniform(BIG, 1e3, 1e3 + 1);
        statsCase(h, "offset 1000 (variance cancellation)", huge, 32);
        // the histogram half, after the header was written by a stats op without bins
        for (float[] host : new float[][] {peaked, bad, h.uniform(1000, -1, 1)}) {
            for (int bins : new int[] {30, 64}) {
                T x = h.host(host), out = h.out(TensorStats.length(bins));
                h.check("histogram", "n " + host.length + " bins " + bins + " after stats", b -> {
                    b.stats(host.length, 0, x.on(b), out.slice(0, TensorStats.HEADER).on(b));
                    b.histogram(host.length, bins, x.on(b), out.on(b));
                }, out);
            }
        }
    }

    /**
     * The optimizer steps fused with the parameter statistics against the reference's composition
     * (the step, then {@code stats} of θ, gradient and Δθ per segment). Summary slots sit at
     * scattered offsets of a junk-filled buffer; segments tile the vector (the fused path) or leave
     * gaps (a backend must still be right, e.g. by composing).
     */
    static void stepsWithStats(Harness h) {
        int hd = TensorStats.HEADER;
        long[][] tilings = {{1}, {10, 2000, 200_000, BIG - 202_010}, {7, 65_536, 65_537, 3}};
        Object[][] sgd = {{0f, false, 0f}, {0.9f, false, 0f}, {0.9f, true, 1e-2f}, {0f, false, 5e-4f}};
        for (long[] lengths : tilings) {
            int n = (int) java.util.Arrays.stream(lengths).sum();
            StatSegments seg = segments(lengths, hd);
            for (Object[] cfg : sgd) {
                float mom = (float) cfg[0], wd = (float) cfg[2];
                boolean nest = (boolean) cfg[1];
                T p = h.rand(n), v = h.rand(n), u = h.out(n), out = h.out(seg.at()[seg.count() - 1] + 4L * hd);
                T[] grads = {h.rand(n), h.rand(n)};
                h.check("sgdStepWithStats", "segments " + java.util.Arrays.toString(lengths) + " momentum " + mom
                        + (nest ? " nesterov" : "") + " wd " + wd + ", 2 steps", b -> {
                            for (T g : grads) {
                                b.sgdStepWithStats(n, 0.05f, mom, nest, wd, p.on(b), g.on(b), mom == 0 ? null : v.on(b),
                                        u.on(b), seg, out.on(b));
                            }
                        }, p, v, u, out);
            }
        }
        int n = 70_000;
        StatSegments seg = segments(new long[] {3000, 67_000}, hd);
        float[] g = h.uniform(n, -1, 1);
        for (int i = 0; i < n; i += 7) g[i] = 0f; // zero fractions of the gradient and (momentum 0) of Δθ
        g[5] = Float.NaN;
        g[2000] = Float.POSITIVE_INFINITY;
        g[69_999] = Float.NEGATIVE_INFINITY;
        T p = h.rand(n), u = h.out(n), out = h.out(seg.at()[1] + 4L * hd), gr = h.host(g);
        h.check("sgdStepWithStats", "NaN, ±Inf and zero gradients", b -> b.sgdStepWithStats(n, 0.05f, 0f, false, 0, p.on(b),
                gr.on(b), null, u.on(b), seg, out.on(b)), p, u, out);
        T p1 = h.rand(n), u1 = h.out(n), out1 = h.out(seg.at()[1] + 4L * hd), g1 = h.host(finite(g));
        h.check("sgdStepWithStats", "zero gradients, all finite", b -> b.sgdStepWithStats(n, 0.05f, 0f, false, 0, p1.on(b),
                g1.on(b), null, u1.on(b), seg, out1.on(b)), p1, u1, out1);
        // slots with room for histogram bins between the three headers (the recorder's histogram steps)
        int wide = hd + 30;
        long[] wl = {10, 2000, 200_000};
        long[] woff = {0, 10, 2010}, wat = {3, 3 + 4L * wide, 3 + 8L * wide};
        StatSegments strided = new StatSegments(woff, wl, wat, wide);
        T pw = h.rand(202_010), vw = h.rand(202_010), uw = h.out(202_010), gw = h.rand(202_010), ow = h.out(3 + 12L * wide);
        h.check("sgdStepWithStats", "slots " + wide + " floats apart", b -> b.sgdStepWithStats(202_010, 0.05f, 0.9f, false, 0,
                pw.on(b), gw.on(b), vw.on(b), uw.on(b), strided, ow.on(b)), pw, vw, uw, ow);
        StatSegments gaps = new StatSegments(new long[] {100, 1000}, new long[] {500, 900}, new long[] {0, 5 * hd});
        T p2 = h.rand(2000), v2 = h.rand(2000), u2 = h.out(2000), g2 = h.rand(2000), out2 = h.out(9 * hd);
        h.check("sgdStepWithStats", "segments with gaps", b -> b.sgdStepWithStats(2000, 0.05f, 0.9f, false, 0, p2.on(b),
                g2.on(b), v2.on(b), u2.on(b), gaps, out2.on(b)), p2, v2, u2, out2);
        for (boolean decoupled : new boolean[] {false, true}) {
            StatSegments s3 = segments(new long[] {10, 2000, 200_000}, hd);
            int n3 = 202_010;
            T p3 = h.rand(n3), m3 = h.host(new float[n3]), v3 = h.host(new float[n3]), u3 = h.out(n3);
            T out3 = h.out(s3.at()[2] + 4L * hd);
            T[] grads = {h.rand(n3), h.rand(n3)};
            h.check("adamStepWithStats", (decoupled ? "decoupled" : "L2") + " wd 0.01, t 1..2", b -> {
                for (int t = 0; t < grads.length; t++) {
                    b.adamStepWithStats(n3, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, decoupled, t + 1, p3.on(b), grads[t].on(b),
                            m3.on(b), v3.on(b), u3.on(b), s3, out3.on(b));
                }
            }, p3, m3, v3, u3, out3);
        }
    }

    private static float[] finite(float[] x) {
        float[] y = x.clone();
        for (int i = 0; i < y.length; i++) if (!Float.isFinite(y[i])) y[i] = 0.5f;
        return y;
    }

    /** Segments of these lengths, back to back; their summaries 4 headers apart (one header of junk between). */
    private static StatSegments segments(long[] lengths, int hd) {
        long[] off = new long[lengths.length], at = new long[lengths.length];
        for (int i = 1; i < lengths.length; i++) off[i] = off[i - 1] + lengths[i - 1];
        for (int i = 0; i < lengths.length; i++) at[i] = 4L * hd * i + 3;
        return new StatSegments(off, lengths, at);
    }

    private static void statsCase(Harness h, String name, float[] host, int bins) {
        T x = h.host(host), out = h.out(TensorStats.length(bins));
        h.check("stats", name, b -> b.stats(host.length, bins, x.on(b), out.on(b)), out);
    }
}
