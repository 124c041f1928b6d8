package dev.loupe.gpu;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.Optional;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;

/**
 * Decides once per JVM whether the CUDA backend can run here, without ever letting a missing
 * driver or library take the JVM down: each step that touches native code is guarded, and the
 * first one that fails becomes the one-sentence reason {@code loupe info} prints.
 */
final class CudaProbe {
    /** Either the cuBLAS library to use, or why CUDA cannot run here. */
    record Result(String cublasLibrary, String unavailable) {
        Optional<String> reason() {
            return Optional.ofNullable(unavailable);
        }
    }

    private static volatile Result cached;

    private CudaProbe() {}

    static Result result() {
        Result r = cached;
        if (r == null) {
            synchronized (CudaProbe.class) {
                if (cached == null) cached = probe();
                r = cached;
            }
        }
        return r;
    }

    private static Result no(String why) {
        return new Result(null, why);
    }

    private static Result probe() {
        // 1. The driver library, checked with a plain dlopen before JCuda's native code runs.
        try (Arena a = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", a);
        } catch (Throwable t) {
            return no("no NVIDIA driver: libcuda.so.1 was not found (install the NVIDIA driver, or run on a machine with a GPU).");
        }
        // 2. JCuda's driver binding, the driver itself, and a device.
        try {
            JCudaDriver.setExceptionsEnabled(false);
            int status = JCudaDriver.cuInit(0);
            if (status != 0) {
                return no("the CUDA driver could not start: " + jcuda.driver.CUresult.stringFor(status) + ".");
            }
            int[] count = new int[1];
            status = JCudaDriver.cuDeviceGetCount(count);
            if (status != 0 || count[0] == 0) {
                return no("no CUDA device: the driver is installed but reports no GPU.");
            }
            CUdevice d = new CUdevice();
            JCudaDriver.cuDeviceGet(d, 0);
            int[] major = new int[1];
            JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d);
            if (major[0] < 9) {
                return no("the GPU has compute capability " + major[0] + ".x; Loupe's kernels are built for 9.0 (Hopper) or newer.");
            }
        } catch (Throwable t) {
            return no("JCuda's driver library could not be loaded: " + firstLine(t) + ".");
        } finally {
            try {
                JCudaDriver.setExceptionsEnabled(true);
            } catch (Throwable ignored) {
                // the class itself failed to load; already reported
            }
        }
        // 3. cuBLAS, found through FFM.
        Optional<String> cublas;
        try {
            cublas = Cublas.locate();
        } catch (Throwable t) {
            cublas = Optional.empty();
        }
        if (cublas.isEmpty()) {
            return no("cuBLAS is missing: neither libcublas.so.13 nor libcublas.so.12 could be loaded "
                    + "(set -Dloupe.cublas=/path/to/libcublas.so.13 or add its folder to LD_LIBRARY_PATH).");
        }
        return new Result(cublas.get(), null);
    }

    static String firstLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
