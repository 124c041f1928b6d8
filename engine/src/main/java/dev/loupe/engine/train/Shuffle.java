package dev.loupe.engine.train;

import java.util.SplittableRandom;

/** The order samples are visited in an epoch: a pure function of (seed, epoch), so resumed runs repeat it. */
final class Shuffle {
    private Shuffle() {}

    static int[] permutation(long seed, int epoch, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
