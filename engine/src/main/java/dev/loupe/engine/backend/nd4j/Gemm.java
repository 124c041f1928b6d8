package dev.loupe.engine.backend.nd4j;

import static dev.loupe.engine.backend.nd4j.Nd4jBackend.F;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * gemm split into blocks that the workers hand to single-threaded OpenBLAS calls; the split is a
 * function of the shape alone, so results are reproducible bit for bit, for any thread count.
 * <ul>
 *   <li>Row or column blocks of C: each element is computed by exactly one call over the full k.</li>
 *   <li>When k dwarfs m and n (weight gradients of convolutions: 288×64 summed over 15,488 rows),
 *       blocks of k write partial products that are then added in block order.</li>
 * </ul>
 * Sharing blocks dynamically keeps both cores busy even when another process takes one of them for a
 * while, where OpenBLAS's own lock-step threads would wait for the slow one.
 */
final class Gemm {
    /** Work (m·n·k) below which one call on the calling thread is cheaper than splitting. */
    private static final long SPLIT_WORK = 2L << 20;
    /** Blocks of C per gemm: a few per core for balance; each block repacks the shared operand. */
    private static final int BLOCKS = 4;
    /** Blocks of k for the split-k form. */
    private static final int K_BLOCKS = 4;

    private final OpenBlas blas;
    private final Workers workers;
    private final Arena arena;
    private MemorySegment partials = MemorySegment.NULL;

    // the current call, read by the block bodies (written only by the calling thread, before the fork)
    private boolean ta, tb, splitRows;
    private int m, n, k, quantum;
    private float alpha, beta;
    private long a, b, c;
    private final Workers.Range cBlock = this::cBlock;
    private final Workers.Range kBlock = this::kBlock;

    Gemm(OpenBlas blas, Workers workers, Arena arena) {
        this.blas = blas;
        this.workers = workers;
        this.arena = arena;
    }

    void run(boolean transA, boolean transB, int m, int n, int k, float alpha, MemorySegment a, MemorySegment b,
             float beta, MemorySegment c) {
        long work = (long) m * n * k;
        int lda = transA ? m : k, ldb = transB ? k : n;
        // the split depends on the shape alone, also on one thread (the blocks then run in turn): a
        // block may take another OpenBLAS kernel than the whole (small-matrix paths, edge tiles) and
        // split-k reorders the sum, so splitting only when there are threads would change the bits
        boolean splitK = work >= SPLIT_WORK && k >= 8 * Math.max(m, n);
        if (work < SPLIT_WORK) {
            blas.sgemm(transA, transB, m, n, k, alpha, a.address(), lda, b.address(), ldb, beta, c.address(), n);
            return;
        }
        this.ta = transA;
        this.tb = transB;
        this.m = m;
        this.n = n;
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        this.a = a.address();
        this.b = b.address();
        this.c = c.address();
        if (splitK) {
            splitK(c);
            return;
        }
        splitRows = m >= n;
        int len = splitRows ? m : n;
        // whole multiples of 16 rows/columns (OpenBLAS's register tile)
        int blocks = Math.max(1, Math.min(BLOCKS, len / 16));
        quantum = ((len + blocks - 1) / blocks + 15) / 16 * 16;
        blocks = (len + quantum - 1) / quantum;
        workers.run(blocks, blocks, cBlock);
    }

    private void cBlock(int index, int ignoredLo, int ignoredHi) {
        int len = splitRows ? m : n;
        int from = index * quantum, to = Math.min(len, from + quantum);
        if (from >= to) return;
        int lda = ta ? m : k, ldb = tb ? k : n;
        long fb = (long) from * Float.BYTES;
        if (splitRows) { // rows [from, to) of op(A) and of C
            blas.sgemm(ta, tb, to - from, n, k, alpha, ta ? a + fb : a + fb * lda, lda, b, ldb, beta, c + fb * n, n);
        } else { // columns [from, to) of op(B) and of C
            blas.sgemm(ta, tb, m, to - from, k, alpha, a, lda, tb ? b + fb * ldb : b + fb, ldb, beta, c + fb, n);
        }
    }

    private void splitK(MemorySegment cSeg) {
        long mn = (long) m * n;
        long need = (K_BLOCKS - 1) * mn * Float.BYTES;
        if (partials.byteSize() < need) partials = arena.allocate(need, 64); // grows once to the largest gemm
        quantum = (k + K_BLOCKS - 1) / K_BLOCKS;
        workers.run(K_BLOCKS, K_BLOCKS, kBlock);
        // C += partial 1 + partial 2 + … in block order, elementwise
        MemorySegment p = partials;
        workers.forEach((int) mn, Nd4jBackend.GRAIN, (ch, lo, hi) -> {
            for (long i = lo; i < hi; i++) {
                float s = cSeg.getAtIndex(F, i);
                for (long j = 0; j < K_BLOCKS - 1; j++) s += p.getAtIndex(F, j * mn + i);
                cSeg.setAtIndex(F, i, s);
            }
        });
    }

    private void kBlock(int index, int ignoredLo, int ignoredHi) {
        int from = index * quantum, to = Math.min(k, from + quantum);
        int lda = ta ? m : k, ldb = tb ? k : n;
        long fb = (long) from * Float.BYTES;
        long aAt = ta ? a + fb * lda : a + fb, bAt = tb ? b + fb : b + fb * ldb;
        long mnBytes = (long) m * n * Float.BYTES;
        long out = index == 0 ? c : partials.address() + (index - 1) * mnBytes;
        if (to <= from) { // an empty block (only a later one can be empty) still owns its partial
            partials.asSlice((index - 1) * mnBytes, mnBytes).fill((byte) 0);
            return;
        }
        blas.sgemm(ta, tb, m, n, to - from, alpha, aAt, lda, bAt, ldb, index == 0 ? beta : 0f, out, n);
    }
}
