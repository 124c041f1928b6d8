package dev.loupe.engine.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.FashionMnist;
import dev.loupe.engine.Activation;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J networks written the way DL4J users write them (not built by {@link Dl4jExport}) import
 * into Loupe models whose outputs match DL4J's; what Loupe cannot express is refused by name.
 */
class Dl4jImportTest {
    @TempDir
    Path tmp;

    private static NeuralNetConfiguration.ListBuilder base() {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).updater(new Sgd(0.05)).list();
    }

    /** A Fashion-MNIST CNN on convolutionalFlat input, with Same padding, both poolings, dropout and a layer activation. */
    static MultiLayerNetwork fashionCnn() {
        MultiLayerNetwork net = new MultiLayerNetwork(base()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(6).convolutionMode(ConvolutionMode.Same)
                        .activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(org.nd4j.linalg.activations.Activation.TANH).build())
                .layer(new DropoutLayer.Builder(0.8).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(20).activation(new ActivationLReLU(0.2)).dropOut(0.9).build())
                .layer(new ActivationLayer.Builder().activation(org.nd4j.linalg.activations.Activation.SIGMOID).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1)).build());
        net.init();
        return net;
    }

    /** Trains a few DL4J steps so weights and biases are no longer DL4J's initial values. */
    static INDArray[] trainBriefly(MultiLayerNetwork net, int n) {
        Dataset fm = FashionMnist.loadEmbedded();
        INDArray x = Nd4j.create(Arrays.copyOf(fm.trainInputs(), n * 784), new long[] {n, 784}, 'c');
        INDArray y = Dl4jParityTest.oneHot(Arrays.copyOf(fm.trainTargets(), n), 10).castTo(DataType.FLOAT);
        for (int i = 0; i < 5; i++) net.fit(new DataSet(x, y));
        return new INDArray[] {x, y};
    }

    /** Loupe's eval-mode outputs for {@code n} NHWC samples on the reference backend. */
    static float[] loupeOutputs(Dl4jModels.Imported m, float[] x, int n) {
        try (ReferenceBackend b = new ReferenceBackend()) {
            Network net = new Network(b, m.spec(), n, 0);
            net.setParams(m.params());
            net.setInput(x, n);
            net.forward(n, false, 0);
            float[] out = new float[n * net.outputSize()];
            b.download(net.output(), 0, out, 0, out.length);
            return out;
        }
    }

    static double maxAbsDiff(double[] a, double[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    @Test
    void trainedFashionCnnImportsWithMatchingOutputs() throws IOException {
        MultiLayerNetwork dl4j = fashionCnn();
        INDArray x = trainBriefly(dl4j, 64)[0];
        Path zip = tmp.resolve("cnn.zip");
        ModelSerializer.writeModel(dl4j, zip.toFile(), false);

        Dl4jModels.Imported m = Dl4jModels.load(zip, null);
        assertEquals(List.of(new LayerSpec.Conv2d(6, 5, 1, 2), new LayerSpec.Act(Activation.RELU, 0), new LayerSpec.MaxPool2d(2, 2),
                new LayerSpec.Conv2d(8, 3, 1, 0), new LayerSpec.Act(Activation.TANH, 0), new LayerSpec.Dropout(0.2f),
                new LayerSpec.AvgPool2d(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dropout(0.1f), new LayerSpec.Dense(20),
                new LayerSpec.Act(Activation.LEAKY_RELU, 0.2f), new LayerSpec.Act(Activation.SIGMOID, 0), new LayerSpec.Dense(10)),
                m.spec().layers());
        assertEquals(ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY, m.spec().loss());
        assertTrue(Arrays.equals(new int[] {28, 28, 1}, m.spec().inputShape()));

        float[] xs = x.data().asFloat();
        double[] loupe = Dl4jParityTest.softmax(loupeOutputs(m, xs, 64), 10);
        double[] theirs = dl4j.output(x, false).castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double err = maxAbsDiff(loupe, theirs);
        System.out.printf("import fashion-cnn: max |softmax(loupe) - dl4j| = %.2e%n", err);
        assertTrue(err < 1e-5, "outputs differ by " + err);
    }

    @Test
    void multiChannelNetworkNeedsAndUsesTheGivenInputShape() {
        MultiLayerNetwork dl4j = new MultiLayerNetwork(base()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(5).stride(2, 2).padding(1, 1)
                        .activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(7).activation(org.nd4j.linalg.activations.Activation.IDENTITY).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(9, 8, 3)).build());
        dl4j.init();
        var ex = assertThrows(BadInputException.class, () -> Dl4jModels.fromDl4j(dl4j, null));
        assertTrue(ex.getMessage().contains("H,W,C"), ex.getMessage());

        Dl4jModels.Imported m = Dl4jModels.fromDl4j(dl4j, new int[] {9, 8, 3});
        assertEquals(ModelSpec.Loss.MSE, m.spec().loss());
        int n = 6, d = 9 * 8 * 3;
        float[] nhwc = new float[n * d];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < nhwc.length; i++) nhwc[i] = (float) r.nextGaussian();
        INDArray nchw = m.layout().input(nhwc, n, DataType.FLOAT);
        // independent check of the layout conversion: element (s, c, h, w) of DL4J's input is Loupe's (s, h, w, c)
        assertEquals(nhwc[((2 * 9 + 4) * 8 + 5) * 3 + 1], nchw.getFloat(2, 1, 4, 5));
        double[] loupe = Dl4jParityTest.toDouble(loupeOutputs(m, nhwc, n));
        double[] theirs = dl4j.output(nchw, false).castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double err = maxAbsDiff(loupe, theirs);
        System.out.printf("import rgb-mse: max |loupe - dl4j| = %.2e%n", err);
        assertTrue(err < 1e-5, "outputs differ by " + err);
    }

    @Test
    void globalAveragePoolingNetworkImports() {
        MultiLayerNetwork dl4j = new MultiLayerNetwork(base()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(org.nd4j.linalg.activations.Activation.SIGMOID).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(7, 6, 2)).build());
        dl4j.init();
        Dl4jModels.Imported m = Dl4jModels.fromDl4j(dl4j, null);
        assertTrue(Arrays.equals(new int[] {7, 6, 2}, m.spec().inputShape()));
        int n = 5;
        float[] nhwc = new float[n * 84];
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < nhwc.length; i++) nhwc[i] = (float) r.nextGaussian();
        double[] loupe = Dl4jParityTest.softmax(loupeOutputs(m, nhwc, n), 3);
        double[] theirs = dl4j.output(m.layout().input(nhwc, n, DataType.FLOAT), false).castTo(DataType.DOUBLE).dup('c').data().asDouble();
        assertTrue(maxAbsDiff(loupe, theirs) < 1e-5, "outputs differ by " + maxAbsDiff(loupe, theirs));
    }

    @Test
    void channelsLastNetworkWithoutBiasOrLossImports() {
        // NHWC layers (as DL4J's Keras importer makes them), a bias-free dense layer, and a linear last layer without a loss
        MultiLayerNetwork dl4j = new MultiLayerNetwork(base()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).dataFormat(CNN2DFormat.NHWC).convolutionMode(ConvolutionMode.Same)
                        .activation(org.nd4j.linalg.activations.Activation.TANH).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new DenseLayer.Builder().nOut(5).hasBias(false).activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(2).activation(org.nd4j.linalg.activations.Activation.IDENTITY).build())
                .setInputType(InputType.convolutional(6, 7, 3, CNN2DFormat.NHWC)).build());
        dl4j.init();
        // give the last layer's bias a value so a dropped bias would show
        dl4j.getParam("3_b").assign(0.5);
        Dl4jModels.Imported m = Dl4jModels.fromDl4j(dl4j, new int[] {6, 7, 3});
        assertEquals(ModelSpec.Loss.MSE, m.spec().loss());
        assertEquals(List.of(new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Act(Activation.TANH, 0), new LayerSpec.GlobalAvgPool(),
                new LayerSpec.Dense(5), new LayerSpec.Act(Activation.RELU, 0), new LayerSpec.Dense(2)), m.spec().layers());
        int n = 4;
        float[] nhwc = new float[n * 126];
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < nhwc.length; i++) nhwc[i] = (float) r.nextGaussian();
        INDArray in = m.layout().input(nhwc, n, DataType.FLOAT);
        assertArrayEquals(new long[] {n, 6, 7, 3}, in.shape());
        double[] loupe = Dl4jParityTest.toDouble(loupeOutputs(m, nhwc, n));
        double[] theirs = dl4j.output(in, false).castTo(DataType.DOUBLE).dup('c').data().asDouble();
        assertTrue(maxAbsDiff(loupe, theirs) < 1e-5, "outputs differ by " + maxAbsDiff(loupe, theirs));
    }

    private static MultiLayerNetwork withMiddle(org.deeplearning4j.nn.conf.layers.Layer middle, InputType in) {
        MultiLayerNetwork net = new MultiLayerNetwork(base()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).build())
                .layer(middle)
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(in).build());
        net.init();
        return net;
    }

    @Test
    void unsupportedLayersAndSettingsAreRefusedByName() {
        InputType img = InputType.convolutionalFlat(12, 12, 1);
        var bn = assertThrows(BadInputException.class, () -> Dl4jModels.fromDl4j(withMiddle(new BatchNormalization.Builder().build(), img), null));
        assertTrue(bn.getMessage().contains("layer 1") && bn.getMessage().contains("BatchNormalization"), bn.getMessage());

        var gelu = assertThrows(BadInputException.class, () -> Dl4jModels.fromDl4j(withMiddle(
                new ActivationLayer.Builder().activation(new ActivationGELU(true)).build(), img), null));
        assertTrue(gelu.getMessage().contains("layer 1") && gelu.getMessage().contains("GELU"), gelu.getMessage());

        // Same with stride 2 on 12 pixels pads 1 in total: DL4J puts it bottom/right only
        var same = assertThrows(BadInputException.class, () -> Dl4jModels.fromDl4j(withMiddle(new ConvolutionLayer.Builder(3, 3)
                .stride(2, 2).convolutionMode(ConvolutionMode.Same).nOut(2).build(), img), null));
        assertTrue(same.getMessage().contains("layer 1") && same.getMessage().contains("unevenly"), same.getMessage());

        var rect = assertThrows(BadInputException.class, () -> Dl4jModels.fromDl4j(withMiddle(
                new ConvolutionLayer.Builder(3, 1).nOut(2).build(), img), null));
        assertTrue(rect.getMessage().contains("not square"), rect.getMessage());

        var pnorm = assertThrows(BadInputException.class, () -> Dl4jModels.fromDl4j(withMiddle(
                new SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(2).kernelSize(2, 2).stride(2, 2).build(), img), null));
        assertTrue(pnorm.getMessage().contains("PNORM"), pnorm.getMessage());
    }

    @Test
    void dl4jGeluDiffersFromLoupeGelu() {
        // why GELU is refused: Loupe's is the tanh approximation; neither DL4J variant computes it
        double[] xs = {-3, -1.5, 1, 2.5};
        for (boolean precise : new boolean[] {false, true}) {
            INDArray y = new ActivationGELU(precise).getActivation(Nd4j.createFromArray(xs), false);
            double worst = 0;
            for (int i = 0; i < xs.length; i++) {
                double v = xs[i];
                double tanhGelu = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
                worst = Math.max(worst, Math.abs(y.getDouble(i) - tanhGelu));
                if (!precise) assertEquals(v / (1 + Math.exp(-1.702 * v)), y.getDouble(i), 1e-6, "DL4J's default GELU is x·σ(1.702x)");
            }
            assertTrue(worst > 1e-2, "DL4J GELU(precise=" + precise + ") now matches Loupe's within " + worst + ": support it");
        }
    }

    @Test
    void badFilesAreBadInput() throws IOException {
        var missing = assertThrows(BadInputException.class, () -> Dl4jModels.restore(tmp.resolve("nope.zip")));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());

        Path text = Files.writeString(tmp.resolve("model.zip"), "this is not a zip");
        var notZip = assertThrows(BadInputException.class, () -> Dl4jModels.restore(text));
        assertTrue(notZip.getMessage().contains("not a DL4J model"), notZip.getMessage());

        Path otherZip = tmp.resolve("other.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(otherZip))) {
            z.putNextEntry(new ZipEntry("readme.txt"));
            z.write("hello".getBytes());
        }
        var notDl4j = assertThrows(BadInputException.class, () -> Dl4jModels.restore(otherZip));
        assertTrue(notDl4j.getMessage().contains("not a DL4J model"), notDl4j.getMessage());

        ComputationGraph graph = new ComputationGraph(new NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
                .addLayer("out", new OutputLayer.Builder().nIn(3).nOut(2).build(), "in").setOutputs("out").build());
        graph.init();
        Path graphZip = tmp.resolve("graph.zip");
        ModelSerializer.writeModel(graph, graphZip.toFile(), false);
        var cg = assertThrows(BadInputException.class, () -> Dl4jModels.restore(graphZip));
        assertTrue(cg.getMessage().contains("ComputationGraph"), cg.getMessage());
    }
}
