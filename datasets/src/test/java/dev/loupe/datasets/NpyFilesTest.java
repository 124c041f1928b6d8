package dev.loupe.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fixtures in src/test/resources/npy were written by NumPy 2.4 (np.save / write_array). */
class NpyFilesTest {
    @TempDir Path dir;
    private static final float[] A = {-2f, -0.5f, 1f, 2.5f, 4f, 5.5f};

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = NpyFilesTest.class.getResourceAsStream("/npy/" + name)) {
            return in.readAllBytes();
        }
    }

    private static NpyArray read(String name) throws IOException {
        return NpyFiles.parse(name, fixture(name));
    }

    private static String error(String name, byte[] bytes) {
        return assertThrows(BadInputException.class, () -> NpyFiles.parse(name, bytes)).getMessage();
    }

    @Test
    void readsEverySupportedDtypeWrittenByNumpy() throws IOException {
        for (String f : new String[] {"f4.npy", "f8.npy", "v2.npy"}) {
            NpyArray a = read(f);
            assertArrayEquals(new int[] {2, 3}, a.shape(), f);
            assertArrayEquals(A, a.data(), f);
        }
        assertArrayEquals(new float[] {0, 7, 255}, read("u1.npy").data());
        assertArrayEquals(new int[] {1, 3}, read("u1.npy").shape());
        assertArrayEquals(new float[] {-3, 0, 2147483647f}, read("i4.npy").data());
        assertArrayEquals(new float[] {-5, 1L << 40}, read("i8.npy").data());
        assertArrayEquals(new int[0], read("scalar.npy").shape());
        assertEquals(3.25f, read("scalar.npy").data()[0]);
        assertArrayEquals(new int[] {0, 4}, read("empty.npy").shape());
    }

    @Test
    void writesByteForByteWhatNumpyWrites() throws IOException {
        Path p = dir.resolve("a.npy");
        NpyFiles.write(p, new NpyArray(new int[] {2, 3}, A));
        assertArrayEquals(fixture("f4.npy"), Files.readAllBytes(p));
    }

    @Test
    void roundTripsOneDimensionalScalarAndVersionTwoHeaders() {
        for (int[] shape : new int[][] {{5}, {}, {1, 2, 1, 3}}) {
            int n = 1;
            for (int s : shape) n *= s;
            float[] data = new float[n];
            for (int i = 0; i < n; i++) data[i] = i * 0.25f - 1;
            Path p = dir.resolve("r" + shape.length + ".npy");
            NpyFiles.write(p, new NpyArray(shape, data));
            NpyArray back = NpyFiles.read(p);
            assertArrayEquals(shape, back.shape());
            assertArrayEquals(data, back.data());
        }
        int[] many = new int[30_000]; // header longer than 65535 bytes forces format 2.0
        Arrays.fill(many, 1);
        byte[] header = NpyFiles.header(many);
        assertEquals(2, header[6]);
        assertEquals(0, header.length % 64);
        Path p = dir.resolve("v2.npy");
        NpyFiles.write(p, new NpyArray(many, new float[] {7}));
        assertEquals(30_000, NpyFiles.read(p).shape().length);
    }

    @Test
    void rejectsFortranOrderBigEndianAndUnknownDtypesClearly() throws IOException {
        assertTrue(error("f.npy", fixture("fortran.npy")).startsWith("f.npy: Fortran-order arrays are not supported"));
        assertTrue(error("b.npy", fixture("bigendian.npy")).contains("big-endian data ('>f4') is not supported"));
        byte[] c = fixture("f4.npy");
        String h = new String(c, 0, 64, java.nio.charset.StandardCharsets.ISO_8859_1).replace("<f4", "<c8");
        System.arraycopy(h.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, c, 0, 64);
        assertTrue(error("c.npy", c).contains("unsupported .npy dtype '<c8'"));
    }

    @Test
    void rejectsTruncatedTrailingAndNonNpyFiles() throws IOException {
        byte[] f4 = fixture("f4.npy");
        assertEquals("t.npy: truncated: expected 152 bytes for shape [2, 3] of <f4, found 151",
                error("t.npy", Arrays.copyOf(f4, 151)));
        assertEquals("x.npy: 2 trailing bytes after the data", error("x.npy", Arrays.copyOf(f4, 154)));
        assertTrue(error("h.npy", Arrays.copyOf(f4, 40)).contains("truncated: header"));
        assertTrue(error("n.npy", "hello world".getBytes()).contains("not a .npy file"));
        assertTrue(assertThrows(BadInputException.class, () -> NpyFiles.read(dir.resolve("none.npy")))
                .getMessage().endsWith("none.npy: file not found"));
    }

    @Test
    void numpyLoadsWhatWeWrite() throws Exception {
        Path p = dir.resolve("w.npy");
        NpyFiles.write(p, new NpyArray(new int[] {2, 1, 3}, A));
        Process proc = null;
        try {
            proc = new ProcessBuilder("python3", "-c",
                    "import sys, numpy as np; a = np.load(sys.argv[1]); print(a.dtype, a.shape, a[1, 0, 2])", p.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            // no python3 on this machine: the cross-check with NumPy cannot run here
        }
        assumeTrue(proc != null, "python3 not available");
        assertTrue(proc.waitFor(30, TimeUnit.SECONDS));
        String out = new String(proc.getInputStream().readAllBytes()).strip();
        assumeTrue(!out.contains("No module named"), "numpy not installed");
        assertEquals("float32 (2, 1, 3) 5.5", out);
    }
}
