package dev.loupe.engine.nn;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;

/** An elementwise nonlinearity as its own layer, so its output is recorded and explained. */
public final class ActivationLayer extends Layer {
    private final Activation fn;
    private final float alpha;

    ActivationLayer(String name, int[] shape, Activation fn, float alpha) {
        super(name, shape, shape);
        this.fn = fn;
        this.alpha = alpha;
    }

    @Override
    public String type() { return new LayerSpec.Act(fn, alpha).type(); }

    /** The nonlinearity. */
    public Activation function() { return fn; }

    @Override
    void forward(Backend b, int n, boolean training, long step) {
        b.activation(fn, alpha, (long) n * outSize, in, out);
    }

    @Override
    void backward(Backend b, int n, boolean inputGrad) {
        if (inputGrad) b.activationBackward(fn, alpha, (long) n * outSize, in, out, dOut, dIn);
    }
}
