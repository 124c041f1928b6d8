package dev.loupe.datasets;

import java.util.Arrays;
import java.util.Optional;

/**
 * A dataset held as plain float arrays: train and test inputs laid out sample after sample
 * ({@code n * inputSize()} floats, images channels-last {H, W, C}), one target per sample (a class
 * index stored as a float, or a regression value when {@code numClasses == 0}), and, for synthetic
 * sets with known ground truth, the per-sample region that decides the class.
 *
 * <p>The constructor validates shapes and rejects NaN/Inf anywhere with a {@link BadInputException}
 * naming the split and first bad index. Arrays are shared, not copied: treat them as read-only.
 *
 * @param regionMasks null when the dataset has no ground-truth regions; see {@link #masks()}
 */
public record Dataset(String name, String source, int[] inputShape, int numClasses,
                      float[] trainInputs, float[] trainTargets, float[] testInputs, float[] testTargets,
                      RegionMasks regionMasks) {

    public Dataset {
        if (inputShape.length == 0) throw new IllegalArgumentException(name + ": input shape is empty");
        long d = 1;
        for (int s : inputShape) {
            if (s <= 0) throw new BadInputException(name + ": input shape " + Arrays.toString(inputShape) + " has a non-positive size");
            d *= s;
        }
        if (numClasses < 0) throw new BadInputException(name + ": numClasses must be >= 0, got " + numClasses);
        checkSplit(name, "train", (int) d, numClasses, trainInputs, trainTargets);
        checkSplit(name, "test", (int) d, numClasses, testInputs, testTargets);
        if (regionMasks != null) {
            if (inputShape.length != 3 || regionMasks.height() != inputShape[0] || regionMasks.width() != inputShape[1]) {
                throw new IllegalArgumentException(name + ": region masks " + regionMasks.height() + "x"
                        + regionMasks.width() + " do not match input shape " + Arrays.toString(inputShape));
            }
            int hw = regionMasks.height() * regionMasks.width();
            if (regionMasks.train().length != trainTargets.length * hw || regionMasks.test().length != testTargets.length * hw) {
                throw new IllegalArgumentException(name + ": region masks do not have one H*W mask per sample");
            }
        }
    }

    /** A dataset without ground-truth regions. */
    public Dataset(String name, String source, int[] inputShape, int numClasses,
                   float[] trainInputs, float[] trainTargets, float[] testInputs, float[] testTargets) {
        this(name, source, inputShape, numClasses, trainInputs, trainTargets, testInputs, testTargets, null);
    }

    private static void checkSplit(String name, String split, int d, int numClasses, float[] x, float[] y) {
        if (y.length == 0) throw new BadInputException(name + ": " + split + " split is empty");
        if ((long) y.length * d != x.length) {
            throw new BadInputException(name + ": " + split + " inputs have " + x.length + " floats but "
                    + y.length + " samples x " + d + " = " + (long) y.length * d + " were expected");
        }
        int bad = firstNonFinite(x);
        if (bad >= 0) {
            throw new BadInputException(name + ": " + split + " inputs contain " + x[bad] + " at index " + bad
                    + " (sample " + bad / d + ", element " + bad % d + ")");
        }
        bad = firstNonFinite(y);
        if (bad >= 0) {
            throw new BadInputException(name + ": " + split + " targets contain " + y[bad] + " at index " + bad);
        }
        if (numClasses > 0) {
            for (int i = 0; i < y.length; i++) {
                float t = y[i];
                if (t != Math.rint(t) || t < 0 || t >= numClasses) {
                    throw new BadInputException(name + ": " + split + " target " + t + " at index " + i
                            + " is not a class index in [0, " + numClasses + ")");
                }
            }
        }
    }

    private static int firstNonFinite(float[] a) {
        for (int i = 0; i < a.length; i++) {
            if (!Float.isFinite(a[i])) return i;
        }
        return -1;
    }

    /** Floats per sample: the product of {@link #inputShape()}. */
    public int inputSize() {
        int d = 1;
        for (int s : inputShape) d *= s;
        return d;
    }

    public int trainCount() {
        return trainTargets.length;
    }

    public int testCount() {
        return testTargets.length;
    }

    /** True for classification (targets are class indices), false for regression. */
    public boolean isClassification() {
        return numClasses > 0;
    }

    /** The ground-truth regions, present only for synthetic sets that have them. */
    public Optional<RegionMasks> masks() {
        return Optional.ofNullable(regionMasks);
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", " + Arrays.toString(inputShape) + ", " + numClasses + " classes, "
                + trainCount() + " train / " + testCount() + " test, " + source + "]";
    }
}
