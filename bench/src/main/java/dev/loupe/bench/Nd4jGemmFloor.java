package dev.loupe.bench;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The step's GEMMs ({@link Arch#stepGemms}) called straight on ND4J (OpenBLAS/MKL), outside any
 * Loupe backend: the floor quoted in BENCHMARKING.md, available even when only the reference
 * backend is built.
 */
final class Nd4jGemmFloor implements Contender {
    private final int batch;
    private final List<Arch.Gemm> gemms;
    private final List<INDArray[]> arrays = new ArrayList<>();

    Nd4jGemmFloor(Arch arch) {
        this.batch = arch.batch();
        this.gemms = arch.stepGemms();
        for (Arch.Gemm g : gemms) {
            // stored shapes: A is k×m when transposed, B is n×k when transposed
            INDArray a = g.transA() ? Nd4j.rand(DataType.FLOAT, g.k(), g.m()) : Nd4j.rand(DataType.FLOAT, g.m(), g.k());
            INDArray b = g.transB() ? Nd4j.rand(DataType.FLOAT, g.n(), g.k()) : Nd4j.rand(DataType.FLOAT, g.k(), g.n());
            arrays.add(new INDArray[] {a, b, Nd4j.create(DataType.FLOAT, g.m(), g.n())});
        }
    }

    @Override
    public String name() { return "gemm-floor/nd4j-direct"; }

    @Override
    public Kind kind() { return Kind.FLOOR; }

    @Override
    public int batch() { return batch; }

    @Override
    public Window run(double seconds) {
        return Contender.loop(seconds, () -> {
            for (int i = 0; i < gemms.size(); i++) {
                Arch.Gemm g = gemms.get(i);
                INDArray[] abc = arrays.get(i);
                Nd4j.gemm(abc[0], abc[1], abc[2], g.transA(), g.transB(), 1.0, 0.0);
            }
        }, () -> {});
    }

    @Override
    public String note() {
        return "Nd4j.gemm at the step's shapes, " + Nd4j.getEnvironment().maxThreads() + " ND4J threads";
    }
}
