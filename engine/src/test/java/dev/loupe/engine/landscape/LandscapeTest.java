package dev.loupe.engine.landscape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.LrSchedule;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.train.Checkpointer;
import dev.loupe.engine.train.Evaluator;
import dev.loupe.engine.train.TrainConfig;
import dev.loupe.engine.train.TrainState;
import dev.loupe.engine.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The modes end to end on a tiny trained classifier. */
class LandscapeTest {
    @TempDir
    Path run;
    Network net;
    float[] start, fin;
    EvalSet data;
    long steps;
    final ObjectNode provenance = new ObjectMapper().createObjectNode().put("name", "tiny-mlp");

    @BeforeEach
    void train() {
        net = Fixtures.mlp(10);
        EvalSet train = Fixtures.data(net, 60, 21), test = Fixtures.data(net, 20, 22);
        Dataset ds = new Dataset("rand", "test", new int[] {4, 4, 1}, 3, train.inputs(), train.targets(), test.inputs(), test.targets());
        SnapshotKeeper keeper = new SnapshotKeeper(run, 16);
        start = net.getParams();
        keeper.save(0, net);
        TrainConfig cfg = new TrainConfig(8, 10, LrSchedule.of("constant", 0.1f, 0, 1, 1, 48), new Optimizer.Sgd(0.9f, false, 0), 1, 0, 1);
        steps = Trainer.fit(net, new Updater(net, cfg.optimizer()), ds, cfg, TrainState.START, List.of(keeper), Checkpointer.NONE).end().step();
        fin = net.getParams();
        data = EvalSet.firstTrain(ds, 40);
    }

    private Landscape.Outcome run(String mode, int grid) {
        LandscapeRequest req = new LandscapeRequest(mode, grid, 0.5, data.count(), 3, 3, 6, 4, PlaneEvaluator.Strategy.SHARED_FIRST_LAYER);
        return Landscape.run(req, net, fin, steps, run, data, provenance, (w, d, t, r) -> {});
    }

    private double lossAt(float[] theta) {
        net.setParams(theta);
        return Evaluator.evaluate(net, data.inputs(), data.targets(), data.count(), true).loss();
    }

    @Test
    void interpolationStartsAtTheInitialAndEndsAtTheFinalLoss() {
        Landscape.Outcome o = run("interp", 9);
        float[] alphas = NpyFiles.read(o.dir().resolve("alphas.npy")).data();
        float[] loss = NpyFiles.read(o.dir().resolve("loss.npy")).data();
        assertEquals(-0.5f, alphas[0]);
        assertEquals(1.5f, alphas[alphas.length - 1]);
        int zero = java.util.Arrays.binarySearch(alphas, 0f), one = java.util.Arrays.binarySearch(alphas, 1f);
        assertEquals(lossAt(start), loss[zero], 1e-5);
        assertEquals(lossAt(fin), loss[one], 1e-4);
        assertTrue(loss[one] < loss[zero], "training lowered the loss");
        assertTrue(Files.isRegularFile(o.dir().resolve("meta.json")));
    }

    @Test
    void theCentreOfThe2dGridIsTheTrainedModelsLoss() {
        Landscape.Outcome o = run("2d", 5);
        NpyArray loss = NpyFiles.read(o.dir().resolve("loss.npy"));
        assertArrayEquals(new int[] {5, 5}, loss.shape());
        assertEquals(lossAt(fin), loss.get(2, 2), 1e-6);
        assertEquals(3, o.meta().get("direction_seeds").get(0).asLong());
        assertTrue(run("2d", 5).alreadyComplete(), "same settings again: nothing to compute");
        assertTrue(!run("2d", 7).alreadyComplete(), "other settings start over");
    }

    @Test
    void theTrajectoryEndsAtTheOriginOfItsPlane() {
        Landscape.Outcome o = run("trajectory", 5);
        NpyArray path = NpyFiles.read(o.dir().resolve("path.npy"));
        float[] steps = NpyFiles.read(o.dir().resolve("path_steps.npy")).data();
        int t = path.shape()[1];
        assertEquals(0f, steps[0]);
        assertEquals((float) this.steps, steps[t - 1]);
        assertEquals(0f, path.get(0, t - 1));
        assertEquals(0f, path.get(1, t - 1));
        double e1 = o.meta().get("explained_variance_1").asDouble(), e2 = o.meta().get("explained_variance_2").asDouble();
        assertTrue(e1 >= e2 && e2 > 0 && e1 + e2 <= 1 + 1e-9);
    }

    @Test
    void hessianWritesItsSpectrumAndTrace() {
        Landscape.Outcome o = run("hessian", 5);
        float[] top = NpyFiles.read(o.dir().resolve("eigenvalues.npy")).data();
        assertEquals(3, top.length);
        assertTrue(top[0] >= top[1] && top[1] >= top[2]);
        assertEquals(10, o.meta().get("hessian_vector_products").asInt()); // 6 Lanczos + 4 Hutchinson
    }

    @Test
    void modesThatNeedSnapshotsSayWhenTheyAreMissing() throws Exception {
        for (Path f : Files.list(run.resolve("snapshots")).toList()) Files.delete(f);
        BadInputException e = assertThrows(BadInputException.class, () -> run("interp", 5));
        assertTrue(e.getMessage().contains("snapshot"), e.getMessage());
        e = assertThrows(BadInputException.class, () -> run("trajectory", 5));
        assertTrue(e.getMessage().contains("snapshot"), e.getMessage());
    }

    @Test
    void badSettingsAreRejected() {
        assertThrows(BadInputException.class, () -> new LandscapeRequest("2d", 2, 1, 10, 0, 1, 1, 1, PlaneEvaluator.Strategy.ONE_POINT));
        assertThrows(BadInputException.class, () -> new LandscapeRequest("2d", 402, 1, 10, 0, 1, 1, 1, PlaneEvaluator.Strategy.ONE_POINT));
        assertThrows(BadInputException.class, () -> new LandscapeRequest("2d", 51, 0, 10, 0, 1, 1, 1, PlaneEvaluator.Strategy.ONE_POINT));
        assertThrows(BadInputException.class, () -> new LandscapeRequest("2d", 51, -1, 10, 0, 1, 1, 1, PlaneEvaluator.Strategy.ONE_POINT));
        assertThrows(BadInputException.class, () -> new LandscapeRequest("3d", 51, 1, 10, 0, 1, 1, 1, PlaneEvaluator.Strategy.ONE_POINT));
    }
}
