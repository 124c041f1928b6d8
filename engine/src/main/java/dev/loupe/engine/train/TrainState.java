package dev.loupe.engine.train;

/**
 * Where a run stands between two steps: enough, with the parameters and optimizer state, to
 * continue bitwise as if never interrupted (shuffles and dropout masks derive from seed and step).
 */
public record TrainState(int epoch, int batch, long step) {
    public static final TrainState START = new TrainState(0, 0, 0);
}
