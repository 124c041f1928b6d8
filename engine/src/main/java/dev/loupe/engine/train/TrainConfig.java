package dev.loupe.engine.train;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.optim.LrSchedule;
import dev.loupe.engine.optim.Optimizer;

/**
 * Everything that decides a training run's arithmetic (with the model and data): two runs with
 * the same config on the same backend produce bitwise the same parameters.
 *
 * @param checkpointEvery steps between checkpoints (0: only at the end of each epoch)
 * @param keepCheckpoints how many of the newest checkpoints to keep
 */
public record TrainConfig(int epochs, int batch, LrSchedule schedule, Optimizer optimizer, long seed,
                          int checkpointEvery, int keepCheckpoints) {
    public TrainConfig {
        if (epochs <= 0) throw new BadInputException("--epochs must be positive, got " + epochs);
        if (batch <= 0) throw new BadInputException("--batch must be positive, got " + batch);
        if (checkpointEvery < 0) throw new BadInputException("--checkpoint-every must be ≥ 0");
        if (keepCheckpoints <= 0) throw new BadInputException("--keep-checkpoints must be positive");
    }
}
