package dev.loupe.gpu;

import dev.loupe.engine.MemoryInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link Device} that runs Loupe's CUDA kernels on the host (see {@link KernelEmulator}) over
 * native memory, and a plain-loop column-major SGEMM standing in for cuBLAS. Everything is
 * synchronous; what it checks is the backend's use of the kernels, not the GPU.
 */
final class EmulatedDevice implements Device {
    private record Named(String name) implements Kernel {}

    private final Arena libArena = Arena.ofShared();
    private final MethodHandle launch;
    private final Map<Long, Arena> allocations = new HashMap<>();
    private final Map<Long, Long> sizes = new HashMap<>();
    private final Map<String, java.util.List<String>> signatures = KernelEmulator.signatures();
    int launches;

    EmulatedDevice() throws IOException {
        SymbolLookup lib = SymbolLookup.libraryLookup(KernelEmulator.library(), libArena);
        launch = Linker.nativeLinker().downcallHandle(lib.find("emu_launch").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    private static MemorySegment seg(long address, long bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    @Override
    public String describe() {
        return "host emulation of Loupe's CUDA kernels";
    }

    @Override
    public long alloc(long bytes) {
        Arena a = Arena.ofShared();
        MemorySegment s = a.allocate(bytes, 16);  // zero-filled
        allocations.put(s.address(), a);
        sizes.put(s.address(), bytes);
        return s.address();
    }

    @Override
    public void free(long address) {
        Arena a = allocations.remove(address);
        if (a == null) throw new IllegalArgumentException("free of an unknown address");
        sizes.remove(address);
        a.close();
    }

    /** Fails like a device fault would if [address, address+bytes) is outside every allocation. */
    private void inBounds(long address, long bytes) {
        for (var e : sizes.entrySet()) {
            if (address >= e.getKey() && address + bytes <= e.getKey() + e.getValue()) return;
        }
        throw new IllegalStateException("access outside any allocation: " + bytes + " bytes at " + address);
    }

    @Override
    public void upload(float[] src, int srcOff, long dst, int len) {
        refuseWhileCapturing("upload");
        inBounds(dst, (long) len * 4);
        MemorySegment.copy(src, srcOff, seg(dst, (long) len * 4), ValueLayout.JAVA_FLOAT, 0, len);
    }

    @Override
    public void download(long src, float[] dst, int dstOff, int len) {
        refuseWhileCapturing("download");
        inBounds(src, (long) len * 4);
        MemorySegment.copy(seg(src, (long) len * 4), ValueLayout.JAVA_FLOAT, 0, dst, dstOff, len);
    }

    @Override
    public void copy(long dst, long src, long bytes) {
        if (record(() -> copy(dst, src, bytes))) return;
        inBounds(dst, bytes);
        inBounds(src, bytes);
        MemorySegment.copy(seg(src, bytes), 0, seg(dst, bytes), 0, bytes);
    }

    @Override
    public void memset32(long dst, int value, long count) {
        if (record(() -> memset32(dst, value, count))) return;
        inBounds(dst, count * 4);
        MemorySegment s = seg(dst, count * 4);
        for (long i = 0; i < count; i++) s.setAtIndex(ValueLayout.JAVA_INT, i, value);
    }

    @Override
    public Kernel kernel(String name) {
        if (!KernelEmulator.entryNames().contains(name)) throw new IllegalStateException("no kernel " + name);
        return new Named(name);
    }

    @Override
    public void launch(Kernel k, int gridX, int gridY, int blockX, int blockY, KernelArgs args) {
        if (gridX < 1 || gridY < 1 || blockX < 1 || blockY < 1 || blockX * blockY > 1024) {
            throw new IllegalArgumentException("invalid launch shape " + gridX + "x" + gridY + " / " + blockX + "x" + blockY);
        }
        checkSignature(k.name(), args);
        if (record(() -> launch(k, gridX, gridY, blockX, blockY, args))) return;
        launches++;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = a.allocate(ValueLayout.ADDRESS, args.count());
            for (int i = 0; i < args.count(); i++) {
                long b = args.bits(i);
                MemorySegment slot = a.allocate(args.kind(i) == KernelArgs.Kind.BYTES ? b : 8, 8);
                switch (args.kind(i)) {
                    case PTR, I64, F64 -> slot.set(ValueLayout.JAVA_LONG, 0, b);
                    case I32, F32 -> slot.set(ValueLayout.JAVA_INT, 0, (int) b);
                    case BYTES -> MemorySegment.copy(args.blob(i), 0, slot, ValueLayout.JAVA_BYTE, 0, (int) b);
                }
                params.setAtIndex(ValueLayout.ADDRESS, i, slot);
            }
            int rc = (int) launch.invokeExact(a.allocateFrom(k.name()), gridX, gridY, blockX, blockY, params);
            if (rc != 0) throw new IllegalStateException("emulator has no kernel " + k.name());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * The driver copies each parameter with the size the kernel declares, so a Java int where the
     * kernel takes a 64-bit value would read garbage on a GPU (and happen to work here, where
     * every slot is 8 zeroed bytes): compare every launch with the PTX signature.
     */
    private void checkSignature(String kernel, KernelArgs args) {
        java.util.List<String> want = signatures.get(kernel);
        if (want == null || want.size() != args.count()) {
            throw new IllegalStateException(kernel + " takes " + want + " but was given " + args.count() + " arguments");
        }
        for (int i = 0; i < want.size(); i++) {
            String ptx = want.get(i);
            boolean ok = switch (args.kind(i)) {
                case PTR, I64 -> ptx.equals("u64") || ptx.equals("s64") || ptx.equals("b64");
                case I32 -> ptx.equals("u32") || ptx.equals("s32") || ptx.equals("b32");
                case F32 -> ptx.equals("f32");
                case F64 -> ptx.equals("f64");
                case BYTES -> ptx.equals("b8[" + args.bits(i) + "]");
            };
            if (!ok) throw new IllegalStateException(kernel + " parameter " + i + " is ." + ptx + " in the PTX but passed as " + args.kind(i));
        }
    }

    @Override
    public void sgemmColumnMajor(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 long a, int lda, long b, int ldb, float beta, long c, int ldc) {
        if (record(() -> sgemmColumnMajor(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc))) return;
        MemorySegment A = seg(a, 4L * lda * (transA ? m : k)), B = seg(b, 4L * ldb * (transB ? k : n)), C = seg(c, 4L * ldc * n);
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    float av = A.getAtIndex(ValueLayout.JAVA_FLOAT, transA ? p + (long) i * lda : i + (long) p * lda);
                    float bv = B.getAtIndex(ValueLayout.JAVA_FLOAT, transB ? j + (long) p * ldb : p + (long) j * ldb);
                    acc += (double) av * bv;
                }
                long ci = i + (long) j * ldc;
                float old = beta == 0 ? 0 : beta * C.getAtIndex(ValueLayout.JAVA_FLOAT, ci);
                C.setAtIndex(ValueLayout.JAVA_FLOAT, ci, (float) (alpha * acc) + old);
            }
        }
    }

    @Override
    public void synchronize() {
        refuseWhileCapturing("synchronize");
    }

    /** Work recorded by {@link #capture}, in order; null when not capturing. */
    private java.util.List<Runnable> recording;
    /** Recordings made and not closed, and launches of recordings. */
    int liveGraphs, graphLaunches;

    private boolean record(Runnable op) {
        if (recording == null) return false;
        recording.add(op);
        return true;
    }

    private void refuseWhileCapturing(String what) {
        // a stream being captured refuses synchronizing calls on a GPU too
        if (recording != null) throw new IllegalStateException(what + " while capturing");
    }

    @Override
    public Graph capture(Runnable ops) {
        if (recording != null) throw new IllegalStateException("already capturing");
        java.util.List<Runnable> ops0 = new java.util.ArrayList<>();
        recording = ops0;
        try {
            ops.run();
        } finally {
            recording = null;
        }
        liveGraphs++;
        return new Graph() {
            private boolean closed;

            @Override
            public void launch() {
                if (closed) throw new IllegalStateException("launch of a closed graph");
                graphLaunches++;
                ops0.forEach(Runnable::run);
            }

            @Override
            public void close() {
                if (!closed) liveGraphs--;
                closed = true;
            }
        };
    }

    @Override
    public MemoryInfo memory(long usedBytes) {
        return new MemoryInfo(usedBytes, -1, -1);
    }

    @Override
    public void close() {
        allocations.values().forEach(Arena::close);
        allocations.clear();
        sizes.clear();
        libArena.close();
    }
}
