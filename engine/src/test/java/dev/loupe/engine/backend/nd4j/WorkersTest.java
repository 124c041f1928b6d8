package dev.loupe.engine.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every chunk of every loop runs exactly once, on the range its index defines, whatever the split
 * of consecutive loops: many short loops of varying part counts back to back, with bodies that
 * sometimes yield (so a worker is often late for a loop and meets the next one's ticket).
 */
class WorkersTest {
    @Test
    @Timeout(60)
    void everyChunkRunsOnceOnItsRangeAcrossManyLoops() {
        SplittableRandom rng = new SplittableRandom(11);
        try (Workers w = new Workers(3)) {
            for (int loop = 0; loop < 20_000; loop++) {
                int parts = 2 + rng.nextInt(15), n = parts * (1 + rng.nextInt(50)) + rng.nextInt(parts);
                AtomicIntegerArray runs = new AtomicIntegerArray(parts);
                AtomicIntegerArray covered = new AtomicIntegerArray(n);
                boolean yieldSome = loop % 3 == 0;
                w.run(n, parts, (chunk, lo, hi) -> {
                    runs.incrementAndGet(chunk);
                    assertEquals((int) ((long) n * chunk / parts), lo, "start of chunk " + chunk);
                    for (int i = lo; i < hi; i++) covered.incrementAndGet(i);
                    if (yieldSome && (chunk & 1) == 0) Thread.yield();
                });
                for (int c = 0; c < parts; c++) assertEquals(1, runs.get(c), "loop " + loop + " chunk " + c + " of " + parts);
                for (int i = 0; i < n; i++) assertEquals(1, covered.get(i), "loop " + loop + " element " + i);
            }
        }
    }

    @Test
    void aFailingChunkIsRethrownAndTheNextLoopRuns() {
        try (Workers w = new Workers(2)) {
            RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> w.run(100, 4, (chunk, lo, hi) -> {
                        if (chunk == 2) throw new IllegalStateException("chunk 2");
                    }));
            assertEquals("chunk 2", e.getMessage());
            int[] sum = new int[1];
            AtomicIntegerArray seen = new AtomicIntegerArray(4);
            w.run(100, 4, (chunk, lo, hi) -> seen.incrementAndGet(chunk));
            for (int c = 0; c < 4; c++) sum[0] += seen.get(c);
            assertTrue(sum[0] == 4, "every chunk of the next loop ran once");
        }
    }
}
