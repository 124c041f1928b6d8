package dev.loupe.engine.backend.nd4j;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A tiny fork-join for loops: the calling thread and {@code threads − 1} daemon workers share the
 * chunks of one loop. Chunk {@code i} of {@code parts} always covers the same index range, so a
 * reduction that keeps one partial per chunk and combines them in chunk order gives the same bits
 * whichever thread ran which chunk. Each loop allocates one small immutable job record.
 */
final class Workers implements AutoCloseable {
    /** The body of a loop over {@code [lo, hi)}; {@code chunk} numbers the range for per-chunk partials. */
    interface Range {
        void run(int chunk, int lo, int hi);
    }

    // spin this many pauses (a few tens of µs) before parking: long enough to catch the next op of a
    // step, short enough not to steal a core from OpenBLAS's threads during a gemm
    private static final int SPIN = 2000;

    private final Thread[] threads;
    private volatile boolean closed;
    /**
     * The loop being run, published whole: a worker that was paused between seeing a loop and
     * claiming a chunk can only claim chunks of the loop it saw (the ticket carries its generation),
     * with that loop's body and bounds. (Separate fields for body, parts and n let a paused worker
     * pair an old generation's ticket with the next loop's parts, run a chunk twice and drive the
     * pending count below zero: a hang seen once in a long benchmark.)
     */
    private volatile Job job;
    private int generation; // written by the calling thread only
    private final AtomicLong ticket = new AtomicLong(); // generation << 32 | next chunk
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Throwable failure;

    /** One loop: its generation, body and split. */
    private record Job(int generation, Range body, int parts, int n) {}

    Workers(int threads) {
        this.threads = new Thread[Math.max(0, threads - 1)];
        for (int i = 0; i < this.threads.length; i++) {
            Thread t = new Thread(this::workerLoop, "loupe-nd4j-worker-" + (i + 1));
            t.setDaemon(true);
            this.threads[i] = t;
            t.start();
        }
    }

    /** Threads that run chunks, the caller included. */
    int threads() {
        return threads.length + 1;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into {@code parts} equal chunks; returns when all
     * are done. With one part (or no workers) it runs inline.
     */
    void run(int n, int parts, Range body) {
        if (parts <= 1 || threads.length == 0) {
            for (int i = 0; i < Math.max(parts, 1); i++) body.run(i, bound(n, parts, i), bound(n, parts, i + 1));
            return;
        }
        Job j = new Job(++generation, body, parts, n);
        this.failure = null;
        pending.set(parts);
        ticket.set((long) j.generation() << 32);
        job = j; // volatile write: publishes the job after its ticket and count
        for (Thread t : threads) LockSupport.unpark(t);
        work(j);
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins < SPIN * 16) Thread.onSpinWait();
            else Thread.yield();
        }
        job = null; // drop the body's references
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
            throw new IllegalStateException(f);
        }
    }

    /**
     * An elementwise loop: chunks of at least {@code grain}, up to four per thread, so that a thread
     * the OS pauses for a while holds up little (the others take the remaining chunks).
     */
    void forEach(int n, int grain, Range body) {
        int parts = threads.length == 0 ? 1 : Math.max(1, Math.min(4 * threads(), n / Math.max(1, grain)));
        run(n, parts, body);
    }

    private static int bound(int n, int parts, int i) {
        return (int) ((long) n * i / Math.max(parts, 1));
    }

    private void work(Job j) {
        int g = j.generation(), parts = j.parts();
        while (true) {
            long tk = ticket.get();
            if ((int) (tk >>> 32) != g) return;
            int i = (int) tk;
            if (i >= parts) return;
            if (!ticket.compareAndSet(tk, tk + 1)) continue;
            try {
                j.body().run(i, bound(j.n(), parts, i), bound(j.n(), parts, i + 1));
            } catch (Throwable t) {
                failure = t;
            } finally {
                pending.decrementAndGet();
            }
        }
    }

    private void workerLoop() {
        int seen = 0;
        while (!closed) {
            int spins = 0;
            Job j;
            while (((j = job) == null || j.generation() == seen) && !closed) {
                if (++spins < SPIN) Thread.onSpinWait();
                else LockSupport.park(this);
            }
            if (closed) return;
            seen = j.generation();
            work(j);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) LockSupport.unpark(t);
    }
}
