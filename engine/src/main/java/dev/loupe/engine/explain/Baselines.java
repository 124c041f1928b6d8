package dev.loupe.engine.explain;

import dev.loupe.datasets.BadInputException;

/** Integrated-gradients baselines: zeros, the per-feature mean of a reference set, or a blurred copy of each input. */
public final class Baselines {
    /** Gaussian blur width in pixels for the {@code blur} baseline. */
    public static final double BLUR_SIGMA = 5.0;

    private Baselines() {}

    /**
     * {@code kind} ∈ zero | mean | blur for {@code n} inputs of {@code shape}; {@code reference}
     * (the training inputs) is needed only for {@code mean}, and falls back to {@code x} when null.
     */
    public static float[] of(String kind, float[] x, int n, int[] shape, float[] reference) {
        int d = x.length / Math.max(1, n);
        return switch (kind) {
            case "zero" -> new float[x.length];
            case "mean" -> {
                float[] src = reference != null ? reference : x;
                int m = src.length / d;
                double[] mean = new double[d];
                for (int i = 0; i < m; i++) for (int e = 0; e < d; e++) mean[e] += src[i * d + e];
                float[] out = new float[x.length];
                for (int i = 0; i < n; i++) for (int e = 0; e < d; e++) out[i * d + e] = (float) (mean[e] / m);
                yield out;
            }
            case "blur" -> {
                if (shape.length != 3) throw new BadInputException("--baseline blur needs image input [H, W, C]");
                float[] out = new float[x.length];
                for (int i = 0; i < n; i++) blur(x, i * d, shape[0], shape[1], shape[2], BLUR_SIGMA, out);
                yield out;
            }
            default -> throw new BadInputException("unknown baseline '" + kind + "' (choose zero, mean or blur)");
        };
    }

    /** Separable Gaussian blur (taps to 3σ, edges clamped) of one NHWC image at {@code off}. */
    public static void blur(float[] x, int off, int h, int w, int c, double sigma, float[] out) {
        int r = (int) Math.ceil(3 * sigma);
        double[] k = new double[2 * r + 1];
        double norm = 0;
        for (int i = -r; i <= r; i++) norm += k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= norm;
        double[] tmp = new double[h * w * c];
        for (int y = 0; y < h; y++) for (int xx = 0; xx < w; xx++) for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int t = -r; t <= r; t++) s += k[t + r] * x[off + (y * w + clamp(xx + t, w)) * c + ch];
            tmp[(y * w + xx) * c + ch] = s;
        }
        for (int y = 0; y < h; y++) for (int xx = 0; xx < w; xx++) for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int t = -r; t <= r; t++) s += k[t + r] * tmp[(clamp(y + t, h) * w + xx) * c + ch];
            out[off + (y * w + xx) * c + ch] = (float) s;
        }
    }

    private static int clamp(int v, int n) {
        return Math.max(0, Math.min(n - 1, v));
    }
}
