package dev.loupe.engine.explain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.nn.Network;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spearman correlation, the cascading randomization test and deletion/insertion curves against direct computations. */
class SanityAndFaithfulnessTest {

    @Test
    void spearmanMatchesHandValuesWithTies() {
        assertEquals(1.0, SanityCheck.spearman(new double[] {1, 2, 3, 4}, new double[] {10, 20, 30, 400}), 1e-12);
        assertEquals(-1.0, SanityCheck.spearman(new double[] {1, 2, 3, 4}, new double[] {4, 3, 2, 1}), 1e-12);
        // ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): Pearson of ranks = 4.5 / sqrt(4.5 * 5)
        assertEquals(4.5 / Math.sqrt(4.5 * 5), SanityCheck.spearman(new double[] {1, 2, 2, 3}, new double[] {1, 2, 3, 4}), 1e-12);
        assertArrayEquals(new double[] {1, 2.5, 2.5, 4}, SanityCheck.ranks(new double[] {0, 5, 5, 9}), 1e-12);
    }

    @Test
    void cascadingRandomizationVisitsLayersTopFirstAndRestoresTheModel() {
        Network net = ExplainerTest.net(ExplainerTest.smoothCnn(), 8);
        float[] before = net.getParams();
        int n = 3;
        float[] x = ExplainerTest.inputs(n, net.inputSize(), 4);
        Explainer ex = ExplainerTest.explainer(net);
        List<SanityCheck.Row> rows = SanityCheck.run(ex, net, List.of(ExplainMethod.SALIENCY), ExplainParams.DEFAULTS, x, n,
                new int[] {0, 1, 2}, 99, null);
        assertEquals(List.of("dense1", "conv2d1"), rows.getFirst().layers());
        assertArrayEquals(before, net.getParams(), "trained parameters are restored");
        double[] rho = rows.getFirst().meanSpearman();
        assertTrue(rho[0] < 0.99 && rho[1] < 0.99, "randomizing layers changes the saliency map: " + rho[0] + ", " + rho[1]);
        // recompute the last step independently: all layers randomized = the fresh initialization
        float[] ref = ex.explain(ExplainMethod.SALIENCY, ExplainParams.DEFAULTS, x, n, new int[] {0, 1, 2}, null).values();
        net.initParams(99);
        float[] rnd = ex.explain(ExplainMethod.SALIENCY, ExplainParams.DEFAULTS, x, n, new int[] {0, 1, 2}, null).values();
        double mean = 0;
        for (double r : SanityCheck.perSample(ref, rnd, n)) mean += r / n;
        assertEquals(mean, rho[1], 1e-9);
    }

    @Test
    void deletionAndInsertionCurvesMatchDirectEvaluation() {
        Network net = ExplainerTest.net(ExplainerTest.smoothCnn(), 5), single = ExplainerTest.net(ExplainerTest.smoothCnn(), 1);
        int n = 2, hw = 36, c = 2, d = hw * c;
        float[] x = ExplainerTest.inputs(n, d, 6);
        int[] t = {1, 3};
        float[] score = Faithfulness.randomScores(n, hw, 5);
        Faithfulness.Settings s = new Faithfulness.Settings(0.25, "zero");
        Faithfulness.Curves cv = Faithfulness.measure(new GradientRunner(net, null), x, n, ExplainerTest.SHAPE, score, t, s);
        assertEquals(5, cv.deletion().length);
        double[] del = new double[5], ins = new double[5];
        for (int i = 0; i < n; i++) {
            int[] order = Faithfulness.descending(score, i * hw, hw);
            for (int j = 0; j <= 4; j++) {
                float[] xd = x.clone(), xi = new float[x.length];
                int changed = Math.min(hw, (int) Math.ceil(j * 0.25 * hw));
                for (int q = 0; q < changed; q++) {
                    for (int ch = 0; ch < c; ch++) {
                        xd[i * d + order[q] * c + ch] = 0;
                        xi[i * d + order[q] * c + ch] = x[i * d + order[q] * c + ch];
                    }
                }
                del[j] += prob(single, xd, i * d, t[i]) / n;
                ins[j] += prob(single, xi, i * d, t[i]) / n;
            }
        }
        assertArrayEquals(del, cv.deletion(), 1e-6);
        assertArrayEquals(ins, cv.insertion(), 1e-6);
        double area = 0;
        for (int j = 1; j <= 4; j++) area += 0.25 * (del[j - 1] + del[j]) / 2;
        assertEquals(area, cv.deletionAuc(), 1e-9);
        assertEquals(ins[0], cv.insertion()[0], 1e-12, "insertion starts from the substrate");
        assertEquals(del[0], cv.insertion()[4], 1e-6, "insertion ends at the full input");
    }

    private static double prob(Network single, float[] x, int off, int t) {
        double[] z = new double[single.outputSize()];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int k = 0; k < z.length; k++) {
            z[k] = ExplainerTest.logit(single, x, off, k);
            max = Math.max(max, z[k]);
        }
        for (double v : z) sum += Math.exp(v - max);
        return Math.exp(z[t] - max) / sum;
    }
}
