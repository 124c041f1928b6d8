package dev.loupe.engine.nn;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import java.util.List;

/** Fully connected layer: {@code y[n×units] = x[n×in]·W[in×units] + b}. */
public final class DenseLayer extends Layer {
    private final int units;
    private Param w;
    private Param bias;

    DenseLayer(String name, int[] inShape, int units) {
        super(name, inShape, new int[] {units});
        this.units = units;
    }

    @Override
    public String type() { return "dense"; }

    @Override
    public List<Param> params() { return List.of(w, bias); }

    @Override
    long paramCount() { return (long) inSize * units + units; }

    @Override
    void bindParams(Buf params, Buf grads, long offset) {
        long wn = (long) inSize * units;
        w = new Param(name, "W", new int[] {inSize, units}, offset, wn, inSize, false,
                params.slice(offset, wn), grads.slice(offset, wn));
        bias = new Param(name, "b", new int[] {units}, offset + wn, units, inSize, true,
                params.slice(offset + wn, units), grads.slice(offset + wn, units));
    }

    @Override
    void forward(Backend b, int n, boolean training, long step) {
        b.gemm(false, false, n, units, inSize, 1f, in, w.value(), 0f, out);
        b.addBias(n, units, out, bias.value());
    }

    @Override
    void backward(Backend b, int n, boolean inputGrad) {
        if (paramGrads) {
            b.gemm(true, false, inSize, units, n, 1f, in, dOut, 0f, w.grad());
            b.sumRows(n, units, dOut, bias.grad());
        }
        if (inputGrad) {
            b.gemm(false, true, n, inSize, units, 1f, dOut, w.value(), 0f, dIn);
        }
    }
}
