package dev.loupe.engine.explain;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.nn.Network;
import java.util.Arrays;

/**
 * Occlusion (Zeiler and Fergus 2014): a {@code window×window} square (all channels) slides with
 * {@code stride}; each placement is set to 0 and the target logit re-evaluated. A pixel's
 * attribution is the drop f(x) − f(x occluded) averaged over the placements that cover it
 * (0 for pixels no placement covers).
 */
public final class Occlusion {
    private Occlusion() {}

    /** Top-left coordinates along an axis of {@code size}: 0, stride, … while the window fits. */
    static int[] positions(int size, int window, int stride) {
        if (window > size) throw new BadInputException("occlusion window " + window + " is larger than the image side " + size);
        int count = (size - window) / stride + 1;
        int[] p = new int[count];
        for (int i = 0; i < count; i++) p[i] = i * stride;
        return p;
    }

    static float[] compute(GradientRunner runner, int window, int stride, float[] x, int n, int[] targets,
                           float[] targetLogits) {
        Network net = runner.network();
        int[] shape = net.spec().inputShape();
        if (shape.length != 3) {
            throw new BadInputException("occlusion needs image input [H, W, C]; this model takes " + Arrays.toString(shape));
        }
        int H = shape[0], W = shape[1], C = shape[2], d = H * W * C, k = net.outputSize();
        int[] ys = positions(H, window, stride), xs = positions(W, window, stride);
        int per = ys.length * xs.length;
        int[] cover = new int[H * W];
        for (int y0 : ys) for (int x0 : xs) for (int y = y0; y < y0 + window; y++) for (int xx = x0; xx < x0 + window; xx++) cover[y * W + xx]++;
        double[] sum = new double[n * H * W];
        runner.forward(n * per, (r, dst, off) -> {
            int i = r / per, p = r % per, y0 = ys[p / xs.length], x0 = xs[p % xs.length];
            System.arraycopy(x, i * d, dst, off, d);
            for (int y = y0; y < y0 + window; y++) Arrays.fill(dst, off + (y * W + x0) * C, off + (y * W + x0 + window) * C, 0f);
        }, (r, c, i) -> {
            int s = r / per, p = r % per, y0 = ys[p / xs.length], x0 = xs[p % xs.length];
            double drop = (double) targetLogits[s] - c.logits[i * k + targets[s]];
            for (int y = y0; y < y0 + window; y++) for (int xx = x0; xx < x0 + window; xx++) sum[s * H * W + y * W + xx] += drop;
        });
        float[] out = new float[n * d];
        for (int s = 0; s < n; s++) {
            for (int p = 0; p < H * W; p++) {
                float v = cover[p] == 0 ? 0f : (float) (sum[s * H * W + p] / cover[p]);
                for (int ch = 0; ch < C; ch++) out[s * d + p * C + ch] = v;
            }
        }
        return out;
    }
}
