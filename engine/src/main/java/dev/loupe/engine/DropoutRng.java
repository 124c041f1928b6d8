package dev.loupe.engine;

/**
 * Counter-based randomness for dropout: whether element {@code i} survives depends only on
 * {@code (seed, counter, i)}, so every backend — and a resumed run — drops the same elements.
 */
public final class DropoutRng {
    private DropoutRng() {}

    /** A well-mixed 64-bit hash of the three inputs (SplitMix64 finalizer over a combination). */
    public static long hash(long seed, long counter, long index) {
        long z = seed * 0x9E3779B97F4A7C15L + counter * 0xC2B2AE3D27D4EB4FL + index * 0x165667B19E3779F9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** True when element {@code index} is kept at drop probability {@code p}. */
    public static boolean keep(long seed, long counter, long index, float p) {
        // top 24 bits as a uniform float in [0, 1): exact in fp32 on every backend
        float u = (hash(seed, counter, index) >>> 40) * 0x1.0p-24f;
        return u >= p;
    }
}
