package dev.loupe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A whole training loop (conv, pooling, dropout, dense, softmax cross-entropy, Adam) on the
 * cuda backend's kernels, emulated on the host, follows the reference backend step for step.
 */
class CudaTrainingEmulatedTest {
    static final ModelSpec MODEL = new ModelSpec("tiny-cnn", new int[] {8, 8, 1}, List.of(
            new LayerSpec.Conv2d(4, 3, 1, 1), new LayerSpec.Act(Activation.GELU, 0f), new LayerSpec.MaxPool2d(2, 2),
            new LayerSpec.Flatten(), new LayerSpec.Dropout(0.25f), new LayerSpec.Dense(16),
            new LayerSpec.Act(Activation.RELU, 0f), new LayerSpec.Dense(3)), ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);

    static float[] train(Backend b, float[] x, float[] y, int batch, int steps, float[] losses) {
        try (Network net = new Network(b, MODEL, batch, 11)) {
            Updater adam = new Updater(net, new Optimizer.Adam(0.9f, 0.999f, 1e-8f, 0.01f, true));
            for (int s = 0; s < steps; s++) {
                net.setInput(x, batch);
                net.setTarget(y, batch);
                net.computeGradients(batch, s);
                adam.step(0.01f);
                losses[s] = net.readLoss();
            }
            return net.getParams();
        }
    }

    @Test
    void trainingStepsMatchTheReference() throws Exception {
        Assumptions.assumeTrue(KernelEmulator.compilerPresent(), "g++ is needed to emulate the kernels");
        int batch = 12, steps = 6;
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = new float[batch * 64], y = new float[batch];
        for (int i = 0; i < batch; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 64; j++) x[i * 64 + j] = (float) (rnd.nextDouble() + (j % 3 == y[i] ? 0.5 : 0));
        }
        float[] refLoss = new float[steps], cudaLoss = new float[steps];
        float[] refParams = train(new ReferenceBackend(), x, y, batch, steps, refLoss);
        float[] cudaParams;
        try (Backend cuda = new CudaBackend(new EmulatedDevice())) {
            cudaParams = train(cuda, x, y, batch, steps, cudaLoss);
        }
        for (int s = 0; s < steps; s++) assertEquals(refLoss[s], cudaLoss[s], 1e-5 * Math.max(1, refLoss[s]), "loss at step " + s);
        assertTrue(refLoss[steps - 1] < refLoss[0], "the model learns");
        assertEquals(refParams.length, cudaParams.length);
        for (int i = 0; i < refParams.length; i++) {
            assertEquals(refParams[i], cudaParams[i], 1e-5 * Math.max(1, Math.abs(refParams[i])), "parameter " + i);
        }
    }
}
