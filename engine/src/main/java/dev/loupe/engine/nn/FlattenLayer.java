package dev.loupe.engine.nn;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;

/** Reshape [H, W, C] → [H·W·C]; shares its input's buffers, so it costs nothing. */
public final class FlattenLayer extends Layer {
    FlattenLayer(String name, int[] inShape) {
        super(name, inShape, new int[] {java.util.Arrays.stream(inShape).reduce(1, (a, b) -> a * b)});
    }

    @Override
    public String type() { return "flatten"; }

    @Override
    void allocate(Backend b, int batch) {}

    @Override
    void connect(Buf in, Buf dIn) {
        super.connect(in, dIn);
        out = in;
        dOut = dIn;
    }

    @Override
    void forward(Backend b, int n, boolean training, long step) {}

    @Override
    void backward(Backend b, int n, boolean inputGrad) {}
}
