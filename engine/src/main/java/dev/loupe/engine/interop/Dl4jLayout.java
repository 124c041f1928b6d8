package dev.loupe.engine.interop;

import dev.loupe.datasets.BadInputException;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a DL4J {@link MultiLayerNetwork}'s parameters and inputs line up with a Loupe network's:
 * one {@link Binding} per Loupe tensor (its window of {@code Network.getParams()} and the DL4J
 * parameter it is read from), and the input format the DL4J network expects.
 *
 * <p>The layouts differ in three places. Loupe images are NHWC and DL4J's NCHW. Loupe conv
 * weights are {@code [kh, kw, c, f]} (im2col column order) and DL4J's {@code [f, c, kh, kw]}.
 * A dense layer after a flatten sees Loupe's {@code (h, w, c)} order but DL4J's {@code (c, h, w)},
 * so its weight rows are permuted. Dense weights are {@code [in, out]} in both.
 */
public record Dl4jLayout(List<Binding> bindings, long paramCount, int[] inputShape, InputFormat inputFormat) {

    /** How the DL4J network wants one batch of inputs. */
    public enum InputFormat {
        /** {@code [N, D]} in Loupe's own order (vector inputs). */
        FLAT,
        /** {@code [N, C·H·W]}, channel-major ({@code InputType.convolutionalFlat}). */
        FLAT_CHW,
        /** {@code [N, C, H, W]} ({@code InputType.convolutional}, NCHW). */
        NCHW,
        /** {@code [N, H, W, C]}: DL4J layers in NHWC format (e.g. imported Keras channels_last models). */
        NHWC
    }

    /** How a tensor is rearranged between the two layouts. */
    public enum Kind {
        /** Loupe {@code [in, out]} ← DL4J {@code [in, out]}; rows permuted when {@code flatHwc} is set. */
        DENSE_W,
        /** Loupe {@code [kh, kw, c, f]} ← DL4J {@code [f, c, kh, kw]}. */
        CONV_W,
        /** Loupe {@code [f]} ← DL4J {@code [1, f]}. */
        BIAS
    }

    /**
     * One Loupe tensor: {@code dl4jKey} (e.g. {@code 3_W}) or {@code null} for a bias DL4J does not
     * have (read as zeros); {@code flatHwc} is the {@code [H, W, C]} a dense layer's input was
     * flattened from, or {@code null}.
     */
    public record Binding(String dl4jKey, Kind kind, long offset, int[] loupeShape, int[] flatHwc) {
        long size() {
            long s = 1;
            for (int d : loupeShape) s *= d;
            return s;
        }
    }

    public Dl4jLayout {
        bindings = List.copyOf(bindings);
        inputShape = inputShape.clone();
    }

    @Override
    public int[] inputShape() { return inputShape.clone(); }

    /** DL4J's parameters in {@code Network.getParams()} layout. */
    public float[] params(MultiLayerNetwork net) {
        return gather(net.paramTable(), "parameter");
    }

    /**
     * DL4J's last computed gradients ({@code computeGradientAndScore} on {@code batch} samples) in
     * {@code Network.getGrads()} layout, as Loupe's: the gradient of the mean loss. DL4J's
     * {@code gradient()} is the minibatch sum (measured: exactly {@code batch}× Loupe's); its
     * updater divides by the minibatch size later, while its {@code score()} is already the mean.
     */
    public float[] meanGradients(MultiLayerNetwork net, int batch) {
        float[] g = gather(net.gradient().gradientForVariable(), "gradient");
        for (int i = 0; i < g.length; i++) g[i] /= batch;
        return g;
    }

    /** Writes a Loupe parameter vector into the DL4J network. */
    public void setParams(MultiLayerNetwork net, float[] loupe) {
        if (loupe.length != paramCount) {
            throw new BadInputException("parameter vector has " + loupe.length + " values, the model needs " + paramCount);
        }
        for (Binding b : bindings) {
            if (b.dl4jKey() == null) continue;
            INDArray target = net.getParam(b.dl4jKey());
            float[] dl4j = new float[(int) b.size()];
            toDl4j(b, loupe, dl4j);
            target.assign(Nd4j.create(dl4j, target.shape(), 'c').castTo(target.dataType()));
        }
    }

    /** The first {@code n} Loupe samples ({@code [N, H, W, C]} or {@code [N, D]}, row-major) as DL4J input. */
    public INDArray input(float[] loupe, int n, DataType type) {
        int d = 1;
        for (int s : inputShape) d *= s;
        float[] x = new float[n * d];
        if (inputFormat == InputFormat.FLAT || inputFormat == InputFormat.NHWC) {
            System.arraycopy(loupe, 0, x, 0, x.length);
            long[] shape = inputFormat == InputFormat.FLAT ? new long[] {n, d} : new long[] {n, inputShape[0], inputShape[1], inputShape[2]};
            return Nd4j.create(x, shape, 'c').castTo(type);
        }
        int h = inputShape[0], w = inputShape[1], c = inputShape[2];
        for (int s = 0; s < n; s++) {
            int base = s * d;
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    for (int k = 0; k < c; k++) x[base + (k * h + i) * w + j] = loupe[base + (i * w + j) * c + k];
                }
            }
        }
        long[] shape = inputFormat == InputFormat.NCHW ? new long[] {n, c, h, w} : new long[] {n, d};
        return Nd4j.create(x, shape, 'c').castTo(type);
    }

    private float[] gather(Map<String, INDArray> table, String what) {
        float[] out = new float[(int) paramCount];
        for (Binding b : bindings) {
            if (b.dl4jKey() == null) continue;
            INDArray a = table.get(b.dl4jKey());
            if (a == null) throw new IllegalStateException("DL4J network has no " + what + " " + b.dl4jKey());
            if (a.length() != b.size()) {
                throw new BadInputException("DL4J " + what + " " + b.dl4jKey() + " has " + a.length() + " values, Loupe expects "
                        + b.size());
            }
            float[] dl4j = a.castTo(DataType.FLOAT).dup('c').data().asFloat();
            fromDl4j(b, dl4j, out);
        }
        return out;
    }

    /** DL4J row-major tensor → Loupe window. */
    private static void fromDl4j(Binding b, float[] dl4j, float[] loupe) {
        int off = (int) b.offset();
        int[] s = b.loupeShape();
        switch (b.kind()) {
            case BIAS -> System.arraycopy(dl4j, 0, loupe, off, dl4j.length);
            case DENSE_W -> {
                int in = s[0], out = s[1];
                for (int r = 0; r < in; r++) {
                    int src = b.flatHwc() == null ? r : chwRow(r, b.flatHwc());
                    System.arraycopy(dl4j, src * out, loupe, off + r * out, out);
                }
            }
            case CONV_W -> {
                int kh = s[0], kw = s[1], c = s[2], f = s[3];
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        for (int k = 0; k < c; k++) {
                            for (int o = 0; o < f; o++) {
                                loupe[off + ((i * kw + j) * c + k) * f + o] = dl4j[((o * c + k) * kh + i) * kw + j];
                            }
                        }
                    }
                }
            }
        }
    }

    /** Loupe window → DL4J row-major tensor (the inverse of {@link #fromDl4j}). */
    private static void toDl4j(Binding b, float[] loupe, float[] dl4j) {
        int off = (int) b.offset();
        int[] s = b.loupeShape();
        switch (b.kind()) {
            case BIAS -> System.arraycopy(loupe, off, dl4j, 0, dl4j.length);
            case DENSE_W -> {
                int in = s[0], out = s[1];
                for (int r = 0; r < in; r++) {
                    int dst = b.flatHwc() == null ? r : chwRow(r, b.flatHwc());
                    System.arraycopy(loupe, off + r * out, dl4j, dst * out, out);
                }
            }
            case CONV_W -> {
                int kh = s[0], kw = s[1], c = s[2], f = s[3];
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        for (int k = 0; k < c; k++) {
                            for (int o = 0; o < f; o++) {
                                dl4j[((o * c + k) * kh + i) * kw + j] = loupe[off + ((i * kw + j) * c + k) * f + o];
                            }
                        }
                    }
                }
            }
        }
    }

    /** The DL4J (c, h, w) flatten index of Loupe's (h, w, c) flatten index {@code r}. */
    static int chwRow(int r, int[] hwc) {
        int h = hwc[0], w = hwc[1], c = hwc[2];
        int k = r % c, j = (r / c) % w, i = r / (c * w);
        return (k * h + i) * w + j;
    }
}
