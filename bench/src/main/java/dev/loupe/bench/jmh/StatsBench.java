package dev.loupe.bench.jmh;

import dev.loupe.engine.Buf;
import dev.loupe.engine.TensorStats;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a recorder pays per tensor: the fused statistics op (count, mean, std, min, max, L2, zero
 * fraction, non-finite count, histogram) over 1M floats, read back to the host as a recorder does.
 * Baseline: {@code copy} of the same floats, one read and one write pass, which a single-pass
 * statistics op should be close to; much slower means the op makes several passes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class StatsBench {
    static final int N = 1 << 20;

    @Param({"64"})
    public int bins;

    private Buf x, out, y;
    private float[] host;

    @Setup(Level.Trial)
    public void setup(BackendState s) {
        x = s.random(N, -3, 3, 7);
        y = s.b.alloc(N);
        host = new float[TensorStats.length(bins)];
        out = s.b.alloc(host.length);
    }

    @Benchmark
    public float[] stats(BackendState s) {
        s.b.stats(N, bins, x, out);
        s.b.download(out, 0, host, 0, host.length); // the sync point a recorder has
        return host;
    }

    @Benchmark
    public Buf baselineCopy(BackendState s) {
        s.b.copy(N, x, y);
        s.b.synchronize();
        return y;
    }
}
