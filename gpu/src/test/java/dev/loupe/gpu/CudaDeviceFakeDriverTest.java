package dev.loupe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The whole Java side of the cuda backend — {@link CudaProbe}, {@link CudaDevice} through JCuda's
 * real driver binding, {@link Cublas} through FFM, {@link CudaBackend} — against a stand-in driver
 * whose "GPU" is the host emulation of the kernels (see {@code src/test/cuda/fake_cuda.c}). Passes
 * the conformance suite. What it cannot show: nvcc's code, the real driver, cuBLAS, concurrency.
 */
class CudaDeviceFakeDriverTest {
    @Test
    void theRealJCudaAndFfmPathPassesTheConformanceSuiteOnAStandInDriver() throws Exception {
        Assumptions.assumeTrue(KernelEmulator.compilerPresent(), "needs g++/gcc");
        Assumptions.assumeFalse(CudaProviderTest.driverPresent(), "a real NVIDIA driver is installed: the stand-in would clash");
        Path[] fake = KernelEmulator.fakeDriver();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Dloupe.cublas=" + fake[1],
                "-cp", System.getProperty("java.class.path"), FakeDriverMain.class.getName(), fake[0].toString())
                .redirectErrorStream(true);
        pb.environment().put("FAKE_CUBLAS_COMPUTE", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "finished");
        System.out.println(out);
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("device: Fake GPU (host emulation) (sm_90") && l.contains("sm_90 cubin")
                && l.contains("launched through FFM")), out);
        assertTrue(lines.contains("jcuda launches: true, axpy ok"), out);
        assertTrue(lines.stream().anyMatch(l -> l.matches("conformance: \\d+ cases, 0 failed.*")), out);
    }
}
