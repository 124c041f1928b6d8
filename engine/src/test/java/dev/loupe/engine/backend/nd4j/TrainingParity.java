package dev.loupe.engine.backend.nd4j;

import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.FashionMnist;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.LrSchedule;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.train.Checkpointer;
import dev.loupe.engine.train.TrainConfig;
import dev.loupe.engine.train.TrainState;
import dev.loupe.engine.train.Trainer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Trains a model on the first {@code steps × batch} samples of the embedded Fashion-MNIST subset
 * for one epoch with the same seed on two backends and prints both test accuracies (2,000 test
 * images) and the largest parameter difference: a development check that nd4j trains like the reference.
 *
 * <p>Usage: {@code TrainingParity mlp|cnn STEPS BATCH [BACKEND_A=reference] [BACKEND_B=nd4j] [EPOCHS=1] [SEEDS_B=42]}:
 * {@code SEEDS_B} (comma-separated) repeats backend B with other initial weights, to show how much
 * test accuracy varies between runs that differ in nothing that matters.
 */
public final class TrainingParity {
    public static void main(String[] args) {
        String model = args[0];
        int steps = Integer.parseInt(args[1]), batch = Integer.parseInt(args[2]);
        String a = args.length > 3 ? args[3] : "reference", b = args.length > 4 ? args[4] : "nd4j";
        int epochs = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        long[] seedsB = args.length > 6 ? Arrays.stream(args[6].split(",")).mapToLong(Long::parseLong).toArray() : new long[] {42};
        Dataset full = FashionMnist.loadEmbedded();
        int n = Math.min(full.trainCount(), steps * batch), size = full.inputSize();
        Dataset data = new Dataset(full.name(), full.source(), full.inputShape(), full.numClasses(),
                Arrays.copyOf(full.trainInputs(), n * size), Arrays.copyOf(full.trainTargets(), n),
                full.testInputs(), full.testTargets());
        ModelSpec spec = Models.resolve(model, data.inputShape(), data.numClasses());
        float[][] params = new float[2][];
        String[] names = {a, b};
        for (int i = 0; i < 2; i++) {
            for (long seed : i == 0 ? new long[] {42} : seedsB) {
                long t0 = System.nanoTime();
                try (Backend backend = Backends.open(names[i])) {
                    Network net = new Network(backend, spec, batch, seed);
                    Updater up = new Updater(net, new Optimizer.Sgd(0.9f, false, 0f));
                    TrainConfig cfg = new TrainConfig(epochs, batch, LrSchedule.constant(0.01f), up.optimizer(), 42, 0, 1);
                    Trainer.Result r = Trainer.fit(net, up, data, cfg, TrainState.START, List.of(), Checkpointer.NONE);
                    if (seed == 42) params[i] = net.getParams();
                    System.out.printf(Locale.ROOT, "%s %s seed %d: %d steps of %d, train loss %.4f, test accuracy %.2f%% (%.0f s)%n",
                            model, names[i], seed, r.end().step(), batch, r.last().trainLoss(), 100 * r.last().testAccuracy(),
                            (System.nanoTime() - t0) / 1e9);
                }
            }
        }
        double worst = 0;
        for (int j = 0; j < params[0].length; j++) worst = Math.max(worst, Math.abs(params[0][j] - params[1][j]));
        System.out.printf(Locale.ROOT, "largest parameter difference after training: %.3e%n", worst);
    }
}
