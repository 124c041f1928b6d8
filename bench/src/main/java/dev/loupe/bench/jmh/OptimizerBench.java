package dev.loupe.bench.jmh;

import dev.loupe.engine.Buf;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One optimizer update over 500k parameters (the MLP has 535k), writing Δθ as {@code Updater}
 * does: SGD (plain and with momentum) and Adam. Memory-bound; baseline {@code axpy} is the least
 * any update must do (read θ and g, write θ). Parameters drift over iterations but stay finite
 * (small learning rate, fixed gradient), so no denormal or NaN slow paths appear.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class OptimizerBench {
    static final int N = 500_000;

    private Buf param, grad, m, v, update;
    private long t;

    @Setup(Level.Trial)
    public void setup(BackendState s) {
        param = s.random(N, -0.1f, 0.1f, 11);
        grad = s.random(N, -1e-3f, 1e-3f, 12);
        m = s.b.alloc(N);
        v = s.b.alloc(N);
        update = s.b.alloc(N);
    }

    @Benchmark
    public Buf sgd(BackendState s) {
        s.b.sgdStep(N, 0.01f, 0f, false, 0f, param, grad, null, update);
        s.b.synchronize();
        return param;
    }

    @Benchmark
    public Buf sgdMomentum(BackendState s) {
        s.b.sgdStep(N, 0.01f, 0.9f, false, 0f, param, grad, m, update);
        s.b.synchronize();
        return param;
    }

    @Benchmark
    public Buf adam(BackendState s) {
        s.b.adamStep(N, 1e-4f, 0.9f, 0.999f, 1e-8f, 0f, false, ++t, param, grad, m, v, update);
        s.b.synchronize();
        return param;
    }

    @Benchmark
    public Buf baselineAxpy(BackendState s) {
        s.b.axpy(N, -0.01f, grad, param);
        s.b.synchronize();
        return param;
    }
}
