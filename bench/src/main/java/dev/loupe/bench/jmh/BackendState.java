package dev.loupe.bench.jmh;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.Buf;
import java.util.SplittableRandom;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The backend under test, one per trial. {@link JmhMain} sets {@code backend} to every available
 * backend; run through {@code org.openjdk.jmh.Main} directly it is {@code reference} unless
 * {@code -p backend=...} says otherwise.
 */
@State(Scope.Benchmark)
public class BackendState {
    @Param({"reference"})
    public String backend;

    public Backend b;

    @Setup(Level.Trial)
    public void open() {
        b = Backends.open(backend);
    }

    @TearDown(Level.Trial)
    public void close() {
        b.close();
    }

    /** A buffer of {@code n} floats uniform in [lo, hi), seeded so every backend sees the same data. */
    public Buf random(long n, float lo, float hi, long seed) {
        float[] host = new float[Math.toIntExact(n)];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < host.length; i++) host[i] = lo + (hi - lo) * (float) rng.nextDouble();
        Buf buf = b.alloc(n);
        b.upload(host, 0, buf, 0, host.length);
        return buf;
    }
}
