package dev.loupe.datasets.tfevents;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Appends events to a new {@code events.out.tfevents.<secs>.<host>} file in a folder, as
 * TensorBoard writes them: a {@code brain.Event:2} header record, then one framed record per
 * {@link #write}. Each record goes to the OS in one write (no user-space buffer), so a process
 * killed at any moment leaves every earlier record intact and at most one torn record at the end,
 * which {@link TfEventReader} detects by its CRC and skips. No fsync: a power cut may lose the
 * tail, a crash of the process does not.
 *
 * <p>{@link #inBackground} makes a writer whose {@link #write} only queues the event: a daemon
 * thread at the lowest scheduling priority encodes, frames and writes the events in order, so a
 * training step waits neither on the encoding nor on the system call, and the thread takes a
 * core when the training leaves one idle rather than preempting it. The thread looks at the queue
 * every {@value #POLL_MILLIS} ms instead of being woken per event (a wake-up is a system call,
 * and on a machine whose cores are all busy it can put the woken thread in the place of the one
 * that woke it), and writes what it finds, whole records, in one system call; when
 * {@value #WAKE_AT} events are queued before that, {@link #write} wakes it. Each wake-up costs
 * the thread more than encoding an event (its caches are cold: on a 2-core machine training a
 * 5 ms-step MLP, polling every 20 ms took 1.3% of a core, every 100 ms 0.5%), so it wakes rarely;
 * TensorBoard's own writers flush every 120 s. {@link #close} writes everything queued before it
 * returns; a process killed outright loses at most the events still queued, those of the last
 * {@value #POLL_MILLIS} ms or so. At {@value #QUEUE} queued events {@link #write} waits for the
 * thread, so nothing is dropped. An I/O error on the thread is thrown by the next {@link #write}
 * or by {@link #close}.
 */
public final class TfEventWriter implements AutoCloseable {
    /** Events a background writer holds before {@link #write} waits for the thread. */
    static final int QUEUE = 256;
    /** Queued events at which {@link #write} wakes the background thread before its next look. */
    static final int WAKE_AT = QUEUE / 2;
    /** How often the background thread looks for queued events. */
    static final int POLL_MILLIS = 100;

    private final Path file;
    private final FileChannel ch;
    private final Queue<TfEvent> queue;
    private final AtomicInteger queued = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile RuntimeException failure;
    private boolean closed;

    /** Creates the folder if needed and a fresh event file in it (never appends to an older one). */
    public TfEventWriter(Path dir) {
        this(dir, false);
    }

    /**
     * A writer like {@link #TfEventWriter(Path)} whose events are encoded and written by a daemon
     * thread, in the order of the {@link #write} calls.
     */
    public static TfEventWriter inBackground(Path dir) {
        return new TfEventWriter(dir, true);
    }

    private TfEventWriter(Path dir, boolean background) {
        double now = System.currentTimeMillis() / 1000.0;
        try {
            Files.createDirectories(dir);
            String base = "events.out.tfevents." + (long) now + "." + hostName();
            Path f = dir.resolve(base);
            for (int i = 1; Files.exists(f); i++) f = dir.resolve(base + "." + i);
            this.file = f;
            this.ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create an event file in " + dir + ": " + e.getMessage(), e);
        }
        writeRecord(EventCodec.encode(TfEvent.header(now)));
        if (background) {
            queue = new ConcurrentLinkedQueue<>();
            thread = Thread.ofPlatform().daemon().name("loupe-events").start(this::drain);
        } else {
            queue = null;
            thread = null;
        }
    }

    /**
     * The background thread: every {@link #POLL_MILLIS} ms, encodes and frames what is queued and
     * writes it in one system call, until closed or until a write fails.
     */
    private void drain() {
        LowPriority.apply();
        ByteArrayOutputStream batch = new ByteArrayOutputStream(1 << 16);
        try {
            while (true) {
                boolean last = stopping; // read before draining: what was queued before close() is written
                int taken = 0;
                for (TfEvent e; (e = queue.poll()) != null; taken++) batch.writeBytes(TfRecords.frame(EventCodec.encode(e)));
                if (taken > 0) {
                    writeBytes(batch.toByteArray());
                    batch.reset();
                    queued.addAndGet(-taken);
                }
                if (last) return;
                Thread.interrupted(); // an interrupt would end every park at once: the thread stops only by close()
                LockSupport.parkNanos(POLL_MILLIS * 1_000_000L);
            }
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    /** The file being written. */
    public Path file() {
        return file;
    }

    /** Appends one event and hands it to the OS (a background writer: queues it for its thread). */
    public void write(TfEvent e) {
        if (closed) throw new IllegalStateException("event file " + file + " is closed");
        if (queue == null) {
            writeRecord(EventCodec.encode(e));
            return;
        }
        rethrow();
        queue.add(e);
        int n = queued.incrementAndGet();
        if (n == WAKE_AT) LockSupport.unpark(thread);
        if (n < QUEUE) return;
        LockSupport.unpark(thread); // full: wait for the thread to catch up
        while (queued.get() >= QUEUE && failure == null && thread.isAlive()) LockSupport.parkNanos(100_000);
        rethrow();
    }

    private void rethrow() {
        RuntimeException f = failure;
        if (f != null) throw f;
    }

    /** Appends one framed record holding {@code payload} (on the calling thread). */
    void writeRecord(byte[] payload) {
        writeBytes(TfRecords.frame(payload));
    }

    /** Appends whole framed records. */
    private void writeBytes(byte[] records) {
        ByteBuffer b = ByteBuffer.wrap(records);
        try {
            while (b.hasRemaining()) ch.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes what is queued (a background writer), then closes the file; the first I/O error is thrown here. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            if (thread != null) {
                stopping = true;
                LockSupport.unpark(thread);
                boolean interrupted = false;
                while (true) {
                    try {
                        thread.join();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // the queued events are still written: the caller asked to close
                    }
                }
                if (interrupted) Thread.currentThread().interrupt();
            }
        } finally {
            closeChannel();
        }
        rethrow();
    }

    private void closeChannel() {
        try {
            ch.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = Files.readString(Path.of("/etc/hostname")).strip();
            } catch (IOException | RuntimeException e) {
                h = "localhost";
            }
        }
        h = h.replaceAll("[^A-Za-z0-9._-]", "_");
        return h.isEmpty() ? "localhost" : h;
    }
}
