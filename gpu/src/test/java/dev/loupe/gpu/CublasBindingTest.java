package dev.loupe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Cublas}'s FFM bindings against a recording stand-in library ({@code src/test/cuda/fake_cublas.c}):
 * every argument arrives where cuBLAS's C signature expects it. The real cuBLAS has not been called.
 */
class CublasBindingTest {
    @TempDir
    Path tmp;

    private Path buildFake() throws Exception {
        Path so = tmp.resolve("libfakecublas.so");
        Process p = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O1", "-o", so.toString(),
                Path.of("src/test/cuda/fake_cublas.c").toAbsolutePath().toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        Assumptions.assumeTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "gcc could not build the fake: " + out);
        return so;
    }

    private static long i64(SymbolLookup l, String name) {
        return l.find(name).orElseThrow().reinterpret(8).get(ValueLayout.JAVA_LONG, 0);
    }

    private static int i32(SymbolLookup l, String name) {
        return l.find(name).orElseThrow().reinterpret(4).get(ValueLayout.JAVA_INT, 0);
    }

    private static float f32(SymbolLookup l, String name) {
        return l.find(name).orElseThrow().reinterpret(4).get(ValueLayout.JAVA_FLOAT, 0);
    }

    @Test
    void everyArgumentReachesItsCParameter() throws Exception {
        Assumptions.assumeTrue(KernelEmulator.compilerPresent(), "needs gcc");
        Path so = buildFake();
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup fake = SymbolLookup.libraryLookup(so, arena);  // the same library Cublas opens
            try (Cublas c = new Cublas(so.toString(), 0xABCDEF0L, true)) {
                assertEquals(130001, c.version);
                assertEquals(0xABCDEF0L, i64(fake, "fake_stream"));
                assertEquals(Cublas.TF32_TENSOR_OP_MATH, i64(fake, "fake_math_mode"));
                c.setWorkspace(0x5000, 32L << 20);
                assertEquals(0x5000, i64(fake, "fake_workspace"));
                assertEquals(32L << 20, i64(fake, "fake_workspace_bytes"));
                c.sgemm(true, false, 5, 7, 3, 1.5f, 0x1000, 11, 0x2000, 13, 0.25f, 0x3000, 17);
                assertEquals(1, i64(fake, "fake_gemm_calls"));
                assertEquals(Cublas.OP_T, i32(fake, "fake_transa"));
                assertEquals(Cublas.OP_N, i32(fake, "fake_transb"));
                assertEquals(5, i32(fake, "fake_m"));
                assertEquals(7, i32(fake, "fake_n"));
                assertEquals(3, i32(fake, "fake_k"));
                assertEquals(1.5f, f32(fake, "fake_alpha"));
                assertEquals(0.25f, f32(fake, "fake_beta"));
                assertEquals(0x1000, i64(fake, "fake_a"));
                assertEquals(0x2000, i64(fake, "fake_b"));
                assertEquals(0x3000, i64(fake, "fake_c"));
                assertEquals(11, i32(fake, "fake_lda"));
                assertEquals(13, i32(fake, "fake_ldb"));
                assertEquals(17, i32(fake, "fake_ldc"));
            }
            assertEquals(1, i64(fake, "fake_destroyed"));
            try (Cublas c = new Cublas(so.toString(), 1L, false)) {
                assertEquals(Cublas.DEFAULT_MATH, i64(fake, "fake_math_mode"), "FP32 unless TF32 is asked for");
            }
        }
    }

    @Test
    void locateHonoursAnExplicitLibrary() throws Exception {
        Assumptions.assumeTrue(KernelEmulator.compilerPresent(), "needs gcc");
        Path so = buildFake();
        String old = System.getProperty("loupe.cublas");
        try {
            System.setProperty("loupe.cublas", so.toString());
            assertEquals(so.toString(), Cublas.locate().orElseThrow());
        } finally {
            if (old == null) System.clearProperty("loupe.cublas");
            else System.setProperty("loupe.cublas", old);
        }
    }
}
