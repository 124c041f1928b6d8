package dev.loupe.cli;

import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.DataSources;
import dev.loupe.datasets.Dataset;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.landscape.SnapshotKeeper;
import dev.loupe.engine.optim.LrSchedule;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.record.RecordConfig;
import dev.loupe.engine.record.RecordMode;
import dev.loupe.engine.record.Recorder;
import dev.loupe.engine.train.Checkpoints;
import dev.loupe.engine.train.EpochEvent;
import dev.loupe.engine.train.StepEvent;
import dev.loupe.engine.train.TrainConfig;
import dev.loupe.engine.train.TrainListener;
import dev.loupe.engine.train.TrainState;
import dev.loupe.engine.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Wires data, model, backend, trainer, checkpoints and the run manifest into one training run. */
final class TrainJob {
    private TrainJob() {}

    /** Trains (or resumes) the run in {@code dir}; prints progress and returns the final metrics. */
    static Trainer.Result run(TrainOptions o, Path dir, boolean resume) {
        RunManifest manifest;
        if (resume) {
            manifest = RunManifest.read(dir);
            o = manifest.options();
        } else if (Files.exists(dir.resolve("run.json"))) {
            throw new BadInputException("run directory " + dir + " already holds a run; pass --resume to continue it or choose another --run");
        } else if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException("--run " + dir + " is a file, not a directory");
        } else {
            manifest = null;
        }
        RecordConfig recording = o.recordConfig(); // checked before anything is loaded or written
        if (o.snapshots < 0 || o.snapshots == 1) {
            throw new BadInputException("--snapshots must be 0 (off) or at least 2, got " + o.snapshots);
        }
        Dataset data = limit(DataSources.load(o.dataset, o.dataDir, o.seed), o.trainLimit);
        int classes = data.numClasses();
        ModelSpec spec = Models.resolve(o.model, data.inputShape(), classes);
        Optimizer opt = Optimizer.of(o.optimizer, o.optimizer.equals("sgd") ? o.momentum : 0, o.nesterov, o.weightDecay);
        float lr = o.lr != null ? o.lr : (o.optimizer.equals("sgd") ? 0.01f : 0.001f);
        long stepsPerEpoch = (data.trainCount() + o.batch - 1) / o.batch;
        TrainConfig cfg = new TrainConfig(o.epochs, o.batch,
                LrSchedule.of(o.schedule, lr, o.warmup, o.stepEvery, o.gamma, stepsPerEpoch * o.epochs),
                opt, o.seed, o.checkpointEvery, o.keepCheckpoints);

        try (Backend backend = Backends.open(o.backend)) {
            Network net = new Network(backend, spec, o.batch, o.seed);
            int outputs = classes == 0 ? 1 : classes;
            if (net.outputSize() != outputs) {
                throw new BadInputException("model " + spec.name() + " outputs " + net.outputSize() + " values per sample but dataset "
                        + data.name() + " has " + (classes == 0 ? "1 regression target" : classes + " classes"));
            }
            Updater updater = new Updater(net, opt);
            Checkpoints checkpoints = new Checkpoints(dir, o.keepCheckpoints);
            TrainState from = TrainState.START;
            if (resume) {
                Path latest = checkpoints.latest().orElseThrow(() -> new BadInputException("run " + dir + " has no checkpoint to resume from"));
                Checkpoints.Loaded c = Checkpoints.load(latest, data.inputShape(), net);
                net.setParams(c.params());
                updater.importState(c.optimizerState(), c.optimizerSteps());
                from = c.state();
                System.err.println("resuming " + dir + " from " + latest.getFileName() + " (epoch " + (from.epoch() + 1) + ", step " + from.step() + ")");
            } else {
                AtomicFiles.createOutputDirectory(dir, "--run");
                manifest = RunManifest.create(dir, o, data, spec, net, backend);
            }
            System.out.println("data: " + data.source());
            System.out.println("backend: " + backend.name() + " (" + backend.device() + ")");
            System.out.println("model: " + spec.name() + " " + describe(net) + ", " + net.paramCount() + " parameters");

            List<TrainListener> listeners = new ArrayList<>();
            listeners.add(new ConsoleListener(o.epochs));
            if (o.snapshots > 0) {
                // θ_0 and a thinned record of the path, for loupe landscape --mode interp|trajectory
                SnapshotKeeper keeper = new SnapshotKeeper(dir, o.snapshots);
                if (!resume) keeper.save(0, net);
                listeners.add(keeper);
            }
            Trainer.Result result;
            try (Recorder recorder = recording.mode() == RecordMode.OFF ? null
                    : new Recorder(net, updater, recording, dir.resolve("events"))) {
                if (recorder != null) listeners.add(recorder);
                result = Trainer.fit(net, updater, data, cfg, from, listeners, checkpoints);
            }
            EpochEvent last = result.last();
            if (last != null) {
                manifest.finish(last);
                if (data.isClassification()) System.out.printf("test_accuracy=%.4f%n", last.testAccuracy());
                else System.out.printf("test_loss=%.6f%n", last.testLoss());
            } else {
                System.out.println("nothing to do: the run had already finished all " + o.epochs + " epochs");
            }
            return result;
        }
    }

    private static Dataset limit(Dataset d, Integer n) {
        if (n == null || n >= d.trainCount()) return d;
        if (n <= 0) throw new BadInputException("--train-limit must be positive, got " + n);
        int size = d.inputSize(), per = d.trainTargets().length / d.trainCount();
        return new Dataset(d.name(), d.source() + ", first " + n + " training samples", d.inputShape(), d.numClasses(),
                Arrays.copyOf(d.trainInputs(), n * size), Arrays.copyOf(d.trainTargets(), n * per),
                d.testInputs(), d.testTargets());
    }

    private static String describe(Network net) {
        return net.layers().stream().map(l -> l.name()).toList().toString();
    }

    /** Per-step progress bar and one line per epoch. */
    static final class ConsoleListener implements TrainListener {
        private final int epochs;
        private Progress bar;
        private double lossSum;
        private int steps;

        ConsoleListener(int epochs) {
            this.epochs = epochs;
        }

        @Override
        public void onStep(StepEvent e, Network net, Updater updater) {
            if (bar == null) bar = new Progress(String.format("epoch %d/%d", e.epoch() + 1, epochs), e.batches());
            lossSum += e.loss();
            steps++;
            bar.update(e.batch() + 1, String.format("loss %.4f", lossSum / steps));
        }

        @Override
        public void onEpoch(EpochEvent e, Network net) {
            if (bar != null) bar.close();
            bar = null;
            lossSum = 0;
            steps = 0;
            System.out.printf("epoch %d/%d  loss %.4f  acc %.4f  test_loss %.4f  test_acc %.4f  %.1fs%n",
                    e.epoch() + 1, epochs, e.trainLoss(), e.trainAccuracy(), e.testLoss(), e.testAccuracy(), e.seconds());
        }
    }
}
