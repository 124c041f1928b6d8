package dev.loupe.engine.nn;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.PoolShape;

/** Max, average or global-average pooling over NHWC activations. */
public final class PoolLayer extends Layer {
    /** Which reduction the window applies. */
    public enum Kind { MAX, AVG, GLOBAL_AVG }

    private final Kind kind;
    private final PoolShape shape;
    private Buf argmax;

    PoolLayer(String name, int[] inShape, Kind kind, PoolShape shape) {
        super(name, inShape, kind == Kind.GLOBAL_AVG ? new int[] {shape.c()}
                : new int[] {shape.outH(), shape.outW(), shape.c()});
        this.kind = kind;
        this.shape = shape;
    }

    @Override
    public String type() {
        return switch (kind) {
            case MAX -> "maxpool2d";
            case AVG -> "avgpool2d";
            case GLOBAL_AVG -> "globalavgpool";
        };
    }

    /** The pooling geometry. */
    public PoolShape geometry() { return shape; }

    @Override
    void allocate(Backend b, int batch) {
        super.allocate(b, batch);
        if (kind == Kind.MAX) argmax = b.alloc((long) batch * outSize);
    }

    @Override
    void forward(Backend b, int n, boolean training, long step) {
        if (kind == Kind.MAX) b.maxPool(shape, n, in, out, argmax);
        else b.avgPool(shape, n, in, out);
    }

    @Override
    void backward(Backend b, int n, boolean inputGrad) {
        if (!inputGrad) return;
        if (kind == Kind.MAX) b.maxPoolBackward(shape, n, dOut, argmax, dIn);
        else b.avgPoolBackward(shape, n, dOut, dIn);
    }
}
