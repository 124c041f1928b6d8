package dev.loupe.engine.optim;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.StatSegments;
import dev.loupe.engine.nn.Network;

/**
 * Applies an {@link Optimizer} to a network's flat parameter vector in one backend op per step,
 * keeping its state vectors and the last update Δθ on the device.
 */
public final class Updater {
    private final Optimizer opt;
    private final Backend b;
    private final Network net;
    private final Buf[] state;
    private final Buf update;
    private long t;
    private StatSegments statSegments;
    private Buf statOut;
    private boolean summarized;
    private long lastStepNanos;

    public Updater(Network net, Optimizer opt) {
        this.opt = opt;
        this.net = net;
        this.b = net.backend();
        long n = Math.max(1, net.paramCount());
        state = new Buf[opt.stateVectors()];
        for (int i = 0; i < state.length; i++) state[i] = b.alloc(n);
        update = b.alloc(n);
    }

    /**
     * Asks the next {@link #step} (that one only) to also write the statistics of θ after the
     * update, the gradient and Δθ of each segment into {@code out}, through the backend's fused
     * op ({@link Backend#sgdStepWithStats}): a recorder calls this before a step it will record,
     * so the backend can summarize the parameters while the update loop streams them anyway.
     */
    public void summarizeNextStep(StatSegments segments, Buf out) {
        this.statSegments = segments;
        this.statOut = out;
    }

    /** Whether the last {@link #step} wrote the statistics asked for by {@link #summarizeNextStep}. */
    public boolean lastStepSummarized() {
        return summarized;
    }

    /** Applies one step at learning rate {@code lr}; Δθ is left in {@link #lastUpdate()}. */
    public void step(float lr) {
        t++;
        long n = net.paramCount();
        long t0 = System.nanoTime();
        try {
            apply(lr, n);
        } finally {
            lastStepNanos = System.nanoTime() - t0;
        }
    }

    /**
     * Host time of the last {@link #step}: the whole update on a synchronous backend (nd4j), the
     * enqueueing only on an asynchronous one.
     */
    public long lastStepNanos() {
        return lastStepNanos;
    }

    private void apply(float lr, long n) {
        StatSegments seg = statSegments;
        statSegments = null;
        summarized = seg != null;
        if (seg != null) {
            switch (opt) {
                case Optimizer.Sgd s -> b.sgdStepWithStats(n, lr, s.momentum(), s.nesterov(), s.weightDecay(),
                        net.paramVector(), net.gradVector(), state.length > 0 ? state[0] : null, update, seg, statOut);
                case Optimizer.Adam a -> b.adamStepWithStats(n, lr, a.beta1(), a.beta2(), a.eps(), a.weightDecay(),
                        a.decoupled(), t, net.paramVector(), net.gradVector(), state[0], state[1], update, seg, statOut);
            }
            return;
        }
        switch (opt) {
            case Optimizer.Sgd s -> b.sgdStep(n, lr, s.momentum(), s.nesterov(), s.weightDecay(),
                    net.paramVector(), net.gradVector(), state.length > 0 ? state[0] : null, update);
            case Optimizer.Adam a -> b.adamStep(n, lr, a.beta1(), a.beta2(), a.eps(), a.weightDecay(), a.decoupled(), t,
                    net.paramVector(), net.gradVector(), state[0], state[1], update);
        }
    }

    /** The flat Δθ of the last step, laid out like the parameter vector. */
    public Buf lastUpdate() { return update; }

    public Optimizer optimizer() { return opt; }

    /** Steps taken so far (Adam's bias-correction counter). */
    public long steps() { return t; }

    /** Copies the state vectors to the host (for checkpoints): a sync point. */
    public float[][] exportState() {
        float[][] out = new float[state.length][(int) net.paramCount()];
        for (int i = 0; i < state.length; i++) b.download(state[i], 0, out[i], 0, out[i].length);
        return out;
    }

    /** Restores state vectors and the step counter from a checkpoint. */
    public void importState(float[][] vectors, long steps) {
        if (vectors.length != state.length) {
            throw new dev.loupe.datasets.BadInputException("checkpoint has " + vectors.length + " optimizer state vectors; "
                    + opt.name() + " needs " + state.length);
        }
        for (int i = 0; i < state.length; i++) b.upload(vectors[i], 0, state[i], 0, vectors[i].length);
        t = steps;
    }
}
