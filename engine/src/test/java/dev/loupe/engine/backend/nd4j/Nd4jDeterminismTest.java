package dev.loupe.engine.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.SyntheticData;
import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.LrSchedule;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.train.Checkpointer;
import dev.loupe.engine.train.Checkpoints;
import dev.loupe.engine.train.TrainConfig;
import dev.loupe.engine.train.TrainState;
import dev.loupe.engine.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on nd4j is bitwise reproducible: two runs agree exactly, and a run interrupted after a
 * mid-epoch checkpoint and resumed from it ends with exactly the parameters of an uninterrupted run.
 * The model is large enough that the backend splits its gemms and loops across threads.
 */
class Nd4jDeterminismTest {
    static final Dataset DATA = SyntheticData.patches(5, 640, 64);
    static final ModelSpec MODEL = new ModelSpec("det", DATA.inputShape(), List.of(
            new LayerSpec.Conv2d(16, 3, 1, 1), new LayerSpec.Act(Activation.RELU, 0), new LayerSpec.MaxPool2d(2, 2),
            new LayerSpec.Conv2d(32, 3, 1, 0), new LayerSpec.Act(Activation.TANH, 0), new LayerSpec.MaxPool2d(2, 2),
            new LayerSpec.Flatten(), new LayerSpec.Dense(64), new LayerSpec.Dropout(0.25f),
            new LayerSpec.Act(Activation.GELU, 0), new LayerSpec.Dense(4)), ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
    static final int BATCH = 64;

    static TrainConfig config(int epochs, int checkpointEvery) {
        return new TrainConfig(epochs, BATCH, LrSchedule.constant(1e-3f), new Optimizer.Adam(0.9f, 0.999f, 1e-8f, 0.01f, true),
                9, checkpointEvery, 100);
    }

    /** Trains from scratch (or from the newest checkpoint in {@code run}) and returns the final parameters. */
    static float[] train(Backend b, Path run, int epochs, Checkpointer ck, boolean resume) {
        Network net = new Network(b, MODEL, BATCH, 9);
        Updater up = new Updater(net, config(epochs, 3).optimizer());
        TrainState from = TrainState.START;
        if (resume) {
            Checkpoints.Loaded c = Checkpoints.load(new Checkpoints(run, 100).latest().orElseThrow(), DATA.inputShape(), net);
            net.setParams(c.params());
            up.importState(c.optimizerState(), c.optimizerSteps());
            from = c.state();
        }
        Trainer.fit(net, up, DATA, config(epochs, 3), from, List.of(), ck);
        return net.getParams();
    }

    @Test
    void twoRunsAndAResumedRunEndBitwiseEqual(@TempDir Path tmp) {
        try (Backend b = Nd4jBackend.create()) {
            float[] straight = train(b, tmp.resolve("a"), 2, Checkpointer.NONE, false);
            float[] again = train(b, tmp.resolve("b"), 2, Checkpointer.NONE, false);
            assertArrayEquals(straight, again, "two identical runs differ");

            // crash right after the checkpoint of step 15 (mid-epoch: 10 steps per epoch)
            Path run = tmp.resolve("c");
            Checkpoints real = new Checkpoints(run, 100);
            Checkpointer crashing = (next, net, up) -> {
                real.save(next, net, up);
                if (next.step() == 15) throw new IllegalStateException("simulated kill");
            };
            assertThrows(IllegalStateException.class, () -> train(b, run, 2, crashing, false));
            assertEquals("step-15", real.latest().orElseThrow().getFileName().toString());
            float[] resumed = train(b, run, 2, real, true);
            assertArrayEquals(straight, resumed, "resumed run differs from the uninterrupted one");
        }
    }

    @Test
    void oneAndTwoThreadsTrainBitwiseEqual() {
        float[] one, two;
        try (Backend b = new Nd4jBackend(OpenBlas.get(), 1)) {
            one = train(b, null, 1, Checkpointer.NONE, false);
        }
        try (Backend b = new Nd4jBackend(OpenBlas.get(), 2)) {
            two = train(b, null, 1, Checkpointer.NONE, false);
        }
        assertArrayEquals(one, two, "the thread count changed the arithmetic");
    }

    @Test
    void simdAndScalarLoopsTrainBitwiseEqual() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Simd.AVAILABLE, "the Vector API module is not in this JVM");
        float[] scalar, simd;
        try (Backend b = new Nd4jBackend(OpenBlas.get(), 2, false)) {
            scalar = train(b, null, 1, Checkpointer.NONE, false);
        }
        try (Backend b = new Nd4jBackend(OpenBlas.get(), 2, true)) {
            simd = train(b, null, 1, Checkpointer.NONE, false);
        }
        assertArrayEquals(scalar, simd, "the SIMD loops changed the arithmetic");
    }

    @Test
    void nd4jTrainsLikeTheReferenceOnASmallModel() {
        // same model and steps on both backends: parameters stay close (fp32 BLAS vs double sums)
        float[] nd4j, ref;
        try (Backend b = Nd4jBackend.create()) {
            nd4j = train(b, null, 1, Checkpointer.NONE, false);
        }
        try (Backend b = new dev.loupe.engine.backend.reference.ReferenceBackend()) {
            ref = train(b, null, 1, Checkpointer.NONE, false);
        }
        double worst = 0;
        for (int i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(nd4j[i] - ref[i]));
        assertTrue(worst < 1e-3, "largest parameter difference after 10 Adam steps: " + worst);
    }
}
