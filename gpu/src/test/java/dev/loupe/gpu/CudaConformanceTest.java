package dev.loupe.gpu;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The engine's conformance suite (every op against the reference backend, relative error
 * ≤ 1e-4 in FP32) on the real GPU, and on the host emulation of the same kernels.
 */
class CudaConformanceTest {
    static final double TOLERANCE = 1e-4;

    /** Calls {@code ConformanceSuite.run(Backend, double)}; it lives in the engine's test jar. */
    static void conformance(Backend b) throws Throwable {
        Class<?> suite;
        try {
            suite = Class.forName("dev.loupe.engine.conformance.ConformanceSuite");
        } catch (ClassNotFoundException e) {
            Assumptions.abort("the engine's ConformanceSuite is not on this branch yet");
            return;
        }
        Method run = suite.getMethod("run", Backend.class, double.class);
        try {
            run.invoke(null, b, TOLERANCE);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Test
    void cudaBackendOnTheGpuPassesTheConformanceSuite() throws Throwable {
        var why = new CudaProvider().unavailableReason();
        Assumptions.assumeTrue(why.isEmpty(), () -> "no GPU here: " + why.orElse(""));
        try (Backend b = Backends.open("cuda")) {
            conformance(b);
        }
    }

    @Test
    void emulatedKernelsPassTheConformanceSuite() throws Throwable {
        Assumptions.assumeTrue(KernelEmulator.compilerPresent(), "g++ is needed to emulate the kernels");
        try (Backend b = new CudaBackend(new EmulatedDevice())) {
            conformance(b);
        }
    }
}
