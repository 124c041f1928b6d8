package dev.loupe.bench.jmh;

import dev.loupe.engine.Buf;
import dev.loupe.engine.ConvShape;
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
 * The CNN's first convolution forward at batch 128, exactly as {@code ConvLayer} runs it: im2col of
 * [128, 28, 28, 1] into [86528 × 9], gemm with the [9 × 32] kernel, add bias. With one input
 * channel the gemm is skinny (k = 9), so im2col's memory traffic is a large share: {@code im2colOnly}
 * separates the two.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class ConvForwardBench {
    static final int BATCH = 128, FILTERS = 32;
    static final ConvShape SHAPE = new ConvShape(28, 28, 1, 3, 3, 1, 0);

    private Buf x, cols, w, bias, out;
    private int rows;

    @Setup(Level.Trial)
    public void setup(BackendState s) {
        rows = BATCH * SHAPE.outH() * SHAPE.outW();
        x = s.random((long) BATCH * 28 * 28, 0, 1, 5);
        cols = s.b.alloc((long) rows * SHAPE.patch());
        w = s.random((long) SHAPE.patch() * FILTERS, -0.5f, 0.5f, 6);
        bias = s.random(FILTERS, -0.1f, 0.1f, 8);
        out = s.b.alloc((long) rows * FILTERS);
    }

    @Benchmark
    public Buf im2colGemmBias(BackendState s) {
        s.b.im2col(SHAPE, BATCH, x, cols);
        s.b.gemm(false, false, rows, FILTERS, SHAPE.patch(), 1f, cols, w, 0f, out);
        s.b.addBias(rows, FILTERS, out, bias);
        s.b.synchronize();
        return out;
    }

    @Benchmark
    public Buf im2colOnly(BackendState s) {
        s.b.im2col(SHAPE, BATCH, x, cols);
        s.b.synchronize();
        return cols;
    }
}
