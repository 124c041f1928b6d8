package dev.loupe.bench;

import dev.loupe.datasets.DataSources;
import dev.loupe.datasets.Dataset;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.Versions;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.LrSchedule;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.record.RecordConfig;
import dev.loupe.engine.record.RecordMode;
import dev.loupe.engine.record.Recorder;
import dev.loupe.engine.train.Checkpointer;
import dev.loupe.engine.train.StepEvent;
import dev.loupe.engine.train.TrainConfig;
import dev.loupe.engine.train.TrainListener;
import dev.loupe.engine.train.TrainState;
import dev.loupe.engine.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What does recording cost? Trains the MLP and the CNN on Fashion-MNIST with recording
 * {@code off}, {@code stats} (statistics every step) and {@code full} (statistics every step and
 * histograms every 10 steps) in one JVM, and prints each mode's time per step and its slowdown
 * over {@code off}. The bar (issue 3): {@code full} ≤ 1.05 × {@code off} on the nd4j backend.
 *
 * <p>Method: each round trains a fresh network (same seed) for {@code warmup + steps} steps
 * through {@link Trainer#fit} with every mode, in an order rotated per round so drift on a shared
 * machine does not favour one mode; a listener after the recorder stamps the wall clock at each
 * step's end, so a step's time covers data, forward, backward, update and the recorder's work (its
 * stats ops, the summary download, encoding and the event-file write). The first {@code warmup}
 * steps of each run are dropped; the per-mode figure is the median over rounds of the mean step
 * time; "full in-run" is a second, drift-free estimate: 1 + the recorder's own wall time over
 * the steps' own time, both measured inside each {@code full} run (median over rounds); a whole round is run once first to warm up the JIT and is not counted. Events go to a
 * temporary folder deleted at the end. What could fool it: other processes on the machine (the
 * rotation and medians damp this, not remove it); page-cache writes are cheap here but would cost
 * more on a slow disk.
 *
 * <p>Usage: {@code RecordingOverheadBench [--backend auto] [--models mlp,cnn] [--batch 128]
 * [--steps 50] [--warmup 5] [--rounds 5]}
 */
public final class RecordingOverheadBench {
    private RecordingOverheadBench() {}

    private static final RecordMode[] MODES = RecordMode.values();
    /** Per full-mode run: the recorder's own time over the steps' time, measured inside one run. */
    private static final List<Double> inRun = new ArrayList<>();

    public static void main(String[] args) throws IOException {
        Map<String, String> a = parse(args);
        String backendName = a.getOrDefault("backend", "auto");
        List<String> models = List.of(a.getOrDefault("models", "mlp,cnn").split(","));
        int batch = Integer.parseInt(a.getOrDefault("batch", "128"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "50"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "5"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "5"));
        Dataset full = DataSources.load("fashion-mnist", null, 42);
        Path tmp = Files.createTempDirectory("loupe-record-bench");
        try (Backend backend = Backends.open(backendName)) {
            System.out.println("# RecordingOverheadBench: backend " + backend.name() + " (" + backend.device() + ")");
            System.out.println("# " + Versions.all());
            System.out.println("# data " + full.source() + "; batch " + batch + "; " + steps + " timed steps after " + warmup
                    + " warm-up steps; median of " + rounds + " rounds; full = stats every step + histograms every 10");
            System.out.printf("%-5s %12s %12s %12s %10s %10s %14s%n", "model", "off ms/step", "stats ms/step", "full ms/step",
                    "stats/off", "full/off", "full in-run");
            for (String model : models) {
                Dataset data = slice(full, batch * (warmup + steps));
                ModelSpec spec = Models.resolve(model, data.inputShape(), data.numClasses());
                run(backend, spec, data, batch, warmup, tmp); // JIT warm-up round, not counted
                Map<RecordMode, List<Double>> perMode = new EnumMap<>(RecordMode.class);
                inRun.clear();
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < MODES.length; k++) {
                        RecordMode m = MODES[(k + r) % MODES.length];
                        perMode.computeIfAbsent(m, x -> new ArrayList<>()).add(time(backend, spec, data, batch, warmup, m, tmp));
                    }
                }
                double off = median(perMode.get(RecordMode.OFF)), stats = median(perMode.get(RecordMode.STATS)),
                        fullMs = median(perMode.get(RecordMode.FULL));
                System.out.printf("%-5s %12.2f %12.2f %12.2f %10.3f %10.3f %14.3f%n", model, off, stats, fullMs, stats / off,
                        fullMs / off, 1 + median(inRun));
                System.out.println("#   rounds (ms/step): " + perMode);
            }
        } finally {
            try (Stream<Path> w = Files.walk(tmp)) {
                for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    private static void run(Backend b, ModelSpec spec, Dataset data, int batch, int warmup, Path tmp) {
        for (RecordMode m : MODES) time(b, spec, data, batch, warmup, m, tmp);
    }

    /** Mean wall time per step in ms, over the steps after {@code warmup}. */
    private static double time(Backend b, ModelSpec spec, Dataset data, int batch, int warmup, RecordMode mode, Path tmp) {
        Network net = new Network(b, spec, batch, 42);
        Updater up = new Updater(net, new Optimizer.Sgd(0.9f, false, 0));
        TrainConfig cfg = new TrainConfig(1, batch, LrSchedule.constant(0.01f), up.optimizer(), 42, 0, 1);
        List<Long> stamps = new ArrayList<>();
        long[] stepNanos = {0};
        TrainListener clock = new TrainListener() {
            @Override
            public void onStep(StepEvent e, Network n, Updater u) {
                stamps.add(System.nanoTime());
                stepNanos[0] += e.stepNanos();
            }
        };
        List<TrainListener> listeners = new ArrayList<>();
        Recorder rec = mode == RecordMode.OFF ? null
                : new Recorder(net, up, new RecordConfig(mode, 1, 10, RecordConfig.BINS, 0), tmp.resolve("events-" + System.nanoTime()));
        if (rec != null) listeners.add(rec);
        listeners.add(clock);
        try {
            Trainer.fit(net, up, data, cfg, TrainState.START, listeners, Checkpointer.NONE);
        } finally {
            if (rec != null) rec.close();
        }
        if (mode == RecordMode.FULL) inRun.add((double) rec.totalRecordNanos() / stepNanos[0]);
        long start = stamps.get(Math.max(0, warmup - 1)), end = stamps.getLast();
        return (end - start) / 1e6 / (stamps.size() - Math.max(1, warmup));
    }

    /** The first {@code n} training samples and one batch of test samples (the epoch-end evaluation stays small). */
    private static Dataset slice(Dataset d, int n) {
        int size = d.inputSize(), test = Math.min(d.testCount(), 128);
        if (n > d.trainCount()) throw new IllegalArgumentException("need " + n + " training samples, have " + d.trainCount());
        return new Dataset(d.name(), d.source(), d.inputShape(), d.numClasses(), Arrays.copyOf(d.trainInputs(), n * size),
                Arrays.copyOf(d.trainTargets(), n), Arrays.copyOf(d.testInputs(), test * size), Arrays.copyOf(d.testTargets(), test));
    }

    private static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --name value, got " + args[i]);
            out.put(args[i].substring(2), args[i + 1]);
        }
        return out;
    }
}
