package dev.loupe.bench;

import java.util.SplittableRandom;

/**
 * A few fixed batches of synthetic training data, cycled: inputs uniform in [0, 1), labels uniform
 * over the classes. Throughput does not depend on the values, but cycling several batches keeps
 * caches from holding one batch forever. Images are 28×28×1, where NHWC and NCHW are the same bytes.
 */
public final class SyntheticBatches {
    /** Batches in the pool. */
    public static final int POOL = 4;

    private final int batch;
    private final int inputSize;
    private final float[][] x;
    private final float[][] y;

    public SyntheticBatches(int batch, int inputSize, int classes, long seed) {
        this.batch = batch;
        this.inputSize = inputSize;
        SplittableRandom rng = new SplittableRandom(seed);
        x = new float[POOL][batch * inputSize];
        y = new float[POOL][batch];
        for (int p = 0; p < POOL; p++) {
            for (int i = 0; i < x[p].length; i++) x[p][i] = (float) rng.nextDouble();
            for (int i = 0; i < batch; i++) y[p][i] = rng.nextInt(classes);
        }
    }

    public int batch() { return batch; }

    public int inputSize() { return inputSize; }

    /** Inputs of batch {@code i mod POOL}, row-major {@code [batch, inputSize]}. */
    public float[] inputs(long i) { return x[(int) (i % POOL)]; }

    /** Class indices of batch {@code i mod POOL}, as floats. */
    public float[] labels(long i) { return y[(int) (i % POOL)]; }
}
