package dev.loupe.engine.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.loupe.engine.nn.Network;
import dev.loupe.engine.nn.Param;
import org.junit.jupiter.api.Test;

class FilterNormalizedDirectionsTest {

    /** Norm of filter {@code f} of a weight tensor, walking its shape index by index (not via i % units). */
    private static double filterNorm(float[] v, Param p, int f) {
        int[] s = p.shape();
        int inner = 1;
        for (int k = 0; k < s.length - 1; k++) inner *= s[k];
        double sum = 0;
        for (int r = 0; r < inner; r++) {
            double x = v[(int) p.offset() + r * s[s.length - 1] + f];
            sum += x * x;
        }
        return Math.sqrt(sum);
    }

    private static void check(Network net) {
        float[] theta = net.getParams();
        float[] d = FilterNormalizedDirections.create(net.params(), theta, 123);
        int weights = 0;
        for (Param p : net.params()) {
            if (p.bias()) {
                for (long i = 0; i < p.size(); i++) assertEquals(0f, d[(int) (p.offset() + i)], p.id() + " bias direction");
                continue;
            }
            weights++;
            for (int f = 0; f < p.units(); f++) {
                double want = filterNorm(theta, p, f);
                assertEquals(want, filterNorm(d, p, f), 1e-5 * want, p.id() + " filter " + f);
            }
        }
        assertNotEquals(0, weights);
        // a different seed gives a different direction with the same filter norms
        float[] e = FilterNormalizedDirections.create(net.params(), theta, 124);
        assertNotEquals(d[0], e[0]);
    }

    @Test
    void denseFiltersHaveTheNormsOfTheirWeightsAndBiasesAreZero() {
        check(Fixtures.mlp(4));
    }

    @Test
    void convFiltersHaveTheNormsOfTheirWeightsAndBiasesAreZero() {
        check(Fixtures.cnn(4));
    }
}
