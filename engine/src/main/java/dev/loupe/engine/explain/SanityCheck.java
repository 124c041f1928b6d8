package dev.loupe.engine.explain;

import dev.loupe.engine.nn.Layer;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.nn.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The cascading model-parameter randomization test (Adebayo et al. 2018, "Sanity Checks for
 * Saliency Maps"): starting at the top (last) trainable layer and moving down, each layer's
 * parameters are replaced by a fresh random initialization, cumulatively, and the attributions
 * of the partly randomized model are compared with the trained model's by the Spearman rank
 * correlation of |attribution| per sample. A method that explains the model should lose its
 * similarity as layers are randomized; one that stays near 1 mostly reflects the input.
 * Targets are held at the trained model's; the trained parameters are restored afterwards.
 */
public final class SanityCheck {
    private SanityCheck() {}

    /** Mean (over samples) rank correlation after randomizing {@code layers}, top first, for one method. */
    public record Row(ExplainMethod method, List<String> layers, double[] meanSpearman, double[] stdSpearman) {}

    /** Runs the test for every method; {@code onStep} (may be null) receives a description of each finished step. */
    public static List<Row> run(Explainer explainer, Network net, List<ExplainMethod> methods, ExplainParams p,
                                float[] x, int n, int[] targets, long seed, Consumer<String> onStep) {
        float[] trained = net.getParams();
        net.initParams(seed);
        float[] random = net.getParams();
        List<Layer> order = new ArrayList<>();
        for (Layer l : net.layers()) if (!l.params().isEmpty()) order.add(0, l);
        List<String> names = order.stream().map(Layer::name).toList();
        List<Row> rows = new ArrayList<>();
        try {
            for (ExplainMethod m : methods) {
                net.setParams(trained);
                float[] reference = explainer.explain(m, p, x, n, targets, null).values();
                float[] current = trained.clone();
                double[] mean = new double[order.size()], std = new double[order.size()];
                for (int k = 0; k < order.size(); k++) {
                    for (Param prm : order.get(k).params()) {
                        System.arraycopy(random, (int) prm.offset(), current, (int) prm.offset(), (int) prm.size());
                    }
                    net.setParams(current);
                    float[] attr = explainer.explain(m, p, x, n, targets, null).values();
                    double[] rho = perSample(reference, attr, n);
                    double mu = Arrays.stream(rho).average().orElse(Double.NaN);
                    mean[k] = mu;
                    std[k] = Math.sqrt(Arrays.stream(rho).map(r -> (r - mu) * (r - mu)).sum() / Math.max(1, n - 1));
                    if (onStep != null) onStep.accept(String.format("%s up to %s: %.3f", m.cliName(), names.get(k), mean[k]));
                }
                rows.add(new Row(m, names, mean, std));
            }
        } finally {
            net.setParams(trained);
        }
        return rows;
    }

    static double[] perSample(float[] a, float[] b, int n) {
        int d = a.length / n;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double[] u = new double[d], v = new double[d];
            for (int e = 0; e < d; e++) {
                u[e] = Math.abs(a[i * d + e]);
                v[e] = Math.abs(b[i * d + e]);
            }
            out[i] = spearman(u, v);
        }
        return out;
    }

    /** Spearman's ρ: the Pearson correlation of the ranks, ties sharing their mean rank; 0 when either side is constant. */
    public static double spearman(double[] u, double[] v) {
        double[] ru = ranks(u), rv = ranks(v);
        double mu = 0, mv = 0;
        for (int i = 0; i < ru.length; i++) {
            mu += ru[i];
            mv += rv[i];
        }
        mu /= ru.length;
        mv /= rv.length;
        double suv = 0, suu = 0, svv = 0;
        for (int i = 0; i < ru.length; i++) {
            suv += (ru[i] - mu) * (rv[i] - mv);
            suu += (ru[i] - mu) * (ru[i] - mu);
            svv += (rv[i] - mv) * (rv[i] - mv);
        }
        return suu == 0 || svv == 0 ? 0 : suv / Math.sqrt(suu * svv);
    }

    static double[] ranks(double[] x) {
        Integer[] idx = new Integer[x.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (p, q) -> Double.compare(x[p], x[q]));
        double[] r = new double[x.length];
        for (int i = 0; i < idx.length; ) {
            int j = i;
            while (j + 1 < idx.length && x[idx[j + 1]] == x[idx[i]]) j++;
            double mean = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) r[idx[k]] = mean;
            i = j + 1;
        }
        return r;
    }
}
