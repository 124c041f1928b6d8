package dev.loupe.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class BatcherTest {
    /** 10 samples of 3 floats, sample i = {i, 100+i, 200+i}, target i. */
    private static Batcher batcher(int batchSize, boolean shuffle, long seed) {
        int n = 10;
        float[] x = new float[n * 3];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[i * 3] = i;
            x[i * 3 + 1] = 100 + i;
            x[i * 3 + 2] = 200 + i;
            y[i] = i;
        }
        return new Batcher(x, y, n, batchSize, shuffle, seed);
    }

    @Test
    void permutationIsAPureFunctionOfSeedAndEpoch() {
        int[] a = EpochShuffle.permutation(5, 3, 1000);
        assertArrayEquals(a, EpochShuffle.permutation(5, 3, 1000));
        assertFalse(Arrays.equals(a, EpochShuffle.permutation(5, 4, 1000)));
        assertFalse(Arrays.equals(a, EpochShuffle.permutation(6, 3, 1000)));
        int[] sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
        // pinned so that a change of algorithm (which would break resuming old runs) is noticed
        assertArrayEquals(new int[] {9, 2, 8, 3, 5, 6, 4, 1, 7, 0}, EpochShuffle.permutation(1, 0, 10));
    }

    @Test
    void epochCoversEverySampleOnceWithRemainderAsLastBatch() {
        Batcher b = batcher(4, true, 9);
        assertEquals(2, b.fullBatches());
        assertEquals(2, b.remainder());
        float[] x = new float[12];
        float[] y = new float[4];
        boolean[] seen = new boolean[10];
        for (int batch = 0; batch < 3; batch++) {
            int count = b.gather(2, batch, x, y);
            assertEquals(batch < 2 ? 4 : 2, count);
            for (int k = 0; k < count; k++) {
                int s = (int) y[k];
                assertFalse(seen[s]);
                seen[s] = true;
                assertEquals(s, x[k * 3]);
                assertEquals(200 + s, x[k * 3 + 2]);
                assertEquals(s, b.sampleAt(2, batch * 4 + k));
            }
        }
        for (boolean s : seen) assertEquals(true, s);
        assertThrows(IndexOutOfBoundsException.class, () -> b.gather(2, 3, x, y));
    }

    @Test
    void resumedRunReproducesBatchMidEpoch() {
        Batcher first = batcher(3, true, 77);
        float[] x1 = new float[9], y1 = new float[3], x2 = new float[9], y2 = new float[3];
        first.gather(4, 0, x1, y1);
        first.gather(5, 0, x1, y1); // move the cache on
        first.gather(4, 2, x1, y1);
        Batcher resumed = batcher(3, true, 77);
        resumed.gather(4, 2, x2, y2);
        assertArrayEquals(x1, x2);
        assertArrayEquals(y1, y2);
    }

    @Test
    void unshuffledBatchesAreInStoredOrderAndOutputSizeIsChecked() {
        Batcher b = batcher(5, false, 0);
        float[] x = new float[15], y = new float[5];
        b.gather(123, 1, x, y);
        assertArrayEquals(new float[] {5, 6, 7, 8, 9}, y);
        assertEquals(0, b.remainder());
        assertThrows(IllegalArgumentException.class, () -> b.gather(0, 0, new float[14], y));
        assertThrows(BadInputException.class, () -> batcher(0, false, 0));
    }
}
