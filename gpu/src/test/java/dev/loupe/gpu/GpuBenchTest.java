package dev.loupe.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/** The GPU benchmark's plumbing, on the reference backend (its numbers are only meaningful on a GPU). */
class GpuBenchTest {
    @Test
    void readsThePeersWindowsAndTakesTheirMedian() {
        String json = "{\"peer\": \"torch\", \"samples_per_s\": [120.5, 100.0, 300.25], \"tf32\": false}";
        assertArrayEquals(new double[] {120.5, 100.0, 300.25}, GpuBench.peerRates(json));
        assertEquals(120.5, GpuBench.median(GpuBench.peerRates(json)));
        assertEquals(0, GpuBench.peerRates("{\"error\": \"No module named 'torch'\"}").length);
        assertEquals(2.5, GpuBench.median(new double[] {4, 1, 2, 3}));
    }

    @Test
    void gemmFloorAndTrainingWindowsRun() {
        try (var b = new ReferenceBackend()) {
            assertTrue(GpuBench.gemmFloor(b, 8, new int[] {16, 32, 4}, 2) > 0);
            var mlp = GpuBench.workloads().getFirst();
            for (GpuBench.Mode mode : GpuBench.Mode.values()) {
                double[] rates = GpuBench.timeLoupe(b, mlp, mode, 0, 1, 0);
                assertEquals(1, rates.length);
                assertTrue(rates[0] > 0);
            }
            assertEquals(5, GpuBench.probe(b, 1).size());
        }
    }
}
