package dev.loupe.cli;

import dev.loupe.engine.Backend;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.train.Checkpoints;
import java.nio.file.Path;

/** Loads a trained network from a run's checkpoint, for prediction and explanation. */
final class TrainedModel {
    private TrainedModel() {}

    static Network load(Path run, String checkpoint, Backend backend, int batch) {
        RunManifest.read(run);
        Checkpoints cps = new Checkpoints(run, Integer.MAX_VALUE);
        Path dir = checkpoint != null ? cps.resolve(checkpoint) : cps.latest().orElseThrow(
                () -> new dev.loupe.datasets.BadInputException("run " + run + " has no checkpoint"));
        ModelSpec spec = Checkpoints.model(dir);
        Network net = new Network(backend, spec, batch, 0);
        net.setParams(Checkpoints.load(dir, spec.inputShape(), net).params());
        return net;
    }
}
