package dev.loupe.engine.explain;

import dev.loupe.datasets.BadInputException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Settings of every method (each reads only its own): IG steps and quadrature rule, noise-tunnel
 * level and sample count, Grad-CAM layer, occlusion window and stride, and the seed for noise.
 *
 * @param noise SmoothGrad/VarGrad noise standard deviation as a fraction of each input's value range
 * @param layer Grad-CAM layer name, or null for the last layer with spatial output
 */
public record ExplainParams(int steps, IgRule rule, float noise, int ntSamples, String layer,
                            int window, int stride, long seed) {

    /** Quadrature for the IG path integral over α ∈ [0, 1]. */
    public enum IgRule { GAUSS_LEGENDRE, TRAPEZOID }

    /** Defaults: 50 Gauss–Legendre steps, noise 0.15 × range with 25 samples, window 4 stride 2, seed 0. */
    public static final ExplainParams DEFAULTS = new ExplainParams(50, IgRule.GAUSS_LEGENDRE, 0.15f, 25, null, 4, 2, 0);

    public ExplainParams {
        if (steps < 2) throw new BadInputException("--steps must be at least 2, got " + steps);
        if (!(noise >= 0) || !Float.isFinite(noise)) throw new BadInputException("--noise must be >= 0, got " + noise);
        if (ntSamples < 1) throw new BadInputException("--nt-samples must be at least 1, got " + ntSamples);
        if (window < 1) throw new BadInputException("--window must be at least 1, got " + window);
        if (stride < 1) throw new BadInputException("--stride must be at least 1, got " + stride);
    }

    public ExplainParams withSteps(int s) {
        return new ExplainParams(s, rule, noise, ntSamples, layer, window, stride, seed);
    }

    public ExplainParams withRule(IgRule r) {
        return new ExplainParams(steps, r, noise, ntSamples, layer, window, stride, seed);
    }

    public ExplainParams withLayer(String l) {
        return new ExplainParams(steps, rule, noise, ntSamples, l, window, stride, seed);
    }

    public ExplainParams withNoise(float n, int samples) {
        return new ExplainParams(steps, rule, n, samples, layer, window, stride, seed);
    }

    public ExplainParams withWindow(int w, int s) {
        return new ExplainParams(steps, rule, noise, ntSamples, layer, w, s, seed);
    }

    /** The settings that apply to {@code m}, for meta.json. */
    public Map<String, Object> describe(ExplainMethod m) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (m) {
            case IG -> {
                out.put("steps", steps);
                out.put("rule", rule == IgRule.GAUSS_LEGENDRE ? "gauss-legendre" : "riemann-trapezoid");
            }
            case SMOOTHGRAD, VARGRAD -> {
                out.put("noise_fraction_of_range", noise);
                out.put("nt_samples", ntSamples);
                out.put("seed", seed);
            }
            case OCCLUSION -> {
                out.put("window", window);
                out.put("stride", stride);
                out.put("occlusion_value", 0);
            }
            default -> { }
        }
        return out;
    }
}
