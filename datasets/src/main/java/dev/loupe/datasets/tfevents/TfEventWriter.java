package dev.loupe.datasets.tfevents;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends events to a new {@code events.out.tfevents.<secs>.<host>} file in a folder, as
 * TensorBoard writes them: a {@code brain.Event:2} header record, then one framed record per
 * {@link #write}. Each record goes to the OS in one write (no user-space buffer), so a process
 * killed at any moment leaves every earlier record intact and at most one torn record at the end,
 * which {@link TfEventReader} detects by its CRC and skips. No fsync: a power cut may lose the
 * tail, a crash of the process does not.
 */
public final class TfEventWriter implements AutoCloseable {
    private final Path file;
    private final FileChannel ch;

    /** Creates the folder if needed and a fresh event file in it (never appends to an older one). */
    public TfEventWriter(Path dir) {
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
        write(TfEvent.header(now));
    }

    /** The file being written. */
    public Path file() {
        return file;
    }

    /** Appends one event and hands it to the OS. */
    public void write(TfEvent e) {
        writeRecord(EventCodec.encode(e));
    }

    /** Appends one framed record holding {@code payload}. */
    public void writeRecord(byte[] payload) {
        ByteBuffer b = ByteBuffer.wrap(TfRecords.frame(payload));
        try {
            while (b.hasRemaining()) ch.write(b);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
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
