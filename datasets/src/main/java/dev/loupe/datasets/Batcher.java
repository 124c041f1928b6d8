package dev.loupe.datasets;

/**
 * Copies batch {@code b} of epoch {@code e} into arrays the caller allocated once, in a seeded
 * per-epoch order ({@link EpochShuffle}) or in file order; no allocation per batch. The trainer
 * decides what to do with the last partial batch: {@link #fullBatches()} and
 * {@link #remainder()} say how many there are. Not thread-safe (it caches the current epoch's order).
 */
public final class Batcher {
    private final float[] inputs;
    private final float[] targets;
    private final int n;
    private final int inputSize;
    private final int targetSize;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final int[] order;
    private long orderEpoch = Long.MIN_VALUE;

    /**
     * @param inputs  n * inputSize floats, sample after sample
     * @param targets n * targetSize floats
     * @param shuffle true: a seeded permutation per epoch; false: samples in stored order
     */
    public Batcher(float[] inputs, float[] targets, int n, int batchSize, boolean shuffle, long seed) {
        if (n <= 0) throw new IllegalArgumentException("no samples");
        if (batchSize <= 0) throw new BadInputException("batch size must be positive, got " + batchSize);
        if (inputs.length % n != 0 || targets.length % n != 0) {
            throw new IllegalArgumentException("arrays of " + inputs.length + " and " + targets.length
                    + " floats do not split into " + n + " samples");
        }
        this.inputs = inputs;
        this.targets = targets;
        this.n = n;
        this.inputSize = inputs.length / n;
        this.targetSize = targets.length / n;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.order = new int[n];
    }

    /** Shuffled batches of a dataset's training split. */
    public static Batcher train(Dataset d, int batchSize, long seed) {
        return new Batcher(d.trainInputs(), d.trainTargets(), d.trainCount(), batchSize, true, seed);
    }

    /** Batches of a dataset's test split in stored order (the epoch argument is ignored). */
    public static Batcher test(Dataset d, int batchSize) {
        return new Batcher(d.testInputs(), d.testTargets(), d.testCount(), batchSize, false, 0);
    }

    public int sampleCount() {
        return n;
    }

    public int batchSize() {
        return batchSize;
    }

    public int inputSize() {
        return inputSize;
    }

    public int targetSize() {
        return targetSize;
    }

    /** Batches of exactly {@link #batchSize()} samples per epoch. */
    public int fullBatches() {
        return n / batchSize;
    }

    /** Samples left after the full batches (0 when batchSize divides n); gathered as batch {@code fullBatches()}. */
    public int remainder() {
        return n % batchSize;
    }

    /** The stored index of the sample at {@code position} (0..n-1) of {@code epoch}'s order. */
    public int sampleAt(long epoch, int position) {
        return shuffle ? orderFor(epoch)[position] : position;
    }

    /**
     * Copies batch {@code batch} of {@code epoch} into the front of {@code inputOut} and
     * {@code targetOut} (each sized for at least one full batch) and returns how many samples it
     * holds: {@link #batchSize()}, or {@link #remainder()} for the last, partial batch.
     */
    public int gather(long epoch, int batch, float[] inputOut, float[] targetOut) {
        int count = batch < fullBatches() ? batchSize : batch == fullBatches() && remainder() > 0 ? remainder() : -1;
        if (batch < 0 || count < 0) {
            throw new IndexOutOfBoundsException("batch " + batch + " of " + (fullBatches() + (remainder() > 0 ? 1 : 0)));
        }
        if (inputOut.length < count * inputSize || targetOut.length < count * targetSize) {
            throw new IllegalArgumentException("output arrays hold " + inputOut.length + " and " + targetOut.length
                    + " floats; batch needs " + count * inputSize + " and " + count * targetSize);
        }
        int[] perm = shuffle ? orderFor(epoch) : null;
        int start = batch * batchSize;
        for (int k = 0; k < count; k++) {
            int s = perm == null ? start + k : perm[start + k];
            System.arraycopy(inputs, s * inputSize, inputOut, k * inputSize, inputSize);
            System.arraycopy(targets, s * targetSize, targetOut, k * targetSize, targetSize);
        }
        return count;
    }

    private int[] orderFor(long epoch) {
        if (epoch != orderEpoch) {
            EpochShuffle.permutationInto(seed, epoch, order);
            orderEpoch = epoch;
        }
        return order;
    }
}
