package dev.loupe.engine.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every layer and loss: backpropagated gradients agree with central finite differences on the reference backend. */
class GradientCheckTest {

    static Stream<Arguments> models() {
        LayerSpec relu = new LayerSpec.Act(Activation.RELU, 0);
        return Stream.of(
                Arguments.of("dense+tanh", new int[] {5}, List.of(new LayerSpec.Dense(4), new LayerSpec.Act(Activation.TANH, 0), new LayerSpec.Dense(3))),
                Arguments.of("sigmoid", new int[] {4}, List.of(new LayerSpec.Dense(4), new LayerSpec.Act(Activation.SIGMOID, 0), new LayerSpec.Dense(3))),
                Arguments.of("gelu", new int[] {4}, List.of(new LayerSpec.Dense(4), new LayerSpec.Act(Activation.GELU, 0), new LayerSpec.Dense(3))),
                Arguments.of("leakyrelu", new int[] {4}, List.of(new LayerSpec.Dense(4), new LayerSpec.Act(Activation.LEAKY_RELU, 0.1f), new LayerSpec.Dense(3))),
                Arguments.of("relu", new int[] {4}, List.of(new LayerSpec.Dense(6), relu, new LayerSpec.Dense(3))),
                Arguments.of("conv stride pad", new int[] {6, 5, 2}, List.of(new LayerSpec.Conv2d(3, 3, 2, 1), new LayerSpec.Act(Activation.TANH, 0), new LayerSpec.Flatten(), new LayerSpec.Dense(3))),
                Arguments.of("conv+maxpool", new int[] {6, 6, 1}, List.of(new LayerSpec.Conv2d(2, 3, 1, 0), new LayerSpec.MaxPool2d(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dense(3))),
                Arguments.of("avgpool", new int[] {4, 4, 2}, List.of(new LayerSpec.Conv2d(2, 1, 1, 0), new LayerSpec.AvgPool2d(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dense(3))),
                Arguments.of("globalavgpool", new int[] {4, 4, 2}, List.of(new LayerSpec.Conv2d(3, 3, 1, 1), new LayerSpec.GlobalAvgPool(), new LayerSpec.Dense(3))),
                Arguments.of("dropout(eval mask)", new int[] {4}, List.of(new LayerSpec.Dense(5), new LayerSpec.Dropout(0.3f), new LayerSpec.Dense(3))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void crossEntropyGradientsMatchFiniteDifferences(String label, int[] shape, List<LayerSpec> layers) {
        check(new ModelSpec(label, shape, layers, ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY), 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void mseGradientsMatchFiniteDifferences(String label, int[] shape, List<LayerSpec> layers) {
        check(new ModelSpec(label, shape, layers, ModelSpec.Loss.MSE), 3);
    }

    private static void check(ModelSpec spec, int n) {
        Backend b = new ReferenceBackend();
        Network net = new Network(b, spec, n, 7);
        SplittableRandom rng = new SplittableRandom(11);
        float[] x = new float[n * net.inputSize()];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        int targets = spec.loss() == ModelSpec.Loss.MSE ? n * net.outputSize() : n;
        float[] y = new float[targets];
        for (int i = 0; i < y.length; i++) {
            y[i] = spec.loss() == ModelSpec.Loss.MSE ? (float) rng.nextGaussian() : rng.nextInt(net.outputSize());
        }
        net.setInput(x, n);
        net.setTarget(y, n);
        // dropout is checked with its deterministic mask: training=true at a fixed step makes f differentiable
        net.forward(n, true, 5);
        net.loss(n);
        net.backward(n, true);
        float[] grads = net.getGrads();
        float[] inGrad = new float[x.length];
        b.download(net.inputGrad(), 0, inGrad, 0, x.length);

        float[] theta = net.getParams();
        double eps = 1e-2;
        for (int i = 0; i < theta.length; i++) {
            float keep = theta[i];
            theta[i] = (float) (keep + eps);
            double up = lossAt(net, theta, n);
            theta[i] = (float) (keep - eps);
            double down = lossAt(net, theta, n);
            theta[i] = keep;
            assertClose(spec.name() + " param " + i, (up - down) / (2 * eps), grads[i]);
        }
        net.setParams(theta);
        for (int i = 0; i < x.length; i++) {
            float keep = x[i];
            x[i] = (float) (keep + eps);
            net.setInput(x, n);
            double up = lossAt(net, theta, n);
            x[i] = (float) (keep - eps);
            net.setInput(x, n);
            double down = lossAt(net, theta, n);
            x[i] = keep;
            net.setInput(x, n);
            assertClose(spec.name() + " input " + i, (up - down) / (2 * eps), inGrad[i]);
        }
    }

    private static double lossAt(Network net, float[] theta, int n) {
        net.setParams(theta);
        net.forward(n, true, 5);
        net.loss(n);
        return net.readLoss();
    }

    private static void assertClose(String what, double numeric, double analytic) {
        double err = Math.abs(numeric - analytic) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic));
        assertTrue(err < 2e-2 || Math.abs(numeric - analytic) < 2e-4,
                what + ": finite difference " + numeric + " vs backprop " + analytic);
    }
}
