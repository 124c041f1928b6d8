package dev.loupe.engine.explain;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.nn.Layer;
import dev.loupe.engine.nn.Network;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Computes attributions of a target logit with respect to the input, for every
 * {@link ExplainMethod}, on whatever backend the network was compiled for. All many-pass methods
 * (IG steps, noise samples, occlusion windows) stream their rows through {@link GradientRunner}
 * in internal batches of the network's batch size.
 */
public final class Explainer {
    private final Network net;
    private final GradientRunner runner;
    private final int d;
    private final int classes;

    public Explainer(GradientRunner runner) {
        this.runner = runner;
        this.net = runner.network();
        this.d = net.inputSize();
        this.classes = net.outputSize();
    }

    /** Logits of {@code n} inputs, {@code n × classes}. */
    public float[] logits(float[] x, int n) {
        float[] out = new float[n * classes];
        runner.forward(n, (r, dst, off) -> System.arraycopy(x, r * d, dst, off, d),
                (r, c, i) -> System.arraycopy(c.logits, i * classes, out, r * classes, classes));
        return out;
    }

    /** Index of the largest logit per sample. */
    public static int[] argmax(float[] logits, int classes) {
        int n = logits.length / classes;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < classes; j++) if (logits[i * classes + j] > logits[i * classes + best]) best = j;
            out[i] = best;
        }
        return out;
    }

    /**
     * Attributions of logit {@code targets[i]} for each of the {@code n} inputs in {@code x}.
     * {@code baseline} ({@code n × inputSize}, IG only) may be null for the zero baseline.
     */
    public Explanation explain(ExplainMethod m, ExplainParams p, float[] x, int n, int[] targets, float[] baseline) {
        if (x.length != n * d) throw new BadInputException("inputs hold " + x.length + " floats, expected " + n + " x " + d);
        for (int t : targets) {
            if (t < 0 || t >= classes) throw new BadInputException("target class " + t + " is out of range [0, " + classes + ")");
        }
        float[] fx = logits(x, n);
        float[] targetLogits = new float[n];
        for (int i = 0; i < n; i++) targetLogits[i] = fx[i * classes + targets[i]];
        Map<String, Object> params = new LinkedHashMap<>(p.describe(m));
        return switch (m) {
            case SALIENCY, GRAD_INPUT -> {
                float[] g = gradients(x, n, targets);
                for (int e = 0; e < g.length; e++) g[e] = m == ExplainMethod.SALIENCY ? Math.abs(g[e]) : g[e] * x[e];
                params.put("gradient", m == ExplainMethod.SALIENCY ? "absolute" : "signed, times input");
                yield new Explanation(m, params, n, net.spec().inputShape(), g, targets.clone(), targetLogits, null, null);
            }
            case IG -> integratedGradients(p, x, n, targets, baseline == null ? new float[n * d] : baseline, targetLogits, params);
            case SMOOTHGRAD, VARGRAD -> {
                float[] a = noiseTunnel(p, x, n, targets, m == ExplainMethod.VARGRAD);
                yield new Explanation(m, params, n, net.spec().inputShape(), a, targets.clone(), targetLogits, null, null);
            }
            case GRADCAM, GRADCAM_PP -> {
                Layer layer = p.layer() == null ? GradCam.defaultLayer(net) : GradCam.checkLayer(net.layer(p.layer()));
                params.put("layer", layer.name());
                params.put("upsampling", "bilinear (half-pixel centres)");
                float[] a = GradCam.compute(runner, layer, x, n, targets, m == ExplainMethod.GRADCAM_PP);
                yield new Explanation(m, params, n, net.spec().inputShape(), a, targets.clone(), targetLogits, null, null);
            }
            case OCCLUSION -> {
                float[] a = Occlusion.compute(runner, p.window(), p.stride(), x, n, targets, targetLogits);
                yield new Explanation(m, params, n, net.spec().inputShape(), a, targets.clone(), targetLogits, null, null);
            }
        };
    }

    /** ∂ logit_t / ∂ x for each input (one row per input). */
    public float[] gradients(float[] x, int n, int[] targets) {
        float[] g = new float[n * d];
        runner.gradients(n, (r, dst, off) -> System.arraycopy(x, r * d, dst, off, d), r -> targets[r],
                (r, c, i) -> System.arraycopy(c.grads, i * d, g, r * d, d));
        return g;
    }

    private Explanation integratedGradients(ExplainParams p, float[] x, int n, int[] targets, float[] base,
                                            float[] targetLogits, Map<String, Object> params) {
        if (base.length != n * d) throw new BadInputException("baseline holds " + base.length + " floats, expected " + n * d);
        Quadrature q = Quadrature.of(p.rule(), p.steps());
        int steps = p.steps();
        double[] acc = new double[n * d];
        runner.gradients(n * steps, (r, dst, off) -> {
            int i = r / steps;
            float alpha = (float) q.alphas()[r % steps];
            for (int e = 0; e < d; e++) dst[off + e] = base[i * d + e] + alpha * (x[i * d + e] - base[i * d + e]);
        }, r -> targets[r / steps], (r, c, i) -> {
            int s = r / steps;
            double w = q.weights()[r % steps];
            for (int e = 0; e < d; e++) acc[s * d + e] += w * c.grads[i * d + e];
        });
        float[] fb = logits(base, n);
        float[] attr = new float[n * d];
        float[] baseLogits = new float[n];
        double[] delta = new double[n];
        for (int i = 0; i < n; i++) {
            double sum = 0;
            for (int e = 0; e < d; e++) {
                int k = i * d + e;
                attr[k] = (float) ((x[k] - base[k]) * acc[k]);
                sum += attr[k];
            }
            baseLogits[i] = fb[i * classes + targets[i]];
            delta[i] = sum - ((double) targetLogits[i] - baseLogits[i]);
        }
        return new Explanation(ExplainMethod.IG, params, n, net.spec().inputShape(), attr, targets.clone(), targetLogits,
                baseLogits, delta);
    }

    /**
     * SmoothGrad (mean gradient) or VarGrad (gradient variance) over {@code ntSamples} copies of
     * each input with N(0, σ²) noise, σ = noise · (max − min of that input). The noise of copy j of
     * input i comes from its own seeded stream, so results do not depend on the batch size.
     */
    private float[] noiseTunnel(ExplainParams p, float[] x, int n, int[] targets, boolean variance) {
        int nt = p.ntSamples();
        float[] sigma = new float[n];
        for (int i = 0; i < n; i++) {
            float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
            for (int e = 0; e < d; e++) {
                lo = Math.min(lo, x[i * d + e]);
                hi = Math.max(hi, x[i * d + e]);
            }
            sigma[i] = p.noise() * (hi - lo);
        }
        double[] sum = new double[n * d], sumSq = new double[n * d];
        runner.gradients(n * nt, (r, dst, off) -> {
            int i = r / nt;
            SplittableRandom rng = new SplittableRandom(p.seed() * 0x9E3779B97F4A7C15L + r);
            for (int e = 0; e < d; e++) dst[off + e] = x[i * d + e] + (float) (sigma[i] * rng.nextGaussian());
        }, r -> targets[r / nt], (r, c, i) -> {
            int s = r / nt;
            for (int e = 0; e < d; e++) {
                double g = c.grads[i * d + e];
                sum[s * d + e] += g;
                sumSq[s * d + e] += g * g;
            }
        });
        float[] out = new float[n * d];
        for (int k = 0; k < out.length; k++) {
            double mean = sum[k] / nt;
            out[k] = (float) (variance ? Math.max(0, sumSq[k] / nt - mean * mean) : mean);
        }
        return out;
    }
}
