package dev.loupe.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SplitMix64Test {
    @Test
    void matchesReferenceSequence() {
        // First outputs of Vigna's splitmix64.c seeded with 1234567.
        SplitMix64 r = new SplitMix64(1234567);
        assertEquals(6457827717110365317L, r.nextLong());
        assertEquals(3203168211198807973L, r.nextLong());
        assertEquals(Long.parseUnsignedLong("9817491932198370423"), r.nextLong());
    }

    @Test
    void nextIntIsUniformAndInRange() {
        SplitMix64 r = new SplitMix64(42);
        int[] counts = new int[7];
        for (int i = 0; i < 70_000; i++) counts[r.nextInt(7)]++;
        for (int c : counts) assertTrue(Math.abs(c - 10_000) < 400, "count " + c);
    }

    @Test
    void gaussianHasUnitMomentsApproximately() {
        SplitMix64 r = new SplitMix64(9);
        double s = 0, ss = 0;
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            double g = r.nextGaussian();
            s += g;
            ss += g * g;
        }
        assertEquals(0, s / n, 0.02);
        assertEquals(1, ss / n, 0.02);
    }
}
