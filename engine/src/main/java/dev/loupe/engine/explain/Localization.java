package dev.loupe.engine.explain;

/**
 * Scores attributions against ground-truth regions: the pointing game (is the pixel with the
 * largest Σ_c |attribution| inside the region?) and the share of Σ_c |attribution| that lies
 * inside it. Absolute values are used for every method, so signed methods are scored by magnitude.
 */
public final class Localization {
    private Localization() {}

    /** Per-sample results and their means; {@code uniformShare} is the region's share of the image (chance level for mass). */
    public record Result(int n, double hitRate, double meanMassInside, double uniformShare, boolean[] hits, double[] massInside) {}

    /** Σ_c |attr| per pixel for {@code n} NHWC samples of {@code h×w×c}. */
    public static float[] pixelScores(float[] attr, int n, int h, int w, int c) {
        float[] out = new float[n * h * w];
        for (int p = 0; p < n * h * w; p++) {
            float s = 0;
            for (int ch = 0; ch < c; ch++) s += Math.abs(attr[p * c + ch]);
            out[p] = s;
        }
        return out;
    }

    /** Scores {@code n} samples; {@code masks} holds one {@code h×w} 0/1 mask per sample. */
    public static Result score(float[] attr, int n, int h, int w, int c, float[] masks) {
        float[] s = pixelScores(attr, n, h, w, c);
        int hw = h * w;
        boolean[] hits = new boolean[n];
        double[] mass = new double[n];
        double hitSum = 0, massSum = 0, area = 0;
        for (int i = 0; i < n; i++) {
            int best = -1;
            double total = 0, inside = 0;
            for (int p = 0; p < hw; p++) {
                float v = s[i * hw + p];
                total += v;
                if (masks[i * hw + p] > 0.5f) {
                    inside += v;
                    area++;
                }
                if (v > 0 && (best < 0 || v > s[i * hw + best])) best = p;
            }
            hits[i] = best >= 0 && masks[i * hw + best] > 0.5f; // an all-zero map points nowhere: a miss
            mass[i] = total > 0 ? inside / total : 0;
            hitSum += hits[i] ? 1 : 0;
            massSum += mass[i];
        }
        return new Result(n, hitSum / n, massSum / n, area / ((double) n * hw), hits, mass);
    }
}
