package dev.loupe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import java.util.SplittableRandom;

/** The same buffers on the reference backend and on a backend under test, compared after each op. */
final class Twin implements AutoCloseable {
    /** One logical buffer: its reference copy and its copy on the backend under test. */
    record B(Buf ref, Buf dut, int length) {}

    final Backend ref = new ReferenceBackend();
    final Backend dut;
    final SplittableRandom rnd;

    Twin(Backend dut, long seed) {
        this.dut = dut;
        this.rnd = new SplittableRandom(seed);
    }

    B of(float[] data) {
        Buf r = ref.alloc(data.length), d = dut.alloc(data.length);
        ref.upload(data, 0, r, 0, data.length);
        dut.upload(data, 0, d, 0, data.length);
        return new B(r, d, data.length);
    }

    B zeros(int n) {
        return of(new float[n]);
    }

    /** Filled with a value the op must overwrite (checks "overwrites its output"). */
    B garbage(int n) {
        float[] g = new float[n];
        java.util.Arrays.fill(g, 12345f);
        return of(g);
    }

    B random(int n, float scale) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = (float) (rnd.nextGaussian() * scale);
        return of(d);
    }

    B labels(int rows, int classes) {
        float[] d = new float[rows];
        for (int i = 0; i < rows; i++) d[i] = rnd.nextInt(classes);
        return of(d);
    }

    static float[] read(Backend be, Buf b, int n) {
        float[] out = new float[n];
        be.download(b, 0, out, 0, n);
        return out;
    }

    /** Bitwise equal, element for element (NaNs equal to NaNs). */
    void assertSame(String what, B b) {
        float[] r = read(ref, b.ref, b.length), d = read(dut, b.dut, b.length);
        for (int i = 0; i < r.length; i++) {
            if (Float.floatToIntBits(r[i]) != Float.floatToIntBits(d[i])) {
                fail(what + "[" + i + "]: reference " + r[i] + ", cuda kernels " + d[i]);
            }
        }
    }

    /** |d - r| <= tol * max(1, |r|) per element. */
    void assertClose(String what, B b, double tol) {
        float[] r = read(ref, b.ref, b.length), d = read(dut, b.dut, b.length);
        for (int i = 0; i < r.length; i++) {
            if (Float.isNaN(r[i])) {
                assertEquals(Float.NaN, d[i], what + "[" + i + "]");
                continue;
            }
            double err = Math.abs((double) d[i] - r[i]) / Math.max(1, Math.abs(r[i]));
            if (!(err <= tol)) fail(what + "[" + i + "]: reference " + r[i] + ", cuda kernels " + d[i] + " (error " + err + ")");
        }
    }

    @Override
    public void close() {
        ref.close();
        dut.close();
    }
}
