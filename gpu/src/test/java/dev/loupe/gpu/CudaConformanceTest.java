package dev.loupe.gpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.conformance.ConformanceResult;
import dev.loupe.engine.conformance.ConformanceSuite;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The engine's conformance suite (every op against the reference backend, relative error
 * ≤ 1e-4 in FP32) on the real GPU where there is one, and everywhere on the host emulation of
 * the same kernel source.
 */
class CudaConformanceTest {
    static final double TOLERANCE = 1e-4;

    static void assertConforms(Backend b) {
        List<ConformanceResult> results = ConformanceSuite.run(b, TOLERANCE);
        assertFalse(results.isEmpty(), "the suite ran cases");
        String failed = results.stream().filter(r -> !r.passed())
                .map(r -> r.op() + " " + r.caseName() + ": error " + r.maxError()).collect(Collectors.joining("\n"));
        assertTrue(failed.isEmpty(), () -> b.name() + " (" + b.device() + ") fails:\n" + failed);
        System.out.printf(java.util.Locale.ROOT, "conformance on %s: %d cases passed, worst error %.3e%n", b.device(),
                results.size(), results.stream().mapToDouble(ConformanceResult::maxError).max().orElse(0));
    }

    @Test
    void cudaBackendOnTheGpuPassesTheConformanceSuite() {
        var why = new CudaProvider().unavailableReason();
        Assumptions.assumeTrue(why.isEmpty(), () -> "no GPU here: " + why.orElse(""));
        try (Backend b = Backends.open("cuda")) {
            assertConforms(b);
        }
    }

    @Test
    void emulatedKernelsPassTheConformanceSuite() throws Exception {
        Assumptions.assumeTrue(KernelEmulator.compilerPresent(), "g++ is needed to emulate the kernels");
        try (Backend b = new CudaBackend(new EmulatedDevice())) {
            assertConforms(b);
        }
    }
}
