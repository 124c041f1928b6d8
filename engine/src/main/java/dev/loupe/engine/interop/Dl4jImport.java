package dev.loupe.engine.interop;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.Activation;
import dev.loupe.engine.nn.ModelSpec;
import java.util.Arrays;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/** Translates a DL4J {@link MultiLayerNetwork}'s configuration into a Loupe model and parameter layout. */
final class Dl4jImport {
    private Dl4jImport() {}

    static final String SUPPORTED = "DenseLayer, OutputLayer, LossLayer, ConvolutionLayer, SubsamplingLayer (MAX/AVG), "
            + "GlobalPoolingLayer (AVG), ActivationLayer, DropoutLayer";

    /** The Loupe model (inputs NHWC) and how its parameters map onto {@code net}'s. */
    record Result(ModelSpec spec, Dl4jLayout layout) {}

    static Result convert(MultiLayerNetwork net, int[] inputShapeOrNull, String name) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        int count = conf.getConfs().size();
        if (count == 0) throw new BadInputException("the DL4J network has no layers");
        Dl4jLayout.InputFormat format;
        int[] input;
        InputPreProcessor first = conf.getInputPreProcess(0);
        Layer layer0 = conf.getConf(0).getLayer();
        if (first instanceof FeedForwardToCnnPreProcessor p) {
            format = Dl4jLayout.InputFormat.FLAT_CHW;
            input = new int[] {(int) p.getInputHeight(), (int) p.getInputWidth(), (int) p.getNumChannels()};
        } else if (first != null) {
            throw new BadInputException("the DL4J network's input preprocessor " + first.getClass().getSimpleName()
                    + " is not supported (supported: FeedForwardToCnnPreProcessor from InputType.convolutionalFlat)");
        } else if (layer0 instanceof ConvolutionLayer || layer0 instanceof SubsamplingLayer || layer0 instanceof GlobalPoolingLayer) {
            format = formatOf(layer0) == CNN2DFormat.NHWC ? Dl4jLayout.InputFormat.NHWC : Dl4jLayout.InputFormat.NCHW;
            if (inputShapeOrNull == null) {
                throw new BadInputException("the DL4J network takes images without recording their height and width; "
                        + "give the input shape as H,W,C (loupe import --input-shape)");
            }
            input = inputShapeOrNull.clone();
            if (input.length != 3) throw new BadInputException("input shape " + Arrays.toString(input) + " must be H,W,C for this convolutional network");
            if (layer0 instanceof ConvolutionLayer c && c.getNIn() != input[2]) {
                throw new BadInputException("input shape " + Arrays.toString(input) + " has " + input[2] + " channels; the network's first layer expects "
                        + c.getNIn());
            }
        } else if (layer0 instanceof org.deeplearning4j.nn.conf.layers.FeedForwardLayer f && f.getNIn() > 0) {
            format = Dl4jLayout.InputFormat.FLAT;
            input = new int[] {(int) f.getNIn()};
        } else {
            throw new BadInputException("cannot tell the input shape of the DL4J network (first layer " + describe(0, layer0) + ")");
        }
        if (inputShapeOrNull != null && !Arrays.equals(inputShapeOrNull, input)) {
            throw new BadInputException("input shape " + Arrays.toString(inputShapeOrNull) + " does not match the DL4J network's "
                    + Arrays.toString(input));
        }

        // every image layer must use the format the input arrives in
        CNN2DFormat images = format == Dl4jLayout.InputFormat.NHWC ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
        SpecBuilder b = new SpecBuilder(input);
        ModelSpec.Loss loss = null;
        for (int i = 0; i < count; i++) {
            Layer l = conf.getConf(i).getLayer();
            String where = describe(i, l);
            if (loss != null) throw new BadInputException(where + " follows the output layer; Loupe models end with their loss");
            InputPreProcessor pre = i == 0 ? null : conf.getInputPreProcess(i);
            if (pre instanceof CnnToFeedForwardPreProcessor p) {
                checkFormat(p.getFormat(), images, where);
                b.requireImage(where);
                b.flatten(p.getFormat() == CNN2DFormat.NCHW);
            } else if (pre != null) {
                throw new BadInputException(where + ": input preprocessor " + pre.getClass().getSimpleName() + " is not supported");
            }
            if (!(l instanceof DropoutLayer)) b.dropout(dropProbability(l.getIDropout(), where));
            if (l instanceof BaseLayer bl && bl.getWeightNoise() != null) {
                throw new BadInputException(where + ": weight noise (" + bl.getWeightNoise().getClass().getSimpleName() + ") is not supported");
            }
            switch (l) {
                case OutputLayer o when o.getClass() == OutputLayer.class -> {
                    dense(b, o.getNIn(), o.getNOut(), o.hasBias(), i, where);
                    loss = loss(o.getLossFn(), o.getActivationFn(), where);
                }
                case LossLayer o -> loss = loss(o.getLossFn(), o.getActivationFn(), where);
                case DenseLayer d when d.getClass() == DenseLayer.class -> {
                    if (d.hasLayerNorm()) throw new BadInputException(where + ": layer normalization is not supported");
                    dense(b, d.getNIn(), d.getNOut(), d.hasBias(), i, where);
                    if (d.getActivationFn() instanceof ActivationSoftmax && i == count - 1) {
                        // a classifier saved without its loss (Keras models): Loupe keeps logits and trains with softmax CE
                        loss = ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY;
                    } else if (d.getActivationFn() instanceof ActivationIdentity && i == count - 1) {
                        // a linear output saved without its loss: a regressor, trained with MSE
                        loss = ModelSpec.Loss.MSE;
                    } else {
                        act(b, d.getActivationFn(), where);
                    }
                }
                case ConvolutionLayer c when c.getClass() == ConvolutionLayer.class -> {
                    b.requireImage(where);
                    checkFormat(c.getCnn2dDataFormat(), images, where);
                    int k = square(c.getKernelSize(), "kernel", where);
                    int s = square(c.getStride(), "stride", where);
                    if (square(c.getDilation(), "dilation", where) != 1) throw new BadInputException(where + ": dilation is not supported");
                    int pad = padding(c.getConvolutionMode(), c.getPadding(), k, s, b.shape(), where);
                    b.conv((int) c.getNOut(), k, s, pad, i + "_W", c.hasBias() ? i + "_b" : null);
                    act(b, c.getActivationFn(), where);
                }
                case SubsamplingLayer p when p.getClass() == SubsamplingLayer.class -> {
                    b.requireImage(where);
                    checkFormat(p.getCnn2dDataFormat(), images, where);
                    if (p.getPoolingType() != PoolingType.MAX && p.getPoolingType() != PoolingType.AVG) {
                        throw new BadInputException(where + ": pooling type " + p.getPoolingType() + " is not supported (MAX, AVG)");
                    }
                    int k = square(p.getKernelSize(), "kernel", where);
                    int s = square(p.getStride(), "stride", where);
                    if (square(p.getDilation(), "dilation", where) != 1) throw new BadInputException(where + ": dilation is not supported");
                    if (padding(p.getConvolutionMode(), p.getPadding(), k, s, b.shape(), where) != 0) {
                        throw new BadInputException(where + ": padded pooling is not supported");
                    }
                    b.pool(p.getPoolingType() == PoolingType.MAX, k, s);
                }
                case GlobalPoolingLayer g -> {
                    b.requireImage(where);
                    if (g.getPoolingType() != PoolingType.AVG) {
                        throw new BadInputException(where + ": global pooling type " + g.getPoolingType() + " is not supported (AVG)");
                    }
                    if (!g.isCollapseDimensions()) throw new BadInputException(where + ": global pooling without collapsed dimensions is not supported");
                    int[] dims = g.getPoolingDimensions();
                    int[] spatial = images == CNN2DFormat.NHWC ? new int[] {1, 2} : new int[] {2, 3};
                    if (dims != null && !Arrays.equals(dims, spatial)) {
                        throw new BadInputException(where + ": global pooling over dimensions " + Arrays.toString(dims) + " is not supported");
                    }
                    b.globalAvgPool();
                }
                case ActivationLayer a -> act(b, a.getActivationFn(), where);
                case DropoutLayer d -> b.dropout(dropProbability(d.getIDropout(), where));
                default -> throw new BadInputException(where + " is not supported by Loupe (supported: " + SUPPORTED + ")");
            }
        }
        if (loss == null) throw new BadInputException("the DL4J network has no OutputLayer or LossLayer; Loupe needs a loss to train");
        Dl4jLayout layout = b.layout(format);
        return new Result(b.spec(name, loss), layout);
    }

    static String describe(int i, Layer l) {
        String n = l.getLayerName();
        return "layer " + i + (n == null || n.equals(Integer.toString(i)) || n.equals("layer" + i) ? "" : " '" + n + "'") + " (" + l.getClass().getSimpleName() + ")";
    }

    private static void dense(SpecBuilder b, long nIn, long nOut, boolean bias, int i, String where) {
        if (nIn != b.size()) {
            throw new BadInputException(where + " expects " + nIn + " inputs but receives " + b.size() + " (shape " + Arrays.toString(b.shape()) + ")");
        }
        b.dense((int) nOut, i + "_W", bias ? i + "_b" : null);
    }

    private static void act(SpecBuilder b, IActivation fn, String where) {
        switch (fn) {
            case ActivationIdentity x -> b.activation(Activation.IDENTITY, 0);
            case ActivationReLU r -> {
                if (r.getMax() != null || (r.getThreshold() != null && r.getThreshold() != 0)
                        || (r.getNegativeSlope() != null && r.getNegativeSlope() != 0)) {
                    throw new BadInputException(where + ": ReLU with max/threshold/negative slope is not supported");
                }
                b.activation(Activation.RELU, 0);
            }
            case ActivationLReLU r -> b.activation(Activation.LEAKY_RELU, (float) r.getAlpha());
            case ActivationSigmoid s -> b.activation(Activation.SIGMOID, 0);
            case ActivationTanH t -> b.activation(Activation.TANH, 0);
            // measured (Dl4jParityTest.dl4jGeluDiffersFromLoupeGelu): precise=false is x·σ(1.702x), precise=true
            // is neither the tanh approximation nor erf; both differ from Loupe's tanh GELU by 2e-2..3e-2
            case ActivationGELU g -> throw new BadInputException(where + ": DL4J's GELU (precise=" + g.isPrecise()
                    + ") does not compute Loupe's tanh-approximated GELU; not supported");
            default -> throw new BadInputException(where + ": activation " + fn + " is not supported "
                    + "(relu, leakyrelu, sigmoid, tanh, identity)");
        }
    }

    private static ModelSpec.Loss loss(ILossFunction fn, IActivation act, String where) {
        if (fn instanceof LossMCXENT x && x.getWeights() == null && act instanceof ActivationSoftmax) {
            return ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY;
        }
        if (fn instanceof LossMSE m && m.getWeights() == null && act instanceof ActivationIdentity) return ModelSpec.Loss.MSE;
        throw new BadInputException(where + ": loss " + fn + " with activation " + act + " is not supported "
                + "(softmax + MCXENT/NEGATIVELOGLIKELIHOOD, identity + MSE; no loss weights)");
    }

    /** Loupe's drop probability for a DL4J dropout (whose {@code p} is the probability to keep). */
    private static float dropProbability(IDropout d, String where) {
        if (d == null) return 0;
        if (!(d instanceof Dropout plain) || plain.getPSchedule() != null) {
            throw new BadInputException(where + ": dropout " + d + " is not supported (plain Dropout with a fixed p)");
        }
        return (float) (1 - plain.getP());
    }

    private static CNN2DFormat formatOf(Layer l) {
        CNN2DFormat f = switch (l) {
            case ConvolutionLayer c -> c.getCnn2dDataFormat();
            case SubsamplingLayer p -> p.getCnn2dDataFormat();
            default -> null;
        };
        return f == null ? CNN2DFormat.NCHW : f;
    }

    private static void checkFormat(CNN2DFormat f, CNN2DFormat expected, String where) {
        if ((f == null ? CNN2DFormat.NCHW : f) != expected) {
            throw new BadInputException(where + ": data format " + f + " differs from the input's " + expected + "; mixed formats are not supported");
        }
    }

    private static int square(int[] v, String what, String where) {
        if (v == null || v.length != 2 || v[0] != v[1]) {
            throw new BadInputException(where + ": " + what + " " + Arrays.toString(v) + " is not square; Loupe supports square " + what + "s only");
        }
        return v[0];
    }

    /**
     * Loupe's symmetric zero padding for a DL4J convolution mode; {@code Same} is expressible only
     * when DL4J's total padding ((out−1)·s + k − in, out = ⌈in/s⌉) is even, since Loupe pads both
     * sides alike and DL4J puts the odd pixel at the bottom/right.
     */
    static int padding(ConvolutionMode mode, int[] pad, int k, int s, int[] shape, String where) {
        if (mode == null || mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict) {
            return square(pad, "padding", where);
        }
        if (mode != ConvolutionMode.Same) {
            throw new BadInputException(where + ": convolution mode " + mode + " is not supported (Truncate, Strict, Same)");
        }
        int p = -1;
        for (int d = 0; d < 2; d++) {
            int in = shape[d], out = (in + s - 1) / s;
            int total = Math.max(0, (out - 1) * s + k - in);
            if (total % 2 != 0 || (p >= 0 && p != total / 2) || (in + total - k) / s + 1 != out) {
                throw new BadInputException(where + ": ConvolutionMode.Same pads " + shape[0] + "x" + shape[1] + " unevenly for kernel "
                        + k + ", stride " + s + "; Loupe has symmetric padding only");
            }
            p = total / 2;
        }
        return p;
    }
}
