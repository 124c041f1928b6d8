package dev.loupe.bench.jmh;

import dev.loupe.engine.Buf;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * How long the MLP's first-layer GEMM takes on a backend: {@code C[256×512] = A[256×784]·B[784×512]}
 * (batch × inputs times inputs × units), in the three transpose forms a training step uses
 * ({@code NN} forward, {@code TN} weight gradient layout, {@code NT} input gradient layout).
 * Baseline: the same product straight on ND4J, i.e. what the BLAS gives without Loupe. The
 * backend is synchronized inside the measured call, so an asynchronous device cannot hide work.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "--add-modules", "jdk.incubator.vector"})
@State(Scope.Benchmark)
public class GemmBench {
    static final int M = 256, K = 784, N = 512;

    @Param({"NN", "TN", "NT"})
    public String form;

    private Buf a, bm, c;
    private INDArray na, nb, nc;
    private boolean ta, tb;

    @Setup(Level.Trial)
    public void setup(BackendState s) {
        ta = form.charAt(0) == 'T';
        tb = form.charAt(1) == 'T';
        a = s.random((long) M * K, -1, 1, 1);
        bm = s.random((long) K * N, -1, 1, 2);
        c = s.b.alloc((long) M * N);
        na = ta ? Nd4j.rand(DataType.FLOAT, K, M) : Nd4j.rand(DataType.FLOAT, M, K);
        nb = tb ? Nd4j.rand(DataType.FLOAT, N, K) : Nd4j.rand(DataType.FLOAT, K, N);
        nc = Nd4j.create(DataType.FLOAT, M, N);
    }

    @Benchmark
    public Buf gemm(BackendState s) {
        s.b.gemm(ta, tb, M, N, K, 1f, a, bm, 0f, c);
        s.b.synchronize();
        return c;
    }

    @Benchmark
    public INDArray baselineNd4jDirect() {
        return Nd4j.gemm(na, nb, nc, ta, tb, 1.0, 0.0);
    }
}
