package dev.loupe.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    private long entries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void replacesContentAndLeavesNoTempFile() throws IOException {
        Path f = dir.resolve("sub/run.json");
        AtomicFiles.writeBytes(f, new byte[] {1, 2});
        AtomicFiles.writeBytes(f, new byte[] {3});
        assertArrayEquals(new byte[] {3}, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(f.getParent())) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void failingWriterKeepsOldContentAndRemovesTemp() throws IOException {
        Path f = dir.resolve("a.bin");
        AtomicFiles.writeBytes(f, new byte[] {7});
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[1000]);
            throw new IllegalStateException("boom");
        }));
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(f));
        assertEquals(1, entries());
    }

    @Test
    void writesAndReplacesWholeDirectory() throws IOException {
        Path ckpt = dir.resolve("step-10");
        AtomicFiles.writeDirectory(ckpt, d -> Files.writeString(d.resolve("old.txt"), "old"));
        AtomicFiles.writeDirectory(ckpt, d -> {
            Files.createDirectories(d.resolve("params"));
            Files.writeString(d.resolve("params/w.txt"), "new");
        });
        assertEquals("new", Files.readString(ckpt.resolve("params/w.txt")));
        assertFalse(Files.exists(ckpt.resolve("old.txt")));
        assertEquals(1, entries());
        assertThrows(IllegalStateException.class, () -> AtomicFiles.writeDirectory(ckpt, d -> {
            Files.writeString(d.resolve("half.txt"), "x");
            throw new IllegalStateException("killed");
        }));
        assertEquals("new", Files.readString(ckpt.resolve("params/w.txt")));
        assertEquals(1, entries());
    }
}
