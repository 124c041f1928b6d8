package dev.loupe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.nn.CapturedOps;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Training steps recorded once and replayed as a graph ({@link Backend#capture}, {@link CapturedOps})
 * give exactly what launching them op by op gives, on the cuda backend's kernels emulated on the
 * host (the real CUDA graph path is checked on the GPU by {@link GpuBench}).
 */
class CudaGraphEmulatedTest {
    static final GpuBench.Workload TINY = new GpuBench.Workload("tiny-cnn", new ModelSpec("tiny-cnn", new int[] {8, 8, 1}, List.of(
            new LayerSpec.Conv2d(4, 3, 1, 0), new LayerSpec.Act(Activation.RELU, 0f), new LayerSpec.MaxPool2d(2, 2),
            new LayerSpec.Flatten(), new LayerSpec.Dense(12), new LayerSpec.Act(Activation.RELU, 0f), new LayerSpec.Dense(10)),
            ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY), 6, 64);

    @Test
    void replayedStepsEqualEagerStepsBitForBit() throws Exception {
        Assumptions.assumeTrue(KernelEmulator.compilerPresent(), "g++ is needed to emulate the kernels");
        EmulatedDevice dev = new EmulatedDevice();
        try (Backend cuda = new CudaBackend(dev)) {
            assertEquals(0.0, GpuBench.graphDifference(cuda, TINY, 5));
            assertEquals(4, dev.graphLaunches, "the first step runs eagerly, the next four replay the recording");
            assertEquals(0, dev.liveGraphs, "closing the trainee closes its graph");
        }
    }

    @Test
    void captureRefusesSynchronizingWorkAndTheBackendStaysUsable() throws Exception {
        Assumptions.assumeTrue(KernelEmulator.compilerPresent(), "g++ is needed to emulate the kernels");
        EmulatedDevice dev = new EmulatedDevice();
        try (Backend cuda = new CudaBackend(dev)) {
            Buf x = cuda.alloc(4);
            float[] out = new float[4];
            assertThrows(IllegalStateException.class, () -> cuda.capture(() -> cuda.download(x, 0, out, 0, 4)));
            try (Backend.Replay r = cuda.capture(() -> cuda.fill(4, 2f, x))) {
                cuda.download(x, 0, out, 0, 4);
                assertEquals(0f, out[0], "recording does not run the work");
                r.run();
                cuda.download(x, 0, out, 0, 4);
                assertEquals(2f, out[3]);
            }
            assertEquals(0, dev.liveGraphs);
        }
    }

    @Test
    void batchedStatisticsAreBitwiseThePerTensorLaunches() throws Exception {
        Assumptions.assumeTrue(KernelEmulator.compilerPresent(), "g++ is needed to emulate the kernels");
        int[] sizes = GpuBench.statsSizes(60, 20_000);  // more than one batch
        List<EmulatedDevice> devices = new java.util.ArrayList<>();
        java.util.function.Supplier<Backend> open = () -> {
            try {
                EmulatedDevice d = new EmulatedDevice();
                devices.add(d);
                return new CudaBackend(d);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        assertEquals(0, GpuBench.statsBatchDifferences(open, sizes), "output floats that differ");
        // devices: batched and one by one without chained calls, then with them
        int batched = devices.get(0).launches, single = devices.get(1).launches;
        assertTrue(batched < single / 10, batched + " launches batched, " + single + " one by one");
    }

    @Test
    void withoutCaptureEveryRunIsEager() {
        try (Backend ref = new ReferenceBackend()) {
            assertNull(ref.capture(() -> {}));
            int[] runs = {0};
            try (CapturedOps ops = new CapturedOps(ref, () -> runs[0]++)) {
                for (int i = 0; i < 3; i++) ops.run();
                assertEquals(3, runs[0]);
                assertTrue(!ops.captured());
            }
        }
    }
}
