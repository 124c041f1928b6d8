package dev.loupe.engine.explain;

import dev.loupe.datasets.BadInputException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Deletion and insertion curves (Petsiuk et al. 2018, RISE): pixels are taken in order of
 * decreasing attribution (the signed value for signed methods, so evidence against the class
 * comes last; the magnitude otherwise), {@code step} of the image at a time. Deletion replaces
 * them with a substrate (zeros or a blurred copy) and should make the target's softmax
 * probability fall fast (low AUC is good); insertion starts from the substrate and restores
 * them, and should make it rise fast (high AUC is good). AUC is the trapezoid area over the
 * fraction of pixels changed, in [0, 1].
 */
public final class Faithfulness {
    private Faithfulness() {}

    /** Settings stored beside the results. */
    public record Settings(double step, String substrate) {
        public Settings {
            if (!(step > 0 && step <= 0.5)) throw new BadInputException("--step must be in (0, 0.5], got " + step);
            if (!substrate.equals("zero") && !substrate.equals("blur")) {
                throw new BadInputException("unknown substrate '" + substrate + "' (choose zero or blur)");
            }
        }

        /** Number of steps after the starting point: ceil(1 / step). */
        public int steps() {
            return (int) Math.ceil(1 / step - 1e-9);
        }
    }

    /** Mean curves over samples (steps + 1 points each) and their areas. */
    public record Curves(double[] deletion, double[] insertion, double deletionAuc, double insertionAuc) {}

    /**
     * Curves for {@code n} NHWC images {@code x} of {@code shape} with per-pixel scores
     * {@code pixelScore} ({@code n × H·W}, higher first) and fixed targets.
     */
    public static Curves measure(GradientRunner runner, float[] x, int n, int[] shape, float[] pixelScore, int[] targets, Settings s) {
        if (shape.length != 3) throw new BadInputException("deletion/insertion needs image input [H, W, C]");
        int h = shape[0], w = shape[1], c = shape[2], hw = h * w, d = hw * c, k = runner.network().outputSize();
        int steps = s.steps();
        float[] substrate = s.substrate().equals("zero") ? new float[x.length] : Baselines.of("blur", x, n, shape, null);
        int[][] order = new int[n][];
        for (int i = 0; i < n; i++) order[i] = descending(pixelScore, i * hw, hw);
        double[][] curve = new double[2][steps + 1];
        for (int mode = 0; mode < 2; mode++) {
            boolean deletion = mode == 0;
            final int rowsPer = steps + 1;
            double[] sum = curve[mode];
            runner.forward(n * rowsPer, (r, dst, off) -> {
                int i = r / rowsPer, j = r % rowsPer;
                int changed = (int) Math.min(hw, Math.ceil(j * s.step() * hw - 1e-9));
                float[] from = deletion ? x : substrate, to = deletion ? substrate : x;
                System.arraycopy(from, i * d, dst, off, d);
                for (int q = 0; q < changed; q++) {
                    int p = order[i][q];
                    System.arraycopy(to, i * d + p * c, dst, off + p * c, c);
                }
            }, (r, ch, idx) -> sum[r % rowsPer] += softmax(ch.logits, idx * k, k, targets[r / rowsPer]) / n);
        }
        return new Curves(curve[0], curve[1], auc(curve[0], s.step()), auc(curve[1], s.step()));
    }

    /** Per-pixel scores for an ordering: Σ_c a (signed) or Σ_c |a|. */
    public static float[] pixelScores(float[] attr, int n, int[] shape, boolean signed) {
        int hw = shape[0] * shape[1], c = shape[2];
        float[] out = new float[n * hw];
        for (int p = 0; p < n * hw; p++) {
            float v = 0;
            for (int ch = 0; ch < c; ch++) v += signed ? attr[p * c + ch] : Math.abs(attr[p * c + ch]);
            out[p] = v;
        }
        return out;
    }

    /** Uniformly random scores (the chance ordering), seeded. */
    public static float[] randomScores(int n, int hw, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] out = new float[n * hw];
        for (int i = 0; i < out.length; i++) out[i] = (float) r.nextDouble();
        return out;
    }

    static int[] descending(float[] score, int off, int len) {
        Integer[] idx = new Integer[len];
        for (int i = 0; i < len; i++) idx[i] = i;
        Arrays.sort(idx, (p, q) -> Float.compare(score[off + q], score[off + p])); // stable: ties keep pixel order
        int[] out = new int[len];
        for (int i = 0; i < len; i++) out[i] = idx[i];
        return out;
    }

    static double softmax(float[] logits, int off, int k, int t) {
        double max = Double.NEGATIVE_INFINITY, z = 0;
        for (int j = 0; j < k; j++) max = Math.max(max, logits[off + j]);
        for (int j = 0; j < k; j++) z += Math.exp(logits[off + j] - max);
        return Math.exp(logits[off + t] - max) / z;
    }

    /** Trapezoid area of points spaced {@code step} apart in x, the last interval shortened so x ends at 1. */
    static double auc(double[] y, double step) {
        double area = 0;
        for (int j = 1; j < y.length; j++) {
            double x0 = Math.min(1, (j - 1) * step), x1 = Math.min(1, j * step);
            area += (x1 - x0) * (y[j - 1] + y[j]) / 2;
        }
        return area;
    }
}
