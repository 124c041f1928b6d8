package dev.loupe.datasets;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files and directories so that a reader sees either the old content or the complete new
 * content, never a half-written file: write to a temp name in the same folder, fsync, rename.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Fills an output stream; the stream is buffered and closed by {@link AtomicFiles}. */
    @FunctionalInterface
    public interface StreamBody {
        void write(OutputStream out) throws IOException;
    }

    /** Fills a fresh, empty directory with files. */
    @FunctionalInterface
    public interface DirectoryBody {
        void write(Path dir) throws IOException;
    }

    /**
     * Creates an output directory the user named (with its parents) and checks that a file can be
     * written in it, so an unusable path is reported before any work starts.
     *
     * @param option how the user named it, for the message ({@code "--run"}, {@code "--out"})
     * @throws BadInputException when the directory cannot be created or written to
     */
    public static void createOutputDirectory(Path dir, String option) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".loupe-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            String why = e instanceof java.nio.file.FileAlreadyExistsException ? "a file is in the way"
                    : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
            throw new BadInputException("cannot write to " + option + " directory " + dir + ": " + why);
        }
    }

    /** Atomically replaces {@code target} with {@code bytes}. */
    public static void writeBytes(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /** Atomically replaces {@code target} with whatever {@code body} writes. */
    public static void write(Path target, StreamBody body) {
        Path dir = parentOf(target);
        Path tmp = tempSibling(target);
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                body.write(new NonClosing(out));
                out.flush();
                ch.force(true); // the data must be on disk before the rename makes it visible
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    /**
     * Builds a directory under a temp name and renames it to {@code target}. An existing target is
     * first renamed aside and deleted after the swap; between those two renames (microseconds)
     * the target name is briefly absent, but it is never half-written.
     */
    public static void writeDirectory(Path target, DirectoryBody body) {
        Path parent = parentOf(target);
        Path tmp = tempSibling(target);
        Path old = null;
        try {
            Files.createDirectories(parent);
            Files.createDirectory(tmp);
            body.write(tmp);
            forceTree(tmp);
            if (Files.exists(target)) {
                old = tempSibling(target);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(parent);
            if (old != null) deleteTree(old);
        } catch (IOException e) {
            deleteTreeQuietly(tmp);
            throw new UncheckedIOException("cannot write directory " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteTreeQuietly(tmp);
            throw e;
        }
    }

    private static Path parentOf(Path target) {
        Path abs = target.toAbsolutePath();
        return abs.getParent();
    }

    private static Path tempSibling(Path target) {
        Path abs = target.toAbsolutePath();
        String name = "." + abs.getFileName() + ".tmp-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        return abs.resolveSibling(name);
    }

    private static void forceTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) throw exc;
                syncDirectory(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Makes a rename durable; best effort because not every file system allows opening a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // e.g. Windows or some network file systems: the rename itself is still atomic
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) throw exc;
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteTreeQuietly(Path root) {
        try {
            deleteTree(root);
        } catch (IOException ignored) {
            // the temp name starts with a dot and is never read as a result
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // as above
        }
    }

    /** Keeps the body from closing the channel before we fsync it. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
