package dev.loupe.engine.train;

import dev.loupe.datasets.Batcher;
import dev.loupe.datasets.Dataset;
import dev.loupe.engine.Buf;
import dev.loupe.engine.TensorStats;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Updater;
import java.util.List;

/** Mini-batch gradient descent: one visible loop of batch → forward → loss → backward → update → listeners. */
public final class Trainer {
    private Trainer() {}

    /** Final metrics of a run. */
    public record Result(TrainState end, EpochEvent last) {}

    /**
     * Trains from {@code from} to the end of {@code cfg.epochs()}. The last batch of an epoch may
     * be partial. Stops with a {@link NonFiniteException} the step a loss turns non-finite.
     */
    public static Result fit(Network net, Updater updater, Dataset data, TrainConfig cfg, TrainState from,
                             List<TrainListener> listeners, Checkpointer checkpointer) {
        Batcher batcher = Batcher.train(data, cfg.batch(), cfg.seed());
        int batches = batcher.fullBatches() + (batcher.remainder() > 0 ? 1 : 0);
        boolean classify = data.isClassification();
        float[] x = new float[cfg.batch() * batcher.inputSize()];
        float[] y = new float[cfg.batch() * batcher.targetSize()];
        long step = from.step();
        EpochEvent last = null;
        for (int epoch = from.epoch(); epoch < cfg.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            double lossSum = 0;
            long correct = 0, seen = 0;
            for (int batch = epoch == from.epoch() ? from.batch() : 0; batch < batches; batch++) {
                long t0 = System.nanoTime();
                int rows = batcher.gather(epoch, batch, x, y);
                net.setInput(x, rows);
                net.setTarget(y, rows);
                net.computeGradients(rows, step);
                // sync point: the NaN guard and the progress bar need this step's loss
                float loss = net.readLoss();
                if (!Float.isFinite(loss)) throw diagnose(net, rows, step, loss);
                int ok = classify ? net.countCorrect(rows) : 0;
                float lr = cfg.schedule().at(step);
                updater.step(lr);
                StepEvent ev = new StepEvent(step, epoch, batch, batches, rows, loss, ok, lr, System.nanoTime() - t0);
                step++;
                lossSum += (double) loss * rows;
                correct += ok;
                seen += rows;
                for (TrainListener l : listeners) l.onStep(ev, net, updater);
                boolean epochEnd = batch == batches - 1;
                if (!epochEnd && cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0) {
                    checkpoint(checkpointer, new TrainState(epoch, batch + 1, step), net, updater);
                }
            }
            Evaluator.Result test = Evaluator.evaluate(net, data.testInputs(), data.testTargets(), data.testCount(), classify);
            last = new EpochEvent(epoch, step, seen == 0 ? Double.NaN : lossSum / seen,
                    classify && seen > 0 ? (double) correct / seen : Double.NaN, test.loss(), test.accuracy(),
                    (System.nanoTime() - epochStart) / 1e9);
            for (TrainListener l : listeners) l.onEpoch(last, net);
            checkpoint(checkpointer, new TrainState(epoch + 1, 0, step), net, updater);
        }
        for (TrainListener l : listeners) l.onEnd(net);
        return new Result(new TrainState(cfg.epochs(), 0, step), last);
    }

    private static void checkpoint(Checkpointer c, TrainState next, Network net, Updater updater) {
        if (c == Checkpointer.NONE) return;
        // never persist a poisoned state: a non-finite gradient may have slipped into θ this step
        String bad = firstNonFinite(net, net.params().stream().map(p -> new Named(p.id(), p.value(), p.size())).toList());
        if (bad != null) throw new NonFiniteException("non-finite parameter in " + bad + " at step " + next.step()
                + "; training stopped, last good checkpoint kept", next.step());
        c.save(next, net, updater);
    }

    private record Named(String name, Buf buf, long size) {}

    /** Finds where a non-finite loss came from: the first layer whose output, then parameter, then gradient is bad. */
    private static NonFiniteException diagnose(Network net, int rows, long step, float loss) {
        String where = firstNonFinite(net, net.layers().stream()
                .map(l -> new Named("layer " + l.name() + " output", l.output(), (long) rows * l.outSize())).toList());
        if (where == null) {
            where = firstNonFinite(net, net.params().stream().map(p -> new Named("parameter " + p.id(), p.value(), p.size())).toList());
        }
        if (where == null) {
            where = firstNonFinite(net, net.params().stream().map(p -> new Named("gradient of " + p.id(), p.grad(), p.size())).toList());
        }
        String origin = where != null ? where : "the loss (layer " + net.layers().getLast().name() + ")";
        return new NonFiniteException("non-finite loss (" + loss + ") at step " + step + ": first non-finite value in "
                + origin + "; training stopped, last good checkpoint kept", step);
    }

    private static String firstNonFinite(Network net, List<Named> tensors) {
        float[] raw = new float[TensorStats.length(0)];
        Buf out = net.backend().alloc(raw.length);
        for (Named t : tensors) {
            net.backend().stats(t.size(), 0, t.buf(), out);
            net.backend().download(out, 0, raw, 0, raw.length);
            if (raw[TensorStats.NON_FINITE] > 0) return t.name();
        }
        return null;
    }
}
