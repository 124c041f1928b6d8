package dev.loupe.engine.explain;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.nn.ActivationLayer;
import dev.loupe.engine.nn.ConvLayer;
import dev.loupe.engine.nn.Layer;
import dev.loupe.engine.nn.Network;
import java.util.Arrays;

/**
 * Grad-CAM (Selvaraju et al. 2017) and Grad-CAM++ (Chattopadhyay et al. 2018) on one layer with
 * spatial output {@code [h, w, K]}: a class-activation map ReLU(Σ_k α_k A_k) at the layer's
 * resolution, upsampled bilinearly to the input's height and width and repeated over its channels.
 */
public final class GradCam {
    private GradCam() {}

    /** The last convolution or activation layer with spatial output (e.g. {@code relu2} of the cnn). */
    public static Layer defaultLayer(Network net) {
        Layer best = null;
        for (Layer l : net.layers()) {
            if (l.outShape().length == 3 && (l instanceof ConvLayer || l instanceof ActivationLayer)) best = l;
        }
        if (best == null) {
            throw new BadInputException("Grad-CAM needs a convolutional layer, but model " + net.spec().name()
                    + " has no layer with spatial output [H, W, C]");
        }
        return best;
    }

    /** {@code layer} itself, or a {@link BadInputException} when it has no spatial output. */
    public static Layer checkLayer(Layer layer) {
        if (layer.outShape().length != 3) {
            throw new BadInputException("Grad-CAM needs a layer with spatial output [H, W, C]; layer '" + layer.name()
                    + "' (" + layer.type() + ") outputs " + Arrays.toString(layer.outShape()));
        }
        return layer;
    }

    static float[] compute(GradientRunner runner, Layer layer, float[] x, int n, int[] targets, boolean plusPlus) {
        Network net = runner.network();
        int d = net.inputSize();
        int[] in = net.spec().inputShape();
        int[] ls = layer.outShape();
        int h = ls[0], w = ls[1], k = ls[2];
        float[] out = new float[n * d];
        runner.layerGradients(n, (r, dst, off) -> System.arraycopy(x, r * d, dst, off, d), r -> targets[r], layer,
                (r, c, i) -> {
                    float[] cam = map(c.acts, c.actGrads, i * c.actSize, h, w, k, plusPlus);
                    upsample(cam, h, w, in, out, r * d);
                });
        return out;
    }

    /** The class-activation map of one sample at layer resolution, from activations A and gradients G (NHWC). */
    static float[] map(float[] a, float[] g, int off, int h, int w, int k, boolean plusPlus) {
        int hw = h * w;
        double[] weight = new double[k];
        for (int ch = 0; ch < k; ch++) {
            if (!plusPlus) {
                double s = 0;
                for (int p = 0; p < hw; p++) s += g[off + p * k + ch];
                weight[ch] = s / hw;
            } else {
                // α = g² / (2g² + Σ_ab A_ab · g³), weight = Σ α · ReLU(g): the closed form for an
                // exponential of the score, as in the paper's reference implementation
                double sumA = 0;
                for (int p = 0; p < hw; p++) sumA += a[off + p * k + ch];
                double s = 0;
                for (int p = 0; p < hw; p++) {
                    double gv = g[off + p * k + ch], g2 = gv * gv, denom = 2 * g2 + sumA * g2 * gv;
                    if (gv != 0 && denom != 0) s += g2 / denom * Math.max(gv, 0);
                }
                weight[ch] = s;
            }
        }
        float[] cam = new float[hw];
        for (int p = 0; p < hw; p++) {
            double s = 0;
            for (int ch = 0; ch < k; ch++) s += weight[ch] * a[off + p * k + ch];
            cam[p] = (float) Math.max(0, s);
        }
        return cam;
    }

    /**
     * Bilinear resize of an {@code h×w} map to the input's {@code H×W} with half-pixel centres
     * (PyTorch's {@code align_corners=False}), repeated over the input's channels into {@code out[off..]}.
     */
    static void upsample(float[] cam, int h, int w, int[] inShape, float[] out, int off) {
        int H = inShape[0], W = inShape[1], C = inShape.length > 2 ? inShape[2] : 1;
        for (int y = 0; y < H; y++) {
            double sy = Math.max(0, (y + 0.5) * h / H - 0.5);
            int y0 = Math.min((int) sy, h - 1), y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int xx = 0; xx < W; xx++) {
                double sx = Math.max(0, (xx + 0.5) * w / W - 0.5);
                int x0 = Math.min((int) sx, w - 1), x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double v = (1 - fy) * ((1 - fx) * cam[y0 * w + x0] + fx * cam[y0 * w + x1])
                        + fy * ((1 - fx) * cam[y1 * w + x0] + fx * cam[y1 * w + x1]);
                for (int ch = 0; ch < C; ch++) out[off + (y * W + xx) * C + ch] = (float) v;
            }
        }
    }
}
