package dev.loupe.engine.train;

import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Updater;

/**
 * Observes training. {@code onStep} runs after each update with read access to every layer's
 * buffers (activations, gradients, the update Δθ); it must not modify them.
 */
public interface TrainListener {
    default void onStep(StepEvent e, Network net, Updater updater) {}

    default void onEpoch(EpochEvent e, Network net) {}

    /** Called once when training ends normally (flush files here). */
    default void onEnd(Network net) {}
}
