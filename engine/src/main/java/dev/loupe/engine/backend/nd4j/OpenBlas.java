package dev.loupe.engine.backend.nd4j;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The OpenBLAS that ships with ND4J (javacpp's {@code openblas} preset), called through FFM
 * downcalls on raw buffer addresses: no JNI wrapper objects and no allocation per call.
 */
final class OpenBlas {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;

    private final Path library;
    private final MethodHandle sgemm;
    private final MethodHandle getThreads;
    private final MethodHandle getConfig;
    private final MethodHandle setThreads;

    private OpenBlas(Path library, MethodHandle sgemm, MethodHandle getThreads, MethodHandle getConfig,
                     MethodHandle setThreads) {
        this.setThreads = setThreads;
        this.library = library;
        this.sgemm = sgemm;
        this.getThreads = getThreads;
        this.getConfig = getConfig;
    }

    private static OpenBlas instance;
    private static Throwable failure;

    /** Loads the library once per JVM; throws with the reason when it cannot. */
    static synchronized OpenBlas get() {
        if (instance == null && failure == null) {
            try {
                instance = load();
            } catch (Throwable t) {
                failure = t;
            }
        }
        if (failure != null) throw new IllegalStateException(describe(failure), failure);
        return instance;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) root = root.getCause();
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    @SuppressWarnings("restricted") // FFM linking: the JVM runs with --enable-native-access
    private static OpenBlas load() throws IOException {
        // javacpp extracts the bundled libopenblas_nolapack.so.0 and loads it with its JNI glue
        Loader.load(openblas_nolapack.class);
        Path lib = mapped("libopenblas_nolapack.so");
        if (lib == null) throw new IllegalStateException("libopenblas_nolapack.so is not mapped after loading it");
        SymbolLookup look = SymbolLookup.libraryLookup(lib, Arena.global());
        Linker linker = Linker.nativeLinker();
        // pointers travel as 64-bit integers (same registers in the x86-64 ABI): sub-blocks are
        // addressed by arithmetic instead of a MemorySegment slice per call
        MethodHandle sgemm = linker.downcallHandle(look.findOrThrow("cblas_sgemm"), FunctionDescriptor.ofVoid(
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT,
                JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_FLOAT, JAVA_LONG, JAVA_INT));
        MethodHandle threads = linker.downcallHandle(look.findOrThrow("openblas_get_num_threads"),
                FunctionDescriptor.of(JAVA_INT));
        MethodHandle config = linker.downcallHandle(look.findOrThrow("openblas_get_config"),
                FunctionDescriptor.of(ADDRESS));
        MethodHandle set = linker.downcallHandle(look.findOrThrow("openblas_set_num_threads"),
                FunctionDescriptor.ofVoid(JAVA_INT));
        return new OpenBlas(lib, sgemm, threads, config, set);
    }

    /** The file of a loaded shared library whose name contains {@code name}, from the process's memory map. */
    private static Path mapped(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            int at = line.indexOf('/');
            if (at >= 0 && line.contains(name)) return Path.of(line.substring(at).trim());
        }
        return null;
    }

    /**
     * Row-major {@code C = alpha·op(A)·op(B) + beta·C} on raw addresses with leading dimensions
     * (see {@code Backend.gemm} for the storage of A and B). The caller keeps the memory alive.
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
               float beta, long c, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    /** Threads OpenBLAS uses for one call. */
    int threads() {
        try {
            return (int) getThreads.invokeExact();
        } catch (Throwable t) {
            return -1;
        }
    }

    /** Sets the threads OpenBLAS uses (process-wide). */
    void setThreads(int n) {
        try {
            setThreads.invokeExact(n);
        } catch (Throwable t) {
            throw new IllegalStateException("openblas_set_num_threads failed", t);
        }
    }

    /** OpenBLAS's build description, e.g. {@code OpenBLAS 0.3.19 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64}. */
    @SuppressWarnings("restricted")
    String config() {
        try {
            MemorySegment s = (MemorySegment) getConfig.invokeExact();
            return s.reinterpret(256).getString(0).trim();
        } catch (Throwable t) {
            return "OpenBLAS";
        }
    }

    Path library() {
        return library;
    }
}
