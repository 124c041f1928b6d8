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
 * The fused loss of every classifier step: softmax cross-entropy over 256×10 logits, forward
 * (loss only) and forward + gradient. Tiny, so per-op overhead (JNI, launches, allocation)
 * dominates: this is the benchmark that shows a backend's fixed cost per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class SoftmaxCrossEntropyBench {
    static final int ROWS = 256, COLS = 10;

    private Buf logits, labels, dlogits, loss;

    @Setup(Level.Trial)
    public void setup(BackendState s) {
        logits = s.random((long) ROWS * COLS, -4, 4, 3);
        float[] y = new float[ROWS];
        for (int i = 0; i < ROWS; i++) y[i] = (i * 7) % COLS;
        labels = s.b.alloc(ROWS);
        s.b.upload(y, 0, labels, 0, ROWS);
        dlogits = s.b.alloc((long) ROWS * COLS);
        loss = s.b.alloc(1);
    }

    @Benchmark
    public Buf forwardBackward(BackendState s) {
        s.b.softmaxCrossEntropy(ROWS, COLS, logits, labels, dlogits, loss);
        s.b.synchronize();
        return dlogits;
    }

    @Benchmark
    public Buf forwardOnly(BackendState s) {
        s.b.softmaxCrossEntropy(ROWS, COLS, logits, labels, null, loss);
        s.b.synchronize();
        return loss;
    }
}
