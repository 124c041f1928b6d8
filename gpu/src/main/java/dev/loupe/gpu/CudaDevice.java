package dev.loupe.gpu;

import static jcuda.driver.JCudaDriver.*;

import dev.loupe.engine.MemoryInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.CUstream_flags;

/**
 * The real device: JCuda's driver API on the device's primary context, one non-blocking stream,
 * Loupe's kernels loaded from the shipped cubin (compute capability 9.0) or JIT-compiled from the
 * PTX (newer GPUs), cuBLAS through {@link Cublas}, and a pinned staging buffer so host copies
 * are asynchronous and never touch a Java array after the call returns (pinned memory is
 * read and written through FFM, not through JCuda's buffer views).
 */
final class CudaDevice implements Device {
    /**
     * cuBLAS's workspace, given to it explicitly so that a GEMM recorded into a CUDA graph never
     * needs cuBLAS to allocate (32 MiB is what NVIDIA suggests for Hopper).
     */
    private static final long CUBLAS_WORKSPACE = 32L << 20;
    /** Pinned staging size: host copies larger than this go through it in chunks. */
    private static final int STAGING_FLOATS = 4 << 20;

    /** A {@link CUdeviceptr} that tells its address (JCuda keeps it protected). */
    private static final class DevPtr extends CUdeviceptr {
        long address() { return getNativePointer(); }
    }

    /** A host {@link Pointer} that tells its address (for FFM access to pinned memory). */
    private static final class HostPtr extends Pointer {
        long address() { return getNativePointer() + getByteOffset(); }
    }

    /** A {@link CUstream} that tells its handle, for cuBLAS. */
    private static final class Stream extends CUstream {
        long handle() { return getNativePointer(); }
    }

    /** A {@link CUfunction} that tells its handle, for launches through FFM. */
    private static final class FnPtr extends CUfunction {
        long handle() { return getNativePointer(); }
    }

    private record Fn(String name, FnPtr f) implements Kernel {}

    /** Parameters a launch through FFM can take; longer lists go through JCuda. */
    private static final int MAX_PARAMS = 32;
    /** Bytes of structs passed by value in one launch (the driver's limit is 4 KiB of parameters). */
    private static final int MAX_STRUCT_BYTES = 4096;

    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final Stream stream = new Stream();
    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, Fn> functions = new HashMap<>();
    private final Cublas cublas;
    private final HostPtr staging = new HostPtr();
    private final MemorySegment stagingFloats;
    private final CUevent stagingFree = new CUevent();
    private final ThreadLocal<Boolean> bound = ThreadLocal.withInitial(() -> false);
    private final String description;
    private final long cublasWorkspace;
    /**
     * {@code cuLaunchKernel} called through FFM, or null to launch through JCuda
     * ({@code -Dloupe.cuda.launch=jcuda}). JCuda builds a Pointer object per parameter and copies
     * them through JNI on every launch; here the parameter values go into one native block whose
     * pointer array is built once.
     */
    private final MethodHandle launchFfm;
    private final Arena launchArena = Arena.ofShared();
    private final MemorySegment paramValues, paramPointers, paramStructs, streamHandle;

    /** Opens device 0; {@code cublasLibrary} from {@link Cublas#locate()}. */
    CudaDevice(String cublasLibrary, boolean tf32) {
        setExceptionsEnabled(true);
        cuInit(0);
        cuDeviceGet(device, 0);
        cuDevicePrimaryCtxRetain(context, device);
        bind();
        cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        cuEventCreate(stagingFree, CUevent_flags.CU_EVENT_DISABLE_TIMING);
        cuMemAllocHost(staging, (long) STAGING_FLOATS * Float.BYTES);
        stagingFloats = MemorySegment.ofAddress(staging.address()).reinterpret((long) STAGING_FLOATS * Float.BYTES);
        int major = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        boolean cubin = major == 9 && minor == 0;
        for (String m : KernelImages.MODULES) {
            CUmodule mod = new CUmodule();
            // the cubin runs only on exactly sm_90; anything newer JIT-compiles the PTX once
            cuModuleLoadData(mod, cubin ? KernelImages.cubin(m) : KernelImages.ptx(m));
            modules.add(mod);
        }
        streamHandle = MemorySegment.ofAddress(stream.handle());
        paramValues = launchArena.allocate(8L * MAX_PARAMS, 8);
        paramPointers = launchArena.allocate(ValueLayout.ADDRESS, MAX_PARAMS);
        paramStructs = launchArena.allocate(MAX_STRUCT_BYTES, 16);
        for (int i = 0; i < MAX_PARAMS; i++) paramPointers.setAtIndex(ValueLayout.ADDRESS, i, paramValues.asSlice(8L * i, 8));
        launchFfm = "jcuda".equals(System.getProperty("loupe.cuda.launch")) ? null : ffmLaunch();
        cublas = new Cublas(cublasLibrary, stream.handle(), tf32);
        cublasWorkspace = alloc(CUBLAS_WORKSPACE);
        cublas.setWorkspace(cublasWorkspace, CUBLAS_WORKSPACE);
        description = describe(major, minor, cubin, tf32);
    }

    /** {@code CUresult cuLaunchKernel(CUfunction, 6 × unsigned, unsigned shared, CUstream, void**, void**)}. */
    private static MethodHandle ffmLaunch() {
        ValueLayout.OfInt u = ValueLayout.JAVA_INT;
        var addr = ValueLayout.ADDRESS;
        // the library JCuda's driver binding already loaded: dlopen returns the same handle
        SymbolLookup driver = SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
        MemorySegment fn = driver.find("cuLaunchKernel").orElseThrow(() -> new IllegalStateException("libcuda.so.1 has no cuLaunchKernel"));
        return Linker.nativeLinker().downcallHandle(fn, FunctionDescriptor.of(u, addr, u, u, u, u, u, u, u, addr, addr, addr));
    }

    private String describe(int major, int minor, boolean cubin, boolean tf32) {
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        String n = new String(name, 0, indexOfZero(name)).trim();
        long[] total = new long[1];
        cuDeviceTotalMem(total, device);
        int[] driver = new int[1];
        cuDriverGetVersion(driver);
        return String.format("%s (sm_%d%d, %.1f GiB), CUDA driver %d.%d, kernels %s launched through %s, cuBLAS %d (%s), %s",
                n, major, minor, total[0] / (double) (1L << 30), driver[0] / 1000, driver[0] % 1000 / 10,
                cubin ? "sm_90 cubin" : "PTX JIT", launchPath(), cublas.version, cublas.library, tf32 ? "TF32 GEMM" : "FP32");
    }

    private static int indexOfZero(byte[] b) {
        for (int i = 0; i < b.length; i++) if (b[i] == 0) return i;
        return b.length;
    }

    private int attribute(int attr) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, attr, device);
        return v[0];
    }

    /** The context is current per thread; make it current on whichever thread calls us. */
    private void bind() {
        if (!bound.get()) {
            cuCtxSetCurrent(context);
            bound.set(true);
        }
    }

    /** A device pointer at a raw address (JCuda adds the byte offset to a null base). */
    private static CUdeviceptr at(long address) {
        return new CUdeviceptr().withByteOffset(address);
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public long alloc(long bytes) {
        bind();
        DevPtr p = new DevPtr();
        cuMemAlloc(p, bytes);
        cuMemsetD8Async(p, (byte) 0, bytes, stream);
        return p.address();
    }

    @Override
    public void free(long address) {
        bind();
        cuMemFree(at(address));
    }

    @Override
    public void upload(float[] src, int srcOff, long dst, int len) {
        bind();
        for (int done = 0; done < len; ) {
            int chunk = Math.min(STAGING_FLOATS, len - done);
            cuEventSynchronize(stagingFree);  // the previous copy out of the staging buffer is done
            MemorySegment.copy(src, srcOff + done, stagingFloats, ValueLayout.JAVA_FLOAT, 0, chunk);
            cuMemcpyHtoDAsync(at(dst + (long) done * Float.BYTES), staging, (long) chunk * Float.BYTES, stream);
            cuEventRecord(stagingFree, stream);
            done += chunk;
        }
    }

    @Override
    public void download(long src, float[] dst, int dstOff, int len) {
        bind();
        if (len == 0) {
            cuStreamSynchronize(stream);
            return;
        }
        for (int done = 0; done < len; ) {
            int chunk = Math.min(STAGING_FLOATS, len - done);
            cuMemcpyDtoHAsync(staging, at(src + (long) done * Float.BYTES), (long) chunk * Float.BYTES, stream);
            cuStreamSynchronize(stream);  // the sync point the contract promises
            MemorySegment.copy(stagingFloats, ValueLayout.JAVA_FLOAT, 0, dst, dstOff + done, chunk);
            done += chunk;
        }
    }

    @Override
    public void copy(long dst, long src, long bytes) {
        bind();
        cuMemcpyDtoDAsync(at(dst), at(src), bytes, stream);
    }

    @Override
    public void memset32(long dst, int value, long count) {
        bind();
        cuMemsetD32Async(at(dst), value, count, stream);
    }

    @Override
    public Kernel kernel(String name) {
        bind();
        return functions.computeIfAbsent(name, n -> {
            for (CUmodule m : modules) {
                FnPtr f = new FnPtr();
                try {
                    cuModuleGetFunction(f, m, n);
                    return new Fn(n, f);
                } catch (jcuda.CudaException e) {
                    // not in this module
                }
            }
            throw new IllegalStateException("no kernel " + n + " in Loupe's CUDA modules");
        });
    }

    @Override
    public void launch(Kernel k, int gridX, int gridY, int blockX, int blockY, KernelArgs args) {
        bind();
        if (launchFfm != null && args.count() <= MAX_PARAMS) {
            launchThroughFfm(((Fn) k).f().handle(), gridX, gridY, blockX, blockY, args);
            return;
        }
        Pointer[] params = new Pointer[args.count()];
        for (int i = 0; i < params.length; i++) {
            long b = args.bits(i);
            params[i] = switch (args.kind(i)) {
                case PTR, I64, F64 -> Pointer.to(new long[] {b});  // the same 8 bytes a double has
                case I32, F32 -> Pointer.to(new int[] {(int) b});
                case BYTES -> Pointer.to(args.blob(i));
            };
        }
        cuLaunchKernel(((Fn) k).f(), gridX, gridY, 1, blockX, blockY, 1, 0, stream, Pointer.to(params), null);
    }

    /** The driver copies the parameter values before returning, so the one block is reused. */
    private synchronized void launchThroughFfm(long function, int gridX, int gridY, int blockX, int blockY, KernelArgs args) {
        long structs = 0;
        for (int i = 0; i < args.count(); i++) {
            long b = args.bits(i);
            switch (args.kind(i)) {
                case PTR, I64, F64 -> paramValues.set(ValueLayout.JAVA_LONG, 8L * i, b);
                case I32, F32 -> paramValues.set(ValueLayout.JAVA_INT, 8L * i, (int) b);
                case BYTES -> {
                    byte[] blob = args.blob(i);
                    if (structs + blob.length > MAX_STRUCT_BYTES) throw new IllegalArgumentException("kernel parameters over 4 KiB");
                    MemorySegment.copy(blob, 0, paramStructs, ValueLayout.JAVA_BYTE, structs, blob.length);
                    paramPointers.setAtIndex(ValueLayout.ADDRESS, i, paramStructs.asSlice(structs, blob.length));
                    structs += (blob.length + 15) & ~15L;
                }
            }
        }
        int rc;
        try {
            rc = (int) launchFfm.invokeExact(MemorySegment.ofAddress(function), gridX, gridY, 1, blockX, blockY, 1, 0,
                    streamHandle, paramPointers, MemorySegment.NULL);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (structs > 0) {  // point the struct slots back at their value slots
            for (int i = 0; i < args.count(); i++) paramPointers.setAtIndex(ValueLayout.ADDRESS, i, paramValues.asSlice(8L * i, 8));
        }
        if (rc != CUresult.CUDA_SUCCESS) throw new jcuda.CudaException("cuLaunchKernel failed: " + CUresult.stringFor(rc));
    }

    /** How kernels are launched: through FFM or through JCuda. */
    String launchPath() {
        return launchFfm != null ? "FFM" : "JCuda";
    }

    @Override
    public void sgemmColumnMajor(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 long a, int lda, long b, int ldb, float beta, long c, int ldc) {
        bind();
        cublas.sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    @Override
    public void synchronize() {
        bind();
        cuStreamSynchronize(stream);
    }

    @Override
    public Graph capture(Runnable ops) {
        bind();
        // thread-local: only this thread's calls are checked; the recording itself is per stream
        cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        CUgraph graph = new CUgraph();
        try {
            ops.run();
        } catch (RuntimeException | Error e) {
            try {
                cuStreamEndCapture(stream, graph);
                cuGraphDestroy(graph);
            } catch (RuntimeException ignored) {
                // the capture was already invalidated; the first failure is the one to report
            }
            throw e;
        }
        cuStreamEndCapture(stream, graph);
        CUgraphExec exec = new CUgraphExec();
        try {
            cuGraphInstantiate(exec, graph, 0);
        } finally {
            cuGraphDestroy(graph);
        }
        return new Graph() {
            private boolean closed;

            @Override
            public void launch() {
                bind();
                cuGraphLaunch(exec, stream);
            }

            @Override
            public void close() {
                if (closed) return;
                closed = true;
                bind();
                cuGraphExecDestroy(exec);
            }
        };
    }

    @Override
    public MemoryInfo memory(long usedBytes) {
        bind();
        long[] free = new long[1], total = new long[1];
        cuMemGetInfo(free, total);
        return new MemoryInfo(usedBytes, free[0], total[0]);
    }

    @Override
    public void close() {
        bind();
        cuStreamSynchronize(stream);
        cublas.close();
        free(cublasWorkspace);
        for (CUmodule m : modules) cuModuleUnload(m);
        cuMemFreeHost(staging);
        cuEventDestroy(stagingFree);
        cuStreamDestroy(stream);
        cuDevicePrimaryCtxRelease(device);
        launchArena.close();
    }
}
