package dev.loupe.engine.landscape;

import dev.loupe.datasets.SplitMix64;
import dev.loupe.engine.nn.Param;
import java.util.List;

/**
 * Random directions in parameter space, filter-normalized as in Li et al. 2018 ("Visualizing the
 * Loss Landscape of Neural Nets"): each filter of a weight tensor (one output unit of a dense
 * layer, one output channel of a convolution: the last dimension) is rescaled to the norm of the
 * same filter of the weights; bias directions are zero, so only weights move.
 */
public final class FilterNormalizedDirections {
    private FilterNormalizedDirections() {}

    /** A Gaussian direction from {@code seed}, filter-normalized against {@code theta}. */
    public static float[] create(List<Param> params, float[] theta, long seed) {
        float[] d = new float[theta.length];
        SplitMix64 rng = new SplitMix64(seed);
        for (int i = 0; i < d.length; i++) d[i] = (float) rng.nextGaussian();
        normalize(params, theta, d);
        return d;
    }

    /** Rescales {@code d} in place filter by filter to the norms of {@code theta}'s filters; zeroes biases. */
    public static void normalize(List<Param> params, float[] theta, float[] d) {
        for (Param p : params) {
            int off = (int) p.offset(), size = (int) p.size();
            if (p.bias()) {
                java.util.Arrays.fill(d, off, off + size, 0f);
                continue;
            }
            // row-major with the unit last: element i belongs to filter i % units
            int units = p.units();
            double[] dn = new double[units], tn = new double[units];
            for (int i = 0; i < size; i++) {
                int f = i % units;
                dn[f] += (double) d[off + i] * d[off + i];
                tn[f] += (double) theta[off + i] * theta[off + i];
            }
            double[] scale = new double[units];
            for (int f = 0; f < units; f++) scale[f] = dn[f] > 0 ? Math.sqrt(tn[f]) / Math.sqrt(dn[f]) : 0;
            for (int i = 0; i < size; i++) d[off + i] = (float) (d[off + i] * scale[i % units]);
        }
    }
}
