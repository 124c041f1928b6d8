package dev.loupe.datasets;

/**
 * The sample order of an epoch as a pure function of (seed, epoch, n): a resumed run recomputes
 * exactly the order it was in, without saving it, and epochs never share an order by accident.
 */
public final class EpochShuffle {
    private EpochShuffle() {}

    /** A fresh permutation of 0..n-1 for this seed and epoch. */
    public static int[] permutation(long seed, long epoch, int n) {
        int[] out = new int[n];
        permutationInto(seed, epoch, out);
        return out;
    }

    /** Fills {@code out} with the permutation of 0..out.length-1 (Fisher-Yates), reusing the array. */
    public static void permutationInto(long seed, long epoch, int[] out) {
        for (int i = 0; i < out.length; i++) out[i] = i;
        // Mixing twice keeps (seed, epoch) and (seed + 1, epoch - 1) and other near pairs apart.
        SplitMix64 rng = new SplitMix64(SplitMix64.mix(seed) ^ SplitMix64.mix(epoch + 0x632BE59BD9B4E019L));
        for (int i = out.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = out[i];
            out[i] = out[j];
            out[j] = t;
        }
    }
}
