package dev.loupe.engine.train;

import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Updater;

/** Saves the state the trainer reached between two steps; called only at safe points. */
@FunctionalInterface
public interface Checkpointer {
    void save(TrainState next, Network net, Updater updater);

    Checkpointer NONE = (s, n, u) -> {};
}
