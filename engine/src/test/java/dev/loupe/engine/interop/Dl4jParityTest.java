package dev.loupe.engine.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.FashionMnist;
import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.BackendProvider;
import dev.loupe.engine.Backends;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.nn.Param;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Loupe on every available backend against DL4J (double precision) with identical weights on one
 * batch: loss, every parameter gradient and the forward output agree.
 *
 * <p>Error measure, per tensor: {@code max|loupe − dl4j| / max(max|dl4j|, 1e-6)}, i.e. the
 * largest deviation relative to the tensor's own scale (an elementwise relative error would blow
 * up on gradients that are near zero by cancellation). Gradients must agree to 1e-4, the loss to
 * 1e-5 relative, and the outputs (softmax probabilities, or raw outputs for MSE) to 1e-5 absolute.
 */
class Dl4jParityTest {
    private static final LayerSpec RELU = new LayerSpec.Act(Activation.RELU, 0);
    private static final int BATCH = 32;

    static ModelSpec mlp() {
        return new ModelSpec("mlp", new int[] {28, 28, 1}, List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(64), RELU,
                new LayerSpec.Dense(32), RELU, new LayerSpec.Dense(10)), ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
    }

    /** Like {@code Models.cnn} with fewer filters; the second conv is padded. */
    static ModelSpec cnn() {
        return new ModelSpec("cnn", new int[] {28, 28, 1}, List.of(
                new LayerSpec.Conv2d(8, 3, 1, 0), RELU, new LayerSpec.MaxPool2d(2, 2),
                new LayerSpec.Conv2d(16, 3, 1, 1), RELU, new LayerSpec.MaxPool2d(2, 2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(32), RELU, new LayerSpec.Dense(10)),
                ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
    }

    /** Three input channels, stride 2, average pooling and other activations: every layout permutation matters. */
    static ModelSpec rgb() {
        return new ModelSpec("rgb", new int[] {9, 8, 3}, List.of(
                new LayerSpec.Conv2d(4, 3, 2, 1), new LayerSpec.Act(Activation.LEAKY_RELU, 0.1f), new LayerSpec.AvgPool2d(2, 2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(6), new LayerSpec.Act(Activation.TANH, 0), new LayerSpec.Dense(4)),
                ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
    }

    /** Global average pooling, sigmoid, MSE with several outputs, and an activation that ends the model. */
    static ModelSpec gapMse() {
        return new ModelSpec("gap-mse", new int[] {6, 5, 2}, List.of(
                new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.Act(Activation.SIGMOID, 0), new LayerSpec.GlobalAvgPool(),
                new LayerSpec.Dense(3), new LayerSpec.Act(Activation.TANH, 0)), ModelSpec.Loss.MSE);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) {
            if (p.unavailableReason().isPresent()) continue;
            for (ModelSpec m : List.of(mlp(), cnn(), rgb(), gapMse())) out.add(Arguments.of(m.name(), p.name(), m));
        }
        return out.stream();
    }

    /** Inputs and targets: the first Fashion-MNIST training images, or seeded noise for the synthetic shapes. */
    private static float[][] batch(ModelSpec spec, int outputs) {
        int d = Arrays.stream(spec.inputShape()).reduce(1, (a, b) -> a * b);
        if (spec.inputShape()[0] == 28) {
            Dataset fm = FashionMnist.loadEmbedded();
            return new float[][] {Arrays.copyOf(fm.trainInputs(), BATCH * d), Arrays.copyOf(fm.trainTargets(), BATCH)};
        }
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[BATCH * d];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        float[] y = new float[spec.loss() == ModelSpec.Loss.MSE ? BATCH * outputs : BATCH];
        for (int i = 0; i < y.length; i++) y[i] = spec.loss() == ModelSpec.Loss.MSE ? (float) r.nextDouble(-1, 1) : r.nextInt(outputs);
        return new float[][] {x, y};
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void lossGradientsAndOutputsMatchDl4j(String model, String backendName, ModelSpec spec) {
        try (Backend backend = Backends.open(backendName)) {
            Network net = new Network(backend, spec, BATCH, 11);
            int k = net.outputSize();
            float[][] xy = batch(spec, k);
            float[] params = net.getParams();
            net.setInput(xy[0], BATCH);
            net.setTarget(xy[1], BATCH);
            net.computeGradients(BATCH, 0);
            float loss = net.readLoss();
            float[] grads = net.getGrads();
            net.forward(BATCH, false, 0);
            float[] out = new float[BATCH * k];
            backend.download(net.output(), 0, out, 0, out.length);

            Dl4jModels.Peer peer = Dl4jModels.toDl4j(spec, params, DataType.DOUBLE);
            MultiLayerNetwork dl4j = peer.net();
            Dl4jLayout layout = peer.layout();
            assertEquals(net.paramCount(), layout.paramCount(), "parameter count");
            assertEquals(net.paramCount(), dl4j.numParams(), "DL4J parameter count");
            for (int i = 0; i < net.params().size(); i++) {
                Param p = net.params().get(i);
                assertEquals(p.offset(), layout.bindings().get(i).offset(), p.id() + " offset");
                assertArrayEquals(p.shape(), layout.bindings().get(i).loupeShape(), p.id() + " shape");
            }
            assertArrayEquals(params, layout.params(dl4j), "parameters survive the round trip through DL4J's layout");

            INDArray x = layout.input(xy[0], BATCH, DataType.DOUBLE);
            INDArray y = spec.loss() == ModelSpec.Loss.MSE
                    ? Nd4j.create(toDouble(xy[1]), new long[] {BATCH, k}, 'c')
                    : oneHot(xy[1], k);
            dl4j.setInput(x);
            dl4j.setLabels(y);
            dl4j.computeGradientAndScore();
            double dl4jLoss = dl4j.score();
            float[] dl4jGrads = layout.meanGradients(dl4j, BATCH);
            double[] dl4jOut = dl4j.output(x, false).dup('c').data().asDouble();

            double lossErr = Math.abs(loss - dl4jLoss) / Math.abs(dl4jLoss);
            double worstGrad = 0;
            String worstId = "";
            for (Param p : net.params()) {
                double e = tensorError(grads, dl4jGrads, (int) p.offset(), (int) p.size());
                if (e > worstGrad) {
                    worstGrad = e;
                    worstId = p.id();
                }
            }
            double[] loupeOut = spec.loss() == ModelSpec.Loss.MSE ? toDouble(out) : softmax(out, k);
            double outErr = 0;
            for (int i = 0; i < loupeOut.length; i++) outErr = Math.max(outErr, Math.abs(loupeOut[i] - dl4jOut[i]));
            System.out.printf("parity %-8s %-10s loss %.6f vs %.6f (rel %.2e)  worst grad rel %.2e (%s)  output abs %.2e%n",
                    model, backendName, loss, dl4jLoss, lossErr, worstGrad, worstId, outErr);
            assertTrue(lossErr < 1e-5, "loss " + loss + " vs DL4J " + dl4jLoss);
            assertTrue(worstGrad < 1e-4, "gradient of " + worstId + " differs by " + worstGrad + " (relative to its scale)");
            assertTrue(outErr < 1e-5, "outputs differ by " + outErr);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void oneSgdStepMatchesDl4jFit(String model, ModelSpec spec) {
        // the benchmark peer trains through DL4J's updater, which divides the summed gradient by the batch size
        float lr = 0.1f;
        try (Backend backend = Backends.open("reference")) {
            Network net = new Network(backend, spec, BATCH, 5);
            int k = net.outputSize();
            float[][] xy = batch(spec, k);
            float[] before = net.getParams();
            net.setInput(xy[0], BATCH);
            net.setTarget(xy[1], BATCH);
            net.computeGradients(BATCH, 0);
            float[] g = net.getGrads();
            float[] expected = new float[before.length];
            for (int i = 0; i < before.length; i++) expected[i] = before[i] - lr * g[i];

            Dl4jModels.Peer peer = Dl4jModels.toDl4j(spec, before, DataType.DOUBLE, new org.nd4j.linalg.learning.config.Sgd(lr));
            INDArray y = spec.loss() == ModelSpec.Loss.MSE ? Nd4j.create(toDouble(xy[1]), new long[] {BATCH, k}, 'c') : oneHot(xy[1], k);
            peer.net().fit(new org.nd4j.linalg.dataset.DataSet(peer.layout().input(xy[0], BATCH, DataType.DOUBLE), y));
            float[] after = peer.layout().params(peer.net());
            double worst = 0;
            for (Param p : net.params()) {
                double scale = 1e-6, diff = 0;
                for (int i = (int) p.offset(); i < p.offset() + p.size(); i++) {
                    diff = Math.max(diff, Math.abs(after[i] - expected[i]));
                    scale = Math.max(scale, Math.abs(lr * g[i]));
                }
                worst = Math.max(worst, diff / scale);
            }
            System.out.printf("sgd step %-8s worst |Δθ dl4j - Δθ loupe| / max|Δθ| = %.2e%n", model, worst);
            // relative to the update's size, not the weights' (float32 parameters carry ~1e-7 of the weight itself)
            assertTrue(worst < 1e-4, "SGD step differs by " + worst + " of the update size");
        }
    }

    static Stream<Arguments> models() {
        return Stream.of(mlp(), cnn(), rgb(), gapMse()).map(m -> Arguments.of(m.name(), m));
    }

    /** max|a − b| over one tensor, relative to max|b|. */
    static double tensorError(float[] a, float[] b, int off, int len) {
        double diff = 0, scale = 1e-6;
        for (int i = off; i < off + len; i++) {
            diff = Math.max(diff, Math.abs((double) a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }

    static INDArray oneHot(float[] labels, int k) {
        double[] y = new double[labels.length * k];
        for (int i = 0; i < labels.length; i++) y[i * k + (int) labels[i]] = 1;
        return Nd4j.create(y, new long[] {labels.length, k}, 'c');
    }

    static double[] softmax(float[] logits, int k) {
        double[] p = new double[logits.length];
        for (int r = 0; r < logits.length / k; r++) {
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int c = 0; c < k; c++) max = Math.max(max, logits[r * k + c]);
            for (int c = 0; c < k; c++) z += Math.exp(logits[r * k + c] - max);
            for (int c = 0; c < k; c++) p[r * k + c] = Math.exp(logits[r * k + c] - max) / z;
        }
        return p;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}
