package dev.loupe.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * cuBLAS through Java's FFM: JCuda's own cuBLAS binding needs {@code libcublas.so.12} and will
 * not load beside CUDA 13, while these five C functions have the same signatures in 12 and 13.
 * One instance owns one cuBLAS handle bound to one stream.
 */
final class Cublas implements AutoCloseable {
    static final int OP_N = 0, OP_T = 1;
    static final int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;
    /** Names tried with the dynamic linker's own search (LD_LIBRARY_PATH, ld.so cache). */
    static final List<String> NAMES = List.of("libcublas.so.13", "libcublas.so.12");

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final java.lang.foreign.AddressLayout ADDR = ValueLayout.ADDRESS;

    private final Arena arena = Arena.ofShared();
    private final MethodHandle sgemm, destroy, setWorkspace;
    private final MemorySegment handle, scalars;
    final String library;
    final int version;

    /** Opens cuBLAS from {@code library}, creates a handle in the current CUDA context, binds it to {@code stream}. */
    Cublas(String library, long stream, boolean tf32) {
        this.library = library;
        SymbolLookup lib = SymbolLookup.libraryLookup(library, arena);
        Linker linker = Linker.nativeLinker();
        MethodHandle create = linker.downcallHandle(find(lib, "cublasCreate_v2"), FunctionDescriptor.of(INT, ADDR));
        MethodHandle setStream = linker.downcallHandle(find(lib, "cublasSetStream_v2"), FunctionDescriptor.of(INT, ADDR, ADDR));
        MethodHandle setMath = linker.downcallHandle(find(lib, "cublasSetMathMode"), FunctionDescriptor.of(INT, ADDR, INT));
        MethodHandle getVersion = linker.downcallHandle(find(lib, "cublasGetVersion_v2"), FunctionDescriptor.of(INT, ADDR, ADDR));
        destroy = linker.downcallHandle(find(lib, "cublasDestroy_v2"), FunctionDescriptor.of(INT, ADDR));
        // cuBLAS 12 and 13 have it; older ones allocate their own workspace
        setWorkspace = lib.find("cublasSetWorkspace_v2").map(f -> linker.downcallHandle(f,
                FunctionDescriptor.of(INT, ADDR, ADDR, ValueLayout.JAVA_LONG))).orElse(null);
        sgemm = linker.downcallHandle(find(lib, "cublasSgemm_v2"), FunctionDescriptor.of(INT,
                ADDR, INT, INT, INT, INT, INT, ADDR, ADDR, INT, ADDR, INT, ADDR, ADDR, INT));
        try {
            MemorySegment h = arena.allocate(ADDR);
            check((int) create.invokeExact(h), "cublasCreate_v2");
            handle = h.get(ADDR, 0);
            check((int) setStream.invokeExact(handle, MemorySegment.ofAddress(stream)), "cublasSetStream_v2");
            // FP32 unless asked: TF32 rounds inputs to 10-bit mantissas, which the conformance
            // tolerance (1e-4 relative) would not survive.
            check((int) setMath.invokeExact(handle, tf32 ? TF32_TENSOR_OP_MATH : DEFAULT_MATH), "cublasSetMathMode");
            MemorySegment v = arena.allocate(INT);
            check((int) getVersion.invokeExact(handle, v), "cublasGetVersion_v2");
            version = v.get(INT, 0);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        } catch (Throwable t) {
            arena.close();
            throw new IllegalStateException("cuBLAS initialisation failed", t);
        }
        scalars = arena.allocate(ValueLayout.JAVA_FLOAT, 2);
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException("cuBLAS has no symbol " + name));
    }

    private static void check(int status, String call) {
        if (status != 0) throw new IllegalStateException(call + " failed with cuBLAS status " + status);
    }

    /** Gives cuBLAS {@code bytes} of device memory at {@code address} as its workspace (if it takes one). */
    void setWorkspace(long address, long bytes) {
        if (setWorkspace == null) return;
        try {
            check((int) setWorkspace.invokeExact(handle, MemorySegment.ofAddress(address), bytes), "cublasSetWorkspace_v2");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Column-major {@code C = alpha op(A) op(B) + beta C}; enqueued on the handle's stream. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, long a, int lda,
               long b, int ldb, float beta, long c, int ldc) {
        // host pointer mode: cuBLAS reads alpha and beta before returning, so one pair is reused
        scalars.set(ValueLayout.JAVA_FLOAT, 0, alpha);
        scalars.set(ValueLayout.JAVA_FLOAT, 4, beta);
        try {
            int status = (int) sgemm.invokeExact(handle, transA ? OP_T : OP_N, transB ? OP_T : OP_N, m, n, k,
                    scalars, MemorySegment.ofAddress(a), Math.max(1, lda), MemorySegment.ofAddress(b), Math.max(1, ldb),
                    scalars.asSlice(4), MemorySegment.ofAddress(c), Math.max(1, ldc));
            check(status, "cublasSgemm_v2");
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    @Override
    public void close() {
        try {
            int ignored = (int) destroy.invokeExact(handle);
        } catch (Throwable t) {
            // closing anyway
        } finally {
            arena.close();
        }
    }

    /**
     * Where cuBLAS can be loaded from: {@code -Dloupe.cublas=PATH} if set, else the first of
     * {@link #NAMES} the dynamic linker finds, else a copy inside a Python environment's NVIDIA
     * wheels (where PyTorch's CUDA 13 build keeps it). Empty when none loads.
     */
    static Optional<String> locate() {
        List<String> candidates = new ArrayList<>();
        String explicit = System.getProperty("loupe.cublas");
        if (explicit != null && !explicit.isBlank()) candidates.add(explicit);
        candidates.addAll(NAMES);
        candidates.addAll(pythonWheelCopies());
        for (String c : candidates) {
            try (Arena probe = Arena.ofConfined()) {
                SymbolLookup.libraryLookup(c, probe).find("cublasSgemm_v2").orElseThrow();
                return Optional.of(c);
            } catch (RuntimeException e) {
                // not loadable: try the next
            }
        }
        return Optional.empty();
    }

    private static List<String> pythonWheelCopies() {
        List<String> found = new ArrayList<>();
        for (String root : List.of("/usr/local/lib", "/usr/lib", "/opt/conda/lib", System.getProperty("user.home") + "/.local/lib")) {
            try (Stream<Path> pythons = Files.list(Path.of(root))) {
                for (Path py : pythons.filter(p -> p.getFileName().toString().startsWith("python3")).toList()) {
                    try (Stream<Path> s = Files.find(py, 5, (p, a) -> {
                        String f = p.getFileName().toString();
                        return (f.equals("libcublas.so.13") || f.equals("libcublas.so.12")) && p.toString().contains("nvidia");
                    })) {
                        s.map(Path::toString).forEach(found::add);
                    }
                }
            } catch (Exception e) {
                // a missing or unreadable folder: skip it
            }
        }
        found.sort((x, y) -> x.endsWith(".13") == y.endsWith(".13") ? x.compareTo(y) : x.endsWith(".13") ? -1 : 1);
        return found;
    }
}
