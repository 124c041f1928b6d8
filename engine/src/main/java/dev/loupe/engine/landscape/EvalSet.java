package dev.loupe.engine.landscape;

import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.Dataset;
import java.util.Arrays;

/**
 * The samples a landscape is measured on: {@code count} inputs and their targets (class indices,
 * or regression values), in the network's input layout.
 */
public record EvalSet(float[] inputs, float[] targets, int count, boolean classify, String description) {

    /** The first {@code n} training samples of {@code data} (all of them when {@code n} is larger). */
    public static EvalSet firstTrain(Dataset data, int n) {
        if (n <= 0) throw new BadInputException("--samples must be positive, got " + n);
        int count = Math.min(n, data.trainCount());
        int d = data.inputSize(), per = data.trainTargets().length / data.trainCount();
        return new EvalSet(Arrays.copyOf(data.trainInputs(), count * d), Arrays.copyOf(data.trainTargets(), count * per),
                count, data.isClassification(), data.name() + " train[0:" + count + "]");
    }
}
