package dev.loupe.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxFilesTest {
    @TempDir Path dir;

    private static IdxArray images(int n) {
        byte[] data = new byte[n * 2 * 3];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 37);
        return new IdxArray(new int[] {n, 2, 3}, data);
    }

    private static IdxArray labels(int... values) {
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) data[i] = (byte) values[i];
        return new IdxArray(new int[] {values.length}, data);
    }

    private Path writeRaw(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(raw);
        }
        return bos.toByteArray();
    }

    private byte[] rawBytes(IdxArray a) throws IOException {
        Path p = dir.resolve("tmp-raw.idx");
        IdxFiles.write(p, a, false);
        return Files.readAllBytes(p);
    }

    private static String message(Path p) {
        return assertThrows(BadInputException.class, () -> IdxFiles.read(p)).getMessage();
    }

    @Test
    void roundTripsRawAndGzipAndDetectsGzipByMagicNotName() throws IOException {
        IdxArray a = images(4);
        Path raw = dir.resolve("plain.gz"); // misleading name on purpose
        Path gz = dir.resolve("compressed.idx");
        IdxFiles.write(raw, a, false);
        IdxFiles.write(gz, a, true);
        assertEquals(0, Files.readAllBytes(raw)[0]);
        assertEquals((byte) 0x1f, Files.readAllBytes(gz)[0]);
        for (Path p : new Path[] {raw, gz}) {
            IdxArray b = IdxFiles.read(p);
            assertArrayEquals(a.dims(), b.dims());
            assertArrayEquals(a.data(), b.data());
        }
        assertEquals(4 + 3 * 4 + 24, Files.size(raw));
    }

    @Test
    void rejectsWrongMagic() throws IOException {
        byte[] b = rawBytes(images(2));
        b[0] = 1;
        assertTrue(message(writeRaw("x.idx", b)).contains("x.idx: not an IDX file"));
    }

    @Test
    void rejectsUnsupportedElementTypeNamingIt() throws IOException {
        byte[] b = rawBytes(images(2));
        b[2] = 0x0D;
        String m = message(writeRaw("x.idx", b));
        assertTrue(m.contains("0x0d (float)"), m);
    }

    @Test
    void rejectsZeroDimensionsAndZeroSizes() throws IOException {
        byte[] b = rawBytes(images(2));
        b[3] = 0;
        assertTrue(message(writeRaw("a.idx", b)).contains("declares 0 dimensions"));
        byte[] c = rawBytes(images(2));
        c[4] = (byte) 0x80; // count becomes negative as int32
        assertTrue(message(writeRaw("b.idx", c)).contains("dimension 0 has size"));
    }

    @Test
    void rejectsTruncatedDataWithExpectedAndFoundSizes() throws IOException {
        byte[] b = rawBytes(images(2));
        String m = message(writeRaw("t.idx", Arrays.copyOf(b, b.length - 5)));
        assertEquals("t.idx: truncated: expected 28 bytes (dims [2, 2, 3]), found 23", m);
        String gz = message(writeRaw("t.gz", gzip(Arrays.copyOf(b, 1000 % b.length))));
        assertTrue(gz.contains("truncated"), gz);
        assertTrue(message(writeRaw("h.idx", Arrays.copyOf(b, 6))).contains("truncated: header"));
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] b = rawBytes(images(2));
        String m = message(writeRaw("x.idx", Arrays.copyOf(b, b.length + 3)));
        assertTrue(m.startsWith("x.idx: 3 trailing bytes"), m);
    }

    @Test
    void rejectsBrokenGzip() throws IOException {
        byte[] gz = gzip(rawBytes(images(50)));
        String cut = message(writeRaw("cut.gz", Arrays.copyOf(gz, gz.length / 2)));
        assertTrue(cut.contains("cut.gz: corrupt or truncated gzip data"), cut);
        byte[] bad = gz.clone();
        bad[2] = 7; // compression method other than deflate
        assertTrue(message(writeRaw("bad.gz", bad)).contains("not a valid gzip file"));
        byte[] flipped = gz.clone();
        for (int i = 12; i < flipped.length - 8; i++) flipped[i] ^= 0x5a;
        assertThrows(BadInputException.class, () -> IdxFiles.read(writeRaw("flip.gz", flipped)));
    }

    @Test
    void missingFileIsBadInput() {
        assertTrue(message(dir.resolve("nope.gz")).contains("nope.gz: file not found"));
    }

    @Test
    void checksImageLabelCountAgreementAndLabelRange() {
        IdxArray img = images(3);
        IdxFiles.checkImagesAndLabels("i", img, "l", labels(0, 9, 3), 10);
        String count = assertThrows(BadInputException.class,
                () -> IdxFiles.checkImagesAndLabels("i", img, "l", labels(0, 1), 10)).getMessage();
        assertEquals("i has 3 images but l has 2 labels", count);
        String range = assertThrows(BadInputException.class,
                () -> IdxFiles.checkImagesAndLabels("i", img, "l", labels(0, 10, 1), 10)).getMessage();
        assertEquals("l: label 10 at index 1 is outside [0, 10)", range);
        assertThrows(BadInputException.class, () -> IdxFiles.checkImagesAndLabels("i", labels(1), "l", labels(1), 10));
    }
}
