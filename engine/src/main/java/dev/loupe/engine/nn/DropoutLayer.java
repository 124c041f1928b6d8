package dev.loupe.engine.nn;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;

/** Inverted dropout while training (mask from a counter-based RNG); a copy at evaluation. */
public final class DropoutLayer extends Layer {
    private final float p;
    private final long seed;
    private Buf mask;

    DropoutLayer(String name, int[] shape, float p, long seed) {
        super(name, shape, shape);
        this.p = p;
        this.seed = seed;
    }

    @Override
    public String type() { return "dropout"; }

    @Override
    void allocate(Backend b, int batch) {
        super.allocate(b, batch);
        mask = b.alloc((long) batch * outSize);
    }

    @Override
    void forward(Backend b, int n, boolean training, long step) {
        long len = (long) n * outSize;
        if (training && p > 0) {
            b.dropout(len, p, seed, step, in, out, mask);
        } else {
            b.copy(len, in, out);
            b.fill(len, 1f, mask);
        }
    }

    @Override
    void backward(Backend b, int n, boolean inputGrad) {
        if (inputGrad) b.mul((long) n * outSize, dOut, mask, dIn);
    }
}
