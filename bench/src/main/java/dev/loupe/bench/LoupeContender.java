package dev.loupe.bench;

import dev.loupe.engine.Backend;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;

/**
 * Loupe training on one backend, one step exactly as {@code Trainer.fit} does it: upload the batch,
 * forward + loss + backward, read the loss (the NaN guard's sync point), count correct
 * predictions, SGD update.
 */
final class LoupeContender implements Contender {
    private final Backend backend;
    private final Network net;
    private final Updater updater;
    private final SyntheticBatches data;
    private final float initialLoss;
    private long step;

    /** Builds the model on {@code backend}; the contender owns and closes the backend. */
    LoupeContender(Backend backend, Arch arch, SyntheticBatches data, long seed) {
        this.backend = backend;
        this.data = data;
        this.net = new Network(backend, arch.spec(), arch.batch(), seed);
        this.updater = new Updater(net, new Optimizer.Sgd(0f, false, 0f));
        net.setInput(data.inputs(0), data.batch());
        net.setTarget(data.labels(0), data.batch());
        net.forward(data.batch(), true, 0);
        net.loss(data.batch());
        this.initialLoss = net.readLoss();
    }

    /** Mean loss of the untrained model on batch 0: equal for contenders that start from the same weights. */
    float initialLoss() { return initialLoss; }

    /** The model's initial parameters in Loupe's flat layout (read before any step). */
    Network network() { return net; }

    @Override
    public String name() { return "loupe/" + backend.name(); }

    @Override
    public Kind kind() { return Kind.LOUPE; }

    @Override
    public int batch() { return data.batch(); }

    @Override
    public Window run(double seconds) {
        return Contender.loop(seconds, this::step, backend::synchronize);
    }

    private void step() {
        int n = data.batch();
        net.setInput(data.inputs(step), n);
        net.setTarget(data.labels(step), n);
        net.computeGradients(n, step);
        float loss = net.readLoss();
        if (!Float.isFinite(loss)) throw new IllegalStateException(name() + ": non-finite loss at step " + step);
        net.countCorrect(n);
        updater.step(Arch.LR);
        step++;
    }

    @Override
    public String note() {
        return String.format("%s; initial loss %.5f", backend.device(), initialLoss);
    }

    @Override
    public void close() {
        net.close();
        backend.close();
    }
}
