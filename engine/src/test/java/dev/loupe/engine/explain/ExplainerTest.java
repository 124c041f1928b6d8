package dev.loupe.engine.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.Activation;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Each attribution method against an independent computation on small networks (reference backend). */
class ExplainerTest {
    static final int[] SHAPE = {6, 6, 2};

    /** conv → tanh → maxpool → flatten → dense: smooth almost everywhere, so finite differences are meaningful. */
    static ModelSpec smoothCnn() {
        return new ModelSpec("tiny", SHAPE, List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.Act(Activation.TANH, 0),
                new LayerSpec.AvgPool2d(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dense(4)), ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
    }

    static Network net(ModelSpec spec, int batch) {
        return new Network(new ReferenceBackend(), spec, batch, 3);
    }

    static float[] inputs(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        return x;
    }

    /** The target logit of one input by a plain forward pass (batch 1), in double for the caller's differences. */
    static double logit(Network single, float[] x, int off, int target) {
        float[] row = new float[single.inputSize()];
        System.arraycopy(x, off, row, 0, row.length);
        single.setInput(row, 1);
        single.forward(1, false, 0);
        float[] out = new float[single.outputSize()];
        single.backend().download(single.output(), 0, out, 0, out.length);
        return out[target];
    }

    static Explainer explainer(Network n) {
        return new Explainer(new GradientRunner(n, null));
    }

    @Test
    void saliencyIsTheAbsoluteFiniteDifferenceGradientOfTheTargetLogit() {
        Network net = net(smoothCnn(), 4), single = net(smoothCnn(), 1);
        int n = 3, d = net.inputSize();
        float[] x = inputs(n, d, 1);
        int[] t = {0, 2, 3};
        Explanation sal = explainer(net).explain(ExplainMethod.SALIENCY, ExplainParams.DEFAULTS, x, n, t, null);
        Explanation gi = explainer(net).explain(ExplainMethod.GRAD_INPUT, ExplainParams.DEFAULTS, x, n, t, null);
        double eps = 1e-2, worst = 0, scale = 0;
        for (int i = 0; i < n; i++) {
            for (int e = 0; e < d; e++) {
                float[] xp = x.clone(), xm = x.clone();
                xp[i * d + e] += (float) eps;
                xm[i * d + e] -= (float) eps;
                double fd = (logit(single, xp, i * d, t[i]) - logit(single, xm, i * d, t[i])) / (2 * eps);
                worst = Math.max(worst, Math.abs(Math.abs(fd) - sal.values()[i * d + e]));
                worst = Math.max(worst, Math.abs(fd * x[i * d + e] - gi.values()[i * d + e]));
                scale = Math.max(scale, Math.abs(fd));
            }
        }
        assertTrue(scale > 1e-2, "gradients should not vanish: " + scale);
        assertTrue(worst < 2e-3 * Math.max(1, scale), "max |saliency - finite difference| = " + worst + " (scale " + scale + ")");
    }

    @Test
    void integratedGradientsAreCompleteWithinTheReportedDeltaWhichShrinksWithSteps() {
        Network net = net(smoothCnn(), 16), single = net(smoothCnn(), 1);
        int n = 3, d = net.inputSize();
        float[] x = inputs(n, d, 2);
        float[] base = Baselines.of("blur", x, n, SHAPE, null);
        int[] t = {1, 1, 3};
        for (ExplainParams.IgRule rule : ExplainParams.IgRule.values()) {
            double[] previous = null;
            for (int steps : new int[] {4, 16, 64}) {
                Explanation e = explainer(net).explain(ExplainMethod.IG, ExplainParams.DEFAULTS.withSteps(steps).withRule(rule), x, n, t, base);
                double[] delta = new double[n];
                for (int i = 0; i < n; i++) {
                    double sum = 0;
                    for (int k = 0; k < d; k++) sum += e.values()[i * d + k];
                    double diff = logit(single, x, i * d, t[i]) - logit(single, base, i * d, t[i]);
                    delta[i] = sum - diff;
                    assertEquals(delta[i], e.delta()[i], 1e-4, rule + " steps " + steps + ": reported delta vs recomputed");
                    if (steps == 64) assertTrue(Math.abs(delta[i]) < 1e-3 * Math.max(1, Math.abs(diff)), rule + ": |delta| = " + delta[i]);
                }
                if (previous != null) {
                    double before = 0, now = 0;
                    for (int i = 0; i < n; i++) {
                        before += Math.abs(previous[i]);
                        now += Math.abs(delta[i]);
                    }
                    assertTrue(now < before || now < 1e-5, rule + ": delta must shrink with steps: " + before + " -> " + now);
                }
                previous = delta;
            }
        }
    }

    @Test
    void gradCamMatchesAHandComputationOnConvGlobalPoolDense() {
        int[] shape = {5, 5, 2};
        ModelSpec spec = new ModelSpec("cam", shape, List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.Act(Activation.RELU, 0),
                new LayerSpec.GlobalAvgPool(), new LayerSpec.Dense(4)), ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
        Network net = net(spec, 2);
        float[] p = net.getParams();
        int n = 2, d = 50;
        float[] x = inputs(n, d, 5);
        for (int i = 0; i < x.length; i++) x[i] -= 0.3f; // some negative pre-activations, so the ReLU matters
        int[] t = {2, 0};
        float[][] maps = new float[2][];
        for (boolean pp : new boolean[] {false, true}) {
            Explanation e = explainer(net).explain(pp ? ExplainMethod.GRADCAM_PP : ExplainMethod.GRADCAM, ExplainParams.DEFAULTS, x, n, t, null);
            assertEquals("relu1", e.params().get("layer"));
            maps[pp ? 1 : 0] = e.values();
        }
        // parameter layout: conv W[kh][kw][c][f] (54), conv b (3), dense W[3][4] (12), dense b (4)
        for (int i = 0; i < n; i++) {
            double[][] a = new double[25][3];
            for (int y = 0; y < 5; y++) for (int xx = 0; xx < 5; xx++) for (int f = 0; f < 3; f++) {
                double s = p[54 + f];
                for (int ky = 0; ky < 3; ky++) for (int kx = 0; kx < 3; kx++) for (int c = 0; c < 2; c++) {
                    int yy = y + ky - 1, xq = xx + kx - 1;
                    if (yy < 0 || yy >= 5 || xq < 0 || xq >= 5) continue;
                    s += p[((ky * 3 + kx) * 2 + c) * 3 + f] * x[i * d + (yy * 5 + xq) * 2 + c];
                }
                a[y * 5 + xx][f] = Math.max(0, s);
            }
            // logit_t = Σ_f mean(A_f) W[f][t] + b_t, so ∂logit/∂A_f(p) = W[f][t] / 25 at every pixel
            double[] g = new double[3], camW = new double[3], ppW = new double[3];
            for (int f = 0; f < 3; f++) {
                g[f] = p[57 + f * 4 + t[i]] / 25.0;
                camW[f] = g[f];
                double sumA = 0;
                for (int q = 0; q < 25; q++) sumA += a[q][f];
                double alpha = g[f] == 0 ? 0 : g[f] * g[f] / (2 * g[f] * g[f] + sumA * g[f] * g[f] * g[f]);
                ppW[f] = 25 * alpha * Math.max(0, g[f]);
            }
            for (int q = 0; q < 25; q++) {
                double cam = 0, camPP = 0;
                for (int f = 0; f < 3; f++) {
                    cam += camW[f] * a[q][f];
                    camPP += ppW[f] * a[q][f];
                }
                for (int c = 0; c < 2; c++) {
                    assertEquals(Math.max(0, cam), maps[0][i * d + q * 2 + c], 1e-5, "Grad-CAM pixel " + q);
                    assertEquals(Math.max(0, camPP), maps[1][i * d + q * 2 + c], 1e-5, "Grad-CAM++ pixel " + q);
                }
            }
        }
    }

    @Test
    void bilinearUpsamplingMatchesHalfPixelCentres() {
        float[] out = new float[16];
        GradCam.upsample(new float[] {1, 2, 3, 4}, 2, 2, GradCam.resizeGeometry(2, 2, new int[] {4, 4, 1}), new int[] {4, 4, 1}, out, 0);
        // torch.nn.functional.interpolate(size=4, mode="bilinear", align_corners=False) of [[1, 2], [3, 4]]
        assertArrayEquals(new float[] {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4},
                out, 1e-6f);
    }

    @Test
    void receptiveFieldCentresFollowKernelsStridesAndPadding() {
        // the cnn: conv 3x3 → relu → maxpool 2 → conv 3x3 → relu: relu2 pixel i is centred at input 2i + 3.5
        Network cnn = new Network(new ReferenceBackend(), dev.loupe.engine.nn.Models.cnn(new int[] {28, 28, 1}, 4), 1, 0);
        assertArrayEquals(new double[] {3.5, 2, 3.5, 2}, GradCam.receptiveField(cnn, cnn.layer("relu2")), 1e-12);
        assertArrayEquals(new double[] {1, 1, 1, 1}, GradCam.receptiveField(cnn, cnn.layer("conv2d1")), 1e-12);
        // padding 1 keeps a 3x3 convolution centred: the map is used as is
        Network padded = net(smoothCnn(), 1);
        assertArrayEquals(new double[] {0, 1, 0, 1}, GradCam.receptiveField(padded, padded.layer("tanh1")), 1e-12);
        // aligned upsampling of a one-hot 11x11 map peaks at the input pixel under that cell's centre
        float[] cam = new float[121];
        cam[2 * 11 + 10] = 1; // row 2, column 10 → input row 2·2 + 3.5 = 7.5, column 23.5
        float[] out = new float[784];
        GradCam.upsample(cam, 11, 11, GradCam.receptiveField(cnn, cnn.layer("relu2")), new int[] {28, 28, 1}, out, 0);
        // u = (y − 3.5) / 2: pixels 7 and 8 read row 2 with weight 0.75, pixel 24 reads column 10 exactly
        assertEquals(0.5625f, out[7 * 28 + 23], 1e-6f);
        assertEquals(0.75f, out[8 * 28 + 24], 1e-6f);
        assertEquals(7 * 28 + 24, firstMax(out), "peak under the cell's receptive field (rows 7 and 8 tie)");
        float[] resized = new float[784];
        GradCam.upsample(cam, 11, 11, GradCam.resizeGeometry(11, 11, new int[] {28, 28, 1}), new int[] {28, 28, 1}, resized, 0);
        assertTrue(firstMax(resized) % 28 >= 26, "a plain resize stretches the last column to the image edge: " + firstMax(resized) % 28);
    }

    private static int firstMax(float[] a) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
        return best;
    }

    @Test
    void occlusionMatchesDirectReevaluation() {
        Network net = net(smoothCnn(), 5), single = net(smoothCnn(), 1);
        int n = 2, d = net.inputSize(), w = 3, s = 2;
        float[] x = inputs(n, d, 7);
        int[] t = {3, 1};
        Explanation e = explainer(net).explain(ExplainMethod.OCCLUSION, ExplainParams.DEFAULTS.withWindow(w, s), x, n, t, null);
        for (int i = 0; i < n; i++) {
            double f = logit(single, x, i * d, t[i]);
            double[] sum = new double[36];
            int[] count = new int[36];
            for (int y0 = 0; y0 + w <= 6; y0 += s) for (int x0 = 0; x0 + w <= 6; x0 += s) {
                float[] occ = x.clone();
                for (int y = y0; y < y0 + w; y++) for (int xx = x0; xx < x0 + w; xx++) for (int c = 0; c < 2; c++) occ[i * d + (y * 6 + xx) * 2 + c] = 0;
                double drop = f - logit(single, occ, i * d, t[i]);
                for (int y = y0; y < y0 + w; y++) for (int xx = x0; xx < x0 + w; xx++) {
                    sum[y * 6 + xx] += drop;
                    count[y * 6 + xx]++;
                }
            }
            for (int q = 0; q < 36; q++) {
                double want = count[q] == 0 ? 0 : sum[q] / count[q];
                for (int c = 0; c < 2; c++) assertEquals(want, e.values()[i * d + q * 2 + c], 1e-5, "pixel " + q);
            }
        }
    }

    @Test
    void resultsAgreeWhateverTheInternalBatch() {
        Network a = net(smoothCnn(), 1), b = net(smoothCnn(), 7), c = net(smoothCnn(), 64);
        int n = 3, d = a.inputSize();
        float[] x = inputs(n, d, 9);
        int[] t = {0, 1, 2};
        ExplainParams p = ExplainParams.DEFAULTS.withSteps(10).withNoise(0.2f, 6).withWindow(2, 1);
        for (ExplainMethod m : ExplainMethod.values()) {
            float[] ra = explainer(a).explain(m, p, x, n, t, null).values();
            float[] rb = explainer(b).explain(m, p, x, n, t, null).values();
            float[] rc = explainer(c).explain(m, p, x, n, t, null).values();
            assertArrayEquals(ra, rb, 1e-5f, m + ": batch 1 vs 7");
            assertArrayEquals(ra, rc, 1e-5f, m + ": batch 1 vs 64");
        }
    }

    @Test
    void smoothGradWithoutNoiseIsTheGradientAndVarGradIsZero() {
        Network net = net(smoothCnn(), 8);
        int n = 2, d = net.inputSize();
        float[] x = inputs(n, d, 11);
        int[] t = {1, 2};
        ExplainParams p = ExplainParams.DEFAULTS.withNoise(0f, 3);
        float[] g = explainer(net).gradients(x, n, t);
        assertArrayEquals(g, explainer(net).explain(ExplainMethod.SMOOTHGRAD, p, x, n, t, null).values(), 1e-6f);
        for (float v : explainer(net).explain(ExplainMethod.VARGRAD, p, x, n, t, null).values()) assertEquals(0f, v, 1e-9f);
        float[] noisy = explainer(net).explain(ExplainMethod.VARGRAD, p.withNoise(0.3f, 8), x, n, t, null).values();
        double total = 0;
        for (float v : noisy) total += v;
        assertTrue(total > 0, "VarGrad with noise must be positive somewhere");
    }

    /**
     * VarGrad (Adebayo et al. 2018; Captum's NoiseTunnel "vargrad") is the population variance over
     * the noisy copies of the signed gradient, per input element, and SmoothGrad their mean: both
     * recomputed here from plain gradients of the same noisy copies (same seeded streams). A ReLU /
     * max-pool network makes gradients flip sign under noise, so Var[g] and Var[|g|] differ and the
     * test tells them apart.
     */
    @Test
    void varGradIsThePopulationVarianceOfTheSignedNoisyGradients() {
        ModelSpec relu = new ModelSpec("relu", SHAPE, List.of(new LayerSpec.Conv2d(4, 3, 1, 1),
                new LayerSpec.Act(Activation.RELU, 0), new LayerSpec.MaxPool2d(2, 2), new LayerSpec.Flatten(),
                new LayerSpec.Dense(5), new LayerSpec.Act(Activation.RELU, 0), new LayerSpec.Dense(3)),
                ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
        Network net = net(relu, 16);
        int n = 2, d = net.inputSize(), nt = 12;
        float[] x = inputs(n, d, 5);
        int[] t = {0, 2};
        ExplainParams p = ExplainParams.DEFAULTS.withNoise(0.3f, nt);
        float[] noisy = new float[n * nt * d];
        int[] tt = new int[n * nt];
        for (int i = 0; i < n; i++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int e = 0; e < d; e++) {
                lo = Math.min(lo, x[i * d + e]);
                hi = Math.max(hi, x[i * d + e]);
            }
            float sigma = 0.3f * (hi - lo);
            for (int j = 0; j < nt; j++) {
                int r = i * nt + j;
                SplittableRandom rng = new SplittableRandom(p.seed() * 0x9E3779B97F4A7C15L + r);
                for (int e = 0; e < d; e++) noisy[r * d + e] = x[i * d + e] + (float) (sigma * rng.nextGaussian());
                tt[r] = t[i];
            }
        }
        float[] g = explainer(net).gradients(noisy, n * nt, tt);
        float[] varGrad = explainer(net).explain(ExplainMethod.VARGRAD, p, x, n, t, null).values();
        float[] smooth = explainer(net).explain(ExplainMethod.SMOOTHGRAD, p, x, n, t, null).values();
        double signVsAbs = 0;
        for (int i = 0; i < n; i++) {
            for (int e = 0; e < d; e++) {
                double mean = 0, meanAbs = 0;
                for (int j = 0; j < nt; j++) {
                    mean += g[(i * nt + j) * d + e] / (double) nt;
                    meanAbs += Math.abs(g[(i * nt + j) * d + e]) / (double) nt;
                }
                double var = 0, varAbs = 0;
                for (int j = 0; j < nt; j++) {
                    double v = g[(i * nt + j) * d + e];
                    var += (v - mean) * (v - mean) / nt;
                    varAbs += (Math.abs(v) - meanAbs) * (Math.abs(v) - meanAbs) / nt;
                }
                assertEquals(mean, smooth[i * d + e], 1e-5 * (1 + Math.abs(mean)), "SmoothGrad at " + i + "," + e);
                assertEquals(var, varGrad[i * d + e], 1e-5 * (1 + var), "VarGrad at " + i + "," + e);
                signVsAbs = Math.max(signVsAbs, var - varAbs);
            }
        }
        assertTrue(signVsAbs > 1e-3, "the network's gradients never change sign under noise: the test cannot tell Var[g] from Var[|g|]");
    }

    @Test
    void explainingSkipsParameterGradientsButLeavesTrainingIntact() {
        Network net = net(smoothCnn(), 4);
        float[] x = inputs(2, net.inputSize(), 12);
        net.setInput(x, 2);
        net.setTarget(new float[] {1, 2}, 2);
        net.computeGradients(2, 0);
        float[] before = net.getGrads();
        explainer(net).explain(ExplainMethod.IG, ExplainParams.DEFAULTS.withSteps(4), x, 2, new int[] {0, 3}, null);
        assertArrayEquals(before, net.getGrads(), "an explanation does not overwrite parameter gradients");
        net.setInput(x, 2);
        net.computeGradients(2, 0);
        assertArrayEquals(before, net.getGrads(), 1e-7f, "backward computes parameter gradients again afterwards");
    }

    @Test
    void internalBatchIsBoundedByTheWorkTheCapAndTheOverride() {
        Network probe = net(smoothCnn(), 1);
        assertEquals(7, InternalBatch.choose(probe, 7, null), "never more rows than the work needs");
        int big = InternalBatch.choose(probe, 1_000_000, null);
        assertTrue(big >= 1 && big <= InternalBatch.MAX, "within [1, MAX]: " + big);
        assertEquals(3, InternalBatch.choose(probe, 1_000_000, 3));
        assertThrows(BadInputException.class, () -> InternalBatch.choose(probe, 10, 0));
        // conv 6x6x2 → 6x6x3 (cols 6·6·18), tanh, avgpool → 3x3x3, flatten (free), dense 4; plus input and its gradient
        assertEquals(2 * 72 + (2 * 108 + 648) + 2 * 108 + 2 * 27 + 2 * 4, InternalBatch.floatsPerRow(probe));
    }

    @Test
    void quadratureRulesIntegratePolynomials() {
        Quadrature gl = Quadrature.gaussLegendre(5);
        double s = 0;
        for (int j = 0; j < 5; j++) s += gl.weights()[j] * Math.pow(gl.alphas()[j], 9);
        assertEquals(0.1, s, 1e-12, "5-point Gauss-Legendre is exact for degree 9: ∫ a^9 = 1/10");
        Quadrature tr = Quadrature.trapezoid(11);
        double lin = 0, one = 0;
        for (int j = 0; j < 11; j++) {
            lin += tr.weights()[j] * tr.alphas()[j];
            one += tr.weights()[j];
        }
        assertEquals(1.0, one, 1e-12);
        assertEquals(0.5, lin, 1e-12);
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        Network net = net(smoothCnn(), 2);
        float[] x = inputs(1, net.inputSize(), 1);
        Explainer ex = explainer(net);
        BadInputException e = assertThrows(BadInputException.class, () -> ex.explain(ExplainMethod.SALIENCY, ExplainParams.DEFAULTS, x, 1, new int[] {4}, null));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ex.explain(ExplainMethod.GRADCAM, ExplainParams.DEFAULTS.withLayer("dense1"), x, 1, new int[] {0}, null));
        assertTrue(e.getMessage().contains("spatial output"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ex.explain(ExplainMethod.GRADCAM, ExplainParams.DEFAULTS.withLayer("conv9"), x, 1, new int[] {0}, null));
        assertTrue(e.getMessage().contains("no layer named"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ExplainMethod.parse("lime"));
        assertTrue(e.getMessage().contains("unknown explanation method 'lime'"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> ex.explain(ExplainMethod.SALIENCY, ExplainParams.DEFAULTS, new float[5], 1, new int[] {0}, null));
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void localizationCountsThePeakAndTheMassInside() {
        // two 2x2 single-channel samples; the region is the top-left pixel
        float[] masks = {1, 0, 0, 0, 1, 0, 0, 0};
        float[] attr = {-3, 1, 0, 0, 0.5f, 2, 0, 0};
        Localization.Result r = Localization.score(attr, 2, 2, 2, 1, masks);
        assertTrue(r.hits()[0], "|−3| is the peak, inside");
        assertTrue(!r.hits()[1], "2 at pixel 1 is the peak, outside");
        assertEquals(0.75, r.massInside()[0], 1e-12);
        assertEquals(0.2, r.massInside()[1], 1e-12);
        assertEquals(0.5, r.hitRate(), 1e-12);
        assertEquals(0.25, r.uniformShare(), 1e-12);
    }
}
