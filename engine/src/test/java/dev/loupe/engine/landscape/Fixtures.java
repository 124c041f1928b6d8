package dev.loupe.engine.landscape;

import dev.loupe.engine.Activation;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import java.util.List;
import java.util.SplittableRandom;

/** Small models and data for the landscape tests. */
final class Fixtures {
    private Fixtures() {}

    static final LayerSpec RELU = new LayerSpec.Act(Activation.RELU, 0);

    /** A flatten + dense + relu + dense classifier on 4×4×1 images. */
    static Network mlp(int batch) {
        ModelSpec spec = new ModelSpec("tiny-mlp", new int[] {4, 4, 1},
                List.of(new LayerSpec.Flatten(), new LayerSpec.Dense(8), RELU, new LayerSpec.Dense(3)),
                ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
        return new Network(new ReferenceBackend(), spec, batch, 5);
    }

    /** A conv-first classifier on 5×5×2 images. */
    static Network cnn(int batch) {
        ModelSpec spec = new ModelSpec("tiny-cnn", new int[] {5, 5, 2},
                List.of(new LayerSpec.Conv2d(4, 3, 1, 1), RELU, new LayerSpec.MaxPool2d(2, 2), new LayerSpec.Flatten(),
                        new LayerSpec.Dense(3)), ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
        return new Network(new ReferenceBackend(), spec, batch, 9);
    }

    /** {@code n} Gaussian samples with labels in 0..2 for {@code net}'s input. */
    static EvalSet data(Network net, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * net.inputSize()];
        float[] y = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (int i = 0; i < n; i++) y[i] = rng.nextInt(3);
        return new EvalSet(x, y, n, true, "random");
    }

    static float[] gaussian(int n, long seed, double scale) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rng.nextGaussian() * scale);
        return v;
    }
}
