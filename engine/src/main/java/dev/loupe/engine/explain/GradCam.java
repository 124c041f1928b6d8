package dev.loupe.engine.explain;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.nn.ActivationLayer;
import dev.loupe.engine.nn.ConvLayer;
import dev.loupe.engine.ConvShape;
import dev.loupe.engine.PoolShape;
import dev.loupe.engine.nn.Layer;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.nn.PoolLayer;
import java.util.Arrays;

/**
 * Grad-CAM (Selvaraju et al. 2017) and Grad-CAM++ (Chattopadhyay et al. 2018) on one layer with
 * spatial output {@code [h, w, K]}: a class-activation map ReLU(Σ_k α_k A_k) at the layer's
 * resolution, upsampled bilinearly to the input's height and width and repeated over its channels.
 *
 * <p>Upsampling is {@link Upsampling#ALIGNED aligned} by default: layer pixel i sits at the centre
 * of its receptive field in the input (offset + stride·i, from the kernels, strides and padding
 * before it), so maps of unpadded convolutions are not shifted. {@link Upsampling#RESIZE} is the
 * usual plain resize (PyTorch {@code interpolate(align_corners=False)}, Captum's
 * {@code LayerAttribution.interpolate}), which stretches the h×w map over the whole image.
 */
public final class GradCam {
    private GradCam() {}

    /** How the layer-resolution map is brought to input resolution. */
    public enum Upsampling { ALIGNED, RESIZE }

    /**
     * Where layer pixel (i, j) of {@code layer} is centred in input pixel coordinates:
     * {@code {offsetY, strideY, offsetX, strideX}} with centre = offset + stride · index.
     */
    public static double[] receptiveField(Network net, Layer layer) {
        double oy = 0, sy = 1, ox = 0, sx = 1;
        for (Layer l : net.layers()) {
            int kh = 1, kw = 1, stride = 1, pad = 0;
            if (l instanceof ConvLayer c) {
                ConvShape g = c.geometry();
                kh = g.kh();
                kw = g.kw();
                stride = g.stride();
                pad = g.pad();
            } else if (l instanceof PoolLayer p) {
                PoolShape g = p.geometry();
                kh = g.kh();
                kw = g.kw();
                stride = g.stride();
                pad = g.pad();
            }
            oy += sy * ((kh - 1) / 2.0 - pad);
            ox += sx * ((kw - 1) / 2.0 - pad);
            sy *= stride;
            sx *= stride;
            if (l == layer) return new double[] {oy, sy, ox, sx};
        }
        throw new IllegalArgumentException("layer " + layer.name() + " is not in the network");
    }

    /** The mapping that plain resizing implies: {@code h} cells spread evenly over {@code H} pixels. */
    static double[] resizeGeometry(int h, int w, int[] inShape) {
        double sy = (double) inShape[0] / h, sx = (double) inShape[1] / w;
        return new double[] {sy / 2 - 0.5, sy, sx / 2 - 0.5, sx};
    }

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

    static float[] compute(GradientRunner runner, Layer layer, float[] x, int n, int[] targets, boolean plusPlus, Upsampling up) {
        Network net = runner.network();
        int d = net.inputSize();
        int[] in = net.spec().inputShape();
        int[] ls = layer.outShape();
        int h = ls[0], w = ls[1], k = ls[2];
        double[] geo = up == Upsampling.ALIGNED ? receptiveField(net, layer) : resizeGeometry(h, w, in);
        float[] out = new float[n * d];
        runner.layerGradients(n, (r, dst, off) -> System.arraycopy(x, r * d, dst, off, d), r -> targets[r], layer,
                (r, c, i) -> {
                    float[] cam = map(c.acts, c.actGrads, i * c.actSize, h, w, k, plusPlus);
                    upsample(cam, h, w, geo, in, out, r * d);
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
     * Bilinear interpolation of an {@code h×w} map at every input pixel: input pixel y reads the map
     * at {@code (y − offset) / stride}, clamped to the map's edge; the value is repeated over the
     * input's channels into {@code out[off..]}. With {@link #resizeGeometry} this is PyTorch's
     * {@code align_corners=False} resize.
     */
    static void upsample(float[] cam, int h, int w, double[] geo, int[] inShape, float[] out, int off) {
        int H = inShape[0], W = inShape[1], C = inShape.length > 2 ? inShape[2] : 1;
        for (int y = 0; y < H; y++) {
            double sy = Math.min(h - 1, Math.max(0, (y - geo[0]) / geo[1]));
            int y0 = (int) sy, y1 = Math.min(y0 + 1, h - 1);
            double fy = sy - y0;
            for (int xx = 0; xx < W; xx++) {
                double sx = Math.min(w - 1, Math.max(0, (xx - geo[2]) / geo[3]));
                int x0 = (int) sx, x1 = Math.min(x0 + 1, w - 1);
                double fx = sx - x0;
                double v = (1 - fy) * ((1 - fx) * cam[y0 * w + x0] + fx * cam[y0 * w + x1])
                        + fy * ((1 - fx) * cam[y1 * w + x0] + fx * cam[y1 * w + x1]);
                for (int ch = 0; ch < C; ch++) out[off + (y * W + xx) * C + ch] = (float) v;
            }
        }
    }
}
