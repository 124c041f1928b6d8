package dev.loupe.engine.interop;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds the DL4J {@link MultiLayerNetwork} that computes what a Loupe model computes: a dense or
 * conv layer directly followed by an activation becomes one DL4J layer with that activation; a
 * final dense layer becomes the {@code OutputLayer} (softmax + MCXENT or identity + MSE); flatten
 * is DL4J's automatic CNN→dense preprocessor; images go in as NCHW.
 */
final class Dl4jExport {
    private Dl4jExport() {}

    static Dl4jModels.Peer build(ModelSpec spec, float[] params, DataType type, IUpdater updater) {
        int[] in = spec.inputShape();
        boolean image = in.length == 3;
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(0).dataType(type).updater(updater).weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Truncate).list();
        SpecBuilder b = new SpecBuilder(in);
        List<LayerSpec> layers = spec.layers();
        boolean sce = spec.loss() == ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY;
        int dl4j = 0;
        boolean ended = false;
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            LayerSpec next = i + 1 < layers.size() ? layers.get(i + 1) : null;
            // a following activation is fused into the dense/conv layer, as a DL4J user would write it
            IActivation fused = next instanceof LayerSpec.Act a ? dl4jActivation(a) : null;
            switch (l) {
                case LayerSpec.Dense d -> {
                    if (next == null) {
                        list.layer(new OutputLayer.Builder(sce ? LossFunctions.LossFunction.MCXENT : LossFunctions.LossFunction.MSE)
                                .activation(sce ? Activation.SOFTMAX : Activation.IDENTITY).nOut(d.units()).build());
                        ended = true;
                    } else {
                        list.layer(new DenseLayer.Builder().nOut(d.units()).activation(fused != null ? fused : new ActivationIdentity()).build());
                    }
                    b.dense(d.units(), dl4j + "_W", dl4j + "_b");
                    dl4j++;
                }
                case LayerSpec.Conv2d c -> {
                    list.layer(new ConvolutionLayer.Builder(c.kernel(), c.kernel()).stride(c.stride(), c.stride())
                            .padding(c.padding(), c.padding()).nOut(c.filters())
                            .activation(fused != null ? fused : new ActivationIdentity()).build());
                    b.conv(c.filters(), c.kernel(), c.stride(), c.padding(), dl4j + "_W", dl4j + "_b");
                    dl4j++;
                }
                case LayerSpec.MaxPool2d p -> dl4j += pool(list, b, PoolingType.MAX, p.size(), p.stride());
                case LayerSpec.AvgPool2d p -> dl4j += pool(list, b, PoolingType.AVG, p.size(), p.stride());
                case LayerSpec.GlobalAvgPool g -> {
                    list.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build());
                    b.globalAvgPool();
                    dl4j++;
                }
                case LayerSpec.Flatten f -> b.flatten(true);
                case LayerSpec.Act a -> {
                    boolean fusedIntoPrevious = i > 0 && (layers.get(i - 1) instanceof LayerSpec.Dense
                            || layers.get(i - 1) instanceof LayerSpec.Conv2d);
                    if (!fusedIntoPrevious) {
                        list.layer(new ActivationLayer.Builder().activation(dl4jActivation(a)).build());
                        dl4j++;
                    }
                    b.activation(a.fn(), a.alpha());
                }
                case LayerSpec.Dropout d -> {
                    // DL4J's p is the probability to keep
                    list.layer(new DropoutLayer.Builder(1.0 - d.p()).build());
                    b.dropout(d.p());
                    dl4j++;
                }
            }
        }
        if (!ended) {
            list.layer(new LossLayer.Builder(sce ? LossFunctions.LossFunction.MCXENT : LossFunctions.LossFunction.MSE)
                    .activation(sce ? Activation.SOFTMAX : Activation.IDENTITY).build());
        }
        list.setInputType(image ? InputType.convolutional(in[0], in[1], in[2]) : InputType.feedForward(in[0]));
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Dl4jLayout layout = b.layout(image ? Dl4jLayout.InputFormat.NCHW : Dl4jLayout.InputFormat.FLAT);
        if (params != null) layout.setParams(net, params);
        return new Dl4jModels.Peer(net, layout);
    }

    private static int pool(NeuralNetConfiguration.ListBuilder list, SpecBuilder b, PoolingType type, int size, int stride) {
        list.layer(new SubsamplingLayer.Builder(type).kernelSize(size, size).stride(stride, stride).build());
        b.pool(type == PoolingType.MAX, size, stride);
        return 1;
    }

    private static IActivation dl4jActivation(LayerSpec.Act a) {
        return switch (a.fn()) {
            case RELU -> new ActivationReLU();
            case SIGMOID -> new ActivationSigmoid();
            case TANH -> new ActivationTanH();
            case IDENTITY -> new ActivationIdentity();
            case LEAKY_RELU -> new ActivationLReLU(a.alpha());
            case GELU -> throw new BadInputException("DL4J has no tanh-approximated GELU matching Loupe's; cannot build a DL4J peer for this model");
        };
    }
}
