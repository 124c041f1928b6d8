package dev.loupe.engine.nn;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;

/** An elementwise nonlinearity as its own layer, so its output is recorded and explained. */
public final class ActivationLayer extends Layer {
    private final Activation fn;
    private final float alpha;
    // summaries requested by a recorder for one training step (see summarizeAt)
    private long armedStep = -1, forwardDone = -1, backwardDone = -1, trainingStep = -1;
    private Buf statsIn, statsOut, statsDOut, statsDIn;

    ActivationLayer(String name, int[] shape, Activation fn, float alpha) {
        super(name, shape, shape);
        this.fn = fn;
        this.alpha = alpha;
    }

    @Override
    public String type() { return new LayerSpec.Act(fn, alpha).type(); }

    /** The nonlinearity. */
    public Activation function() { return fn; }

    /** The input buffer (the previous layer's output). */
    public Buf input() { return in; }

    /** The input gradient buffer (the previous layer's output gradient). */
    public Buf inputGrad() { return dIn; }

    /**
     * Arms the training pass of step {@code step} to summarize, inside the activation ops
     * ({@link Backend#activationWithStats}, {@link Backend#activationBackwardWithStats}), this
     * layer's input and output into {@code statsIn}/{@code statsOut} on the forward pass and its
     * output and input gradients into {@code statsDOut}/{@code statsDIn} on the backward pass
     * (headers, no bins). A null slot leaves that pass plain. Evaluation passes are never
     * summarized. The recorder asks {@link #summarizedForward}/{@link #summarizedBackward} which
     * of them ran.
     */
    public void summarizeAt(long step, Buf statsIn, Buf statsOut, Buf statsDOut, Buf statsDIn) {
        this.armedStep = step;
        this.statsIn = statsIn;
        this.statsOut = statsOut;
        this.statsDOut = statsDOut;
        this.statsDIn = statsDIn;
    }

    /** Whether the forward pass of training step {@code step} summarized the input and output. */
    public boolean summarizedForward(long step) { return forwardDone == step; }

    /** Whether the backward pass of training step {@code step} summarized both gradients. */
    public boolean summarizedBackward(long step) { return backwardDone == step; }

    @Override
    void forward(Backend b, int n, boolean training, long step) {
        long len = (long) n * outSize;
        trainingStep = training ? step : -1;
        if (training && step == armedStep && statsIn != null && statsOut != null) {
            b.activationWithStats(fn, alpha, len, in, out, statsIn, statsOut);
            forwardDone = step;
        } else {
            b.activation(fn, alpha, len, in, out);
        }
    }

    @Override
    void backward(Backend b, int n, boolean inputGrad) {
        if (!inputGrad) return;
        long len = (long) n * outSize;
        if (trainingStep >= 0 && trainingStep == armedStep && statsDOut != null && statsDIn != null) {
            b.activationBackwardWithStats(fn, alpha, len, in, out, dOut, dIn, statsDOut, statsDIn);
            backwardDone = trainingStep;
        } else {
            b.activationBackward(fn, alpha, len, in, out, dOut, dIn);
        }
    }
}
