package dev.loupe.gpu;

import dev.loupe.engine.MemoryInfo;

/**
 * The few device primitives {@link CudaBackend} is built from: raw device addresses, copies and
 * launches enqueued in order on one stream, and a column-major SGEMM. {@link CudaDevice} is the
 * real one (JCuda driver API + cuBLAS); tests substitute a host emulation to check the backend's
 * own logic (launch shapes, argument order, scratch handling) where no GPU exists.
 */
interface Device extends AutoCloseable {

    /** A kernel resolved once by name, launched many times. */
    interface Kernel {
        String name();
    }

    /** One line naming the device. */
    String describe();

    /** {@code bytes} of zero-filled device memory; returns its address. */
    long alloc(long bytes);

    void free(long address);

    /** Enqueues a copy of {@code len} floats; {@code src} may be reused as soon as this returns. */
    void upload(float[] src, int srcOff, long dst, int len);

    /** Copies {@code len} floats to the host after all enqueued work; a sync point. */
    void download(long src, float[] dst, int dstOff, int len);

    void copy(long dst, long src, long bytes);

    /** Enqueues {@code dst[0..count) = value} over 32-bit words. */
    void memset32(long dst, int value, long count);

    Kernel kernel(String name);

    void launch(Kernel k, int gridX, int gridY, int blockX, int blockY, KernelArgs args);

    /**
     * cuBLAS {@code sgemm} semantics (column-major): {@code C = alpha op(A) op(B) + beta C} with
     * {@code op(A)} m×k, {@code op(B)} k×n, C m×n with leading dimension {@code ldc}.
     */
    void sgemmColumnMajor(boolean transA, boolean transB, int m, int n, int k, float alpha,
                          long a, int lda, long b, int ldb, float beta, long c, int ldc);

    void synchronize();

    /** Work recorded by {@link #capture}: a CUDA graph. */
    interface Graph extends AutoCloseable {
        /** Enqueues the recorded work on the stream. */
        void launch();

        @Override
        void close();
    }

    /**
     * Records, without running it, the work {@code ops} enqueues on the stream (launches, copies,
     * memsets, GEMMs); uploads, downloads and synchronization fail while recording.
     */
    Graph capture(Runnable ops);

    /** Device memory: {@code used} is filled in by the backend. */
    MemoryInfo memory(long usedBytes);

    @Override
    void close();
}
