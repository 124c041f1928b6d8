package dev.loupe.gpu;

import dev.loupe.engine.MemoryInfo;

/**
 * A {@link Device} that runs {@code flush} before any work that could depend on work held back:
 * {@link CudaBackend} holds consecutive statistics calls and launches them as one batch, so every
 * copy, launch, GEMM, synchronization, free and recording must see the batch enqueued first.
 * Allocation needs no flush (nothing pending reads new memory).
 */
final class FlushingDevice implements Device {
    private final Device d;
    private final Runnable flush;

    FlushingDevice(Device d, Runnable flush) {
        this.d = d;
        this.flush = flush;
    }

    @Override
    public String describe() {
        return d.describe();
    }

    @Override
    public long alloc(long bytes) {
        return d.alloc(bytes);  // new memory: nothing pending reads it
    }

    @Override
    public void free(long address) {
        flush.run();
        d.free(address);
    }

    @Override
    public void upload(float[] src, int srcOff, long dst, int len) {
        flush.run();
        d.upload(src, srcOff, dst, len);
    }

    @Override
    public void download(long src, float[] dst, int dstOff, int len) {
        flush.run();
        d.download(src, dst, dstOff, len);
    }

    @Override
    public void copy(long dst, long src, long bytes) {
        flush.run();
        d.copy(dst, src, bytes);
    }

    @Override
    public void memset32(long dst, int value, long count) {
        flush.run();
        d.memset32(dst, value, count);
    }

    @Override
    public Kernel kernel(String name) {
        return d.kernel(name);
    }

    @Override
    public void launch(Kernel k, int gridX, int gridY, int blockX, int blockY, KernelArgs args) {
        flush.run();
        d.launch(k, gridX, gridY, blockX, blockY, args);
    }

    @Override
    public void sgemmColumnMajor(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 long a, int lda, long b, int ldb, float beta, long c, int ldc) {
        flush.run();
        d.sgemmColumnMajor(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    @Override
    public void synchronize() {
        flush.run();
        d.synchronize();
    }

    @Override
    public Graph capture(Runnable ops) {
        flush.run();
        return d.capture(() -> {
            ops.run();
            flush.run();
        });
    }

    @Override
    public MemoryInfo memory(long usedBytes) {
        return d.memory(usedBytes);
    }

    @Override
    public void close() {
        flush.run();
        d.close();
    }
}
