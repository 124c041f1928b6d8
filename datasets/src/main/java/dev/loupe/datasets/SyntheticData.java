package dev.loupe.datasets;

/**
 * Seeded synthetic datasets with a known answer: a line to regress, Gaussian blobs to separate, and
 * "patches" images whose class is decided only by a pattern inside a recorded region.
 */
public final class SyntheticData {
    private SyntheticData() {}

    /**
     * The classic first regression: x uniform in [0, 1), y = 2x + 1 + u with u uniform in [0, 1).
     * The noise has mean 0.5, so least squares recovers w ≈ 2 and b ≈ 1.5, not 1.
     */
    public static Dataset linear(long seed, int nTrain, int nTest) {
        SplitMix64 rng = new SplitMix64(seed);
        float[][] train = linearSplit(rng, nTrain);
        float[][] test = linearSplit(rng, nTest);
        return new Dataset("linear", "synthetic y = 2x + 1 + U[0,1) (seed " + seed + ", " + nTrain + " train / "
                + nTest + " test)", new int[] {1}, 0, train[0], train[1], test[0], test[1]);
    }

    private static float[][] linearSplit(SplitMix64 rng, int n) {
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double xi = rng.nextDouble();
            x[i] = (float) xi;
            y[i] = (float) (2 * xi + 1 + rng.nextDouble());
        }
        return new float[][] {x, y};
    }

    /**
     * {@code k} Gaussian clusters (standard deviation {@code std}) in {@code d} dimensions, with
     * centres drawn in [-8, 8)^d at least 5 std apart (so the classes are separable but not
     * trivially far), class chosen uniformly per sample.
     */
    public static Dataset blobs(long seed, int nTrain, int nTest, int k, int d, double std) {
        if (k < 2 || d < 1) throw new BadInputException("blobs needs at least 2 classes and 1 dimension, got k=" + k + ", d=" + d);
        SplitMix64 rng = new SplitMix64(seed);
        double[][] centres = new double[k][d];
        for (int c = 0; c < k; c++) {
            for (int attempt = 0; ; attempt++) {
                for (int j = 0; j < d; j++) centres[c][j] = 16 * rng.nextDouble() - 8;
                if (attempt > 1000 || minDistance(centres, c) >= 5 * std) break;
            }
        }
        float[][] train = blobSplit(rng, centres, nTrain, std);
        float[][] test = blobSplit(rng, centres, nTest, std);
        return new Dataset("blobs", "synthetic Gaussian blobs: " + k + " classes in " + d + " dims, std " + std
                + " (seed " + seed + ", " + nTrain + " train / " + nTest + " test)",
                new int[] {d}, k, train[0], train[1], test[0], test[1]);
    }

    private static double minDistance(double[][] centres, int upTo) {
        double best = Double.POSITIVE_INFINITY;
        for (int o = 0; o < upTo; o++) {
            double s = 0;
            for (int j = 0; j < centres[o].length; j++) s += Math.pow(centres[o][j] - centres[upTo][j], 2);
            best = Math.min(best, Math.sqrt(s));
        }
        return best;
    }

    private static float[][] blobSplit(SplitMix64 rng, double[][] centres, int n, double std) {
        int d = centres[0].length;
        float[] x = new float[n * d];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = rng.nextInt(centres.length);
            y[i] = c;
            for (int j = 0; j < d; j++) x[i * d + j] = (float) (centres[c][j] + std * rng.nextGaussian());
        }
        return new float[][] {x, y};
    }

    /** The "patches" set with its default size: 28x28x1 images, 4 classes; see {@link PatchesData}. */
    public static Dataset patches(long seed, int nTrain, int nTest) {
        return PatchesData.generate(seed, nTrain, nTest);
    }
}
