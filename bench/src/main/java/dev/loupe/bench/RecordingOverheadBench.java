package dev.loupe.bench;

import dev.loupe.datasets.DataSources;
import dev.loupe.datasets.Dataset;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.Buf;
import dev.loupe.engine.StatSegments;
import dev.loupe.engine.TensorStats;
import dev.loupe.engine.Versions;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.LrSchedule;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.record.RecordConfig;
import dev.loupe.engine.record.RecordMode;
import dev.loupe.engine.record.RecordedTensor;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What does recording cost? Trains the MLP and the CNN on Fashion-MNIST with recording
 * {@code off}, {@code stats} (statistics every step), {@code full} (statistics every step and
 * histograms every 10 steps) and {@code full+budget} ({@code full} with {@code --record-budget 0.05})
 * in one JVM, and prints each variant's time per step and its slowdown over {@code off}. The bar
 * (issue 3): {@code full} ≤ 1.05 × {@code off} on the nd4j backend.
 *
 * <p>Method: each round trains a fresh network (same seed) for {@code warmup + steps} steps
 * through {@link Trainer#fit} with every mode, in an order rotated per round so drift on a shared
 * machine does not favour one mode; a listener after the recorder stamps the wall clock at each
 * step's end, so a step's time covers data, forward, backward, update and the recorder's work (its
 * stats ops, the summary download, encoding and the event-file write). The first {@code warmup}
 * steps of each run are dropped; the per-mode figure is the median over rounds of the mean step
 * time; "in-run" is a second, drift-free estimate: 1 + the recorder's own wall time over the
 * steps' own time, both measured inside the same runs (median over rounds); where the backend fuses
 * the parameter statistics into the optimizer step ({@code Updater#summarizeNextStep}) their cost
 * is estimated by the recorder (summarized minus plain optimizer steps, {@code Recorder#totalFusedNanos})
 * and moved from the steps' time to the recorder's. A whole round is run
 * once first to warm up the JIT and is not counted. Events go to a
 * temporary folder deleted at the end. What could fool it: other processes on the machine (the
 * rotation and medians damp this, not remove it); page-cache writes are cheap here but would cost
 * more on a slow disk.
 *
 * <p>Batch sizes are the training benchmark's ({@code bench/README.md}): MLP 256, CNN 128;
 * {@code --batch N} sets one size for every model.
 *
 * <p>Usage: {@code RecordingOverheadBench [--backend auto] [--models mlp,cnn] [--batch mlp:256,cnn:128]
 * [--steps 50] [--warmup 5] [--rounds 5]}
 */
public final class RecordingOverheadBench {
    private RecordingOverheadBench() {}

    /** One way of recording; {@code cfg} null = off. */
    private record Variant(String name, RecordConfig cfg) {}

    private static final List<Variant> VARIANTS = List.of(
            new Variant("off", null),
            new Variant("stats", new RecordConfig(RecordMode.STATS, 1, 10, RecordConfig.BINS, 0)),
            new Variant("full", RecordConfig.defaults()),
            new Variant("full+budget", new RecordConfig(RecordMode.FULL, 1, 10, RecordConfig.BINS, 0.05)));

    public static void main(String[] args) throws IOException {
        Map<String, String> a = parse(args);
        String backendName = a.getOrDefault("backend", "auto");
        List<String> models = List.of(a.getOrDefault("models", "mlp,cnn").split(","));
        Map<String, Integer> batches = batches(a.getOrDefault("batch", "mlp:256,cnn:128"));
        int steps = Integer.parseInt(a.getOrDefault("steps", "50"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "5"));
        int rounds = Integer.parseInt(a.getOrDefault("rounds", "5"));
        Dataset full = DataSources.load("fashion-mnist", null, 42);
        Path tmp = Files.createTempDirectory("loupe-record-bench");
        try (Backend backend = Backends.open(backendName)) {
            System.out.println("# RecordingOverheadBench: backend " + backend.name() + " (" + backend.device() + ")");
            System.out.println("# " + Versions.all());
            System.out.println("# data " + full.source() + "; batch " + batches + "; " + steps + " timed steps after " + warmup
                    + " warm-up steps; median of " + rounds + " rounds; full = stats every step + histograms every 10");
            System.out.println("# ms/step per variant, then each variant's median step time over off's (the bar: full <= 1.05);"
                    + " 'in-run' = 1 + the recorder's own time / the steps' own time inside the same runs (drift-free; parameter"
                    + " statistics fused into the optimizer step are estimated as summarized minus plain optimizer steps and moved"
                    + " from step to recorder time); budget = --record-budget 0.05");
            System.out.printf("%-5s %5s %-12s %10s %9s %9s %s%n", "model", "batch", "variant", "ms/step", "x off", "in-run", "rounds (ms/step)");
            for (String model : models) {
                int batch = batches.getOrDefault(model, batches.getOrDefault("*", 128));
                Dataset data = slice(full, batch * (warmup + steps));
                ModelSpec spec = Models.resolve(model, data.inputShape(), data.numClasses());
                run(backend, spec, data, batch, warmup, tmp); // JIT warm-up round, not counted
                Map<String, List<Double>> ms = new LinkedHashMap<>(), own = new LinkedHashMap<>();
                for (Variant v : VARIANTS) {
                    ms.put(v.name(), new ArrayList<>());
                    own.put(v.name(), new ArrayList<>());
                }
                for (int r = 0; r < rounds; r++) {
                    for (int k = 0; k < VARIANTS.size(); k++) {
                        Variant v = VARIANTS.get((k + r) % VARIANTS.size());
                        double[] t = time(backend, spec, data, batch, warmup, v.cfg(), tmp);
                        ms.get(v.name()).add(t[0]);
                        own.get(v.name()).add(t[1]);
                    }
                }
                double off = median(ms.get("off"));
                for (Variant v : VARIANTS) {
                    double m = median(ms.get(v.name()));
                    System.out.printf("%-5s %5d %-12s %10.2f %9.3f %9.3f %s%n", model, batch, v.name(), m, m / off, 1 + median(own.get(v.name())),
                            ms.get(v.name()).stream().map(x -> String.format("%.2f", x)).toList());
                }
                statsCost(backend, spec, data, batch, off);
            }
        } finally {
            try (Stream<Path> w = Files.walk(tmp)) {
                for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Where recording's time goes: the backend's stats op alone over every recorded tensor of a
     * full batch (synchronized, median of 15), in ms per step and ns per element, beside the
     * budget that 5% of the off step time allows. The network first trains a few steps, so the
     * buffers hold real activations, gradients and updates (fresh buffers are all zero, which
     * would make the histogram pass look free).
     */
    private static void statsCost(Backend b, ModelSpec spec, Dataset data, int batch, double offMs) {
        Network net = new Network(b, spec, batch, 42);
        Updater up = new Updater(net, new Optimizer.Sgd(0.9f, false, 0));
        Trainer.fit(net, up, slice(data, 3 * batch), new TrainConfig(1, batch, LrSchedule.constant(0.01f), up.optimizer(), 42, 0, 1),
                TrainState.START, List.of(), Checkpointer.NONE);
        List<RecordedTensor> plan = Recorder.plan(net, up);
        Buf out = b.alloc(TensorStats.length(RecordConfig.BINS));
        long elements = 0;
        for (RecordedTensor t : plan) elements += t.length(batch);
        for (int bins : new int[] {0, RecordConfig.BINS}) {
            List<Double> runs = new ArrayList<>();
            for (int r = 0; r < 18; r++) {
                long t0 = System.nanoTime();
                for (RecordedTensor t : plan) b.stats(t.length(batch), bins, t.buf(), out);
                b.synchronize();
                if (r >= 3) runs.add((System.nanoTime() - t0) / 1e6);
            }
            double m = median(runs);
            System.out.printf("#   stats op alone, %d tensors, %d elements, bins %d: %.2f ms/step = %.2f ns/element (5%% of off = %.2f ms)%n",
                    plan.size(), elements, bins, m, m * 1e6 / elements, 0.05 * offMs);
        }
        // the parameter side of statistics-only steps: the optimizer step with θ, gradient and Δθ
        // summarized in it (fused where the backend does so) against the plain step, interleaved
        StatSegments seg = Recorder.segments(net, plan);
        Buf summary = b.alloc(Math.max(1, (long) plan.size() * TensorStats.HEADER));
        List<Double> plain = new ArrayList<>(), with = new ArrayList<>();
        for (int r = 0; r < 18; r++) {
            long t0 = System.nanoTime();
            up.step(1e-6f);
            b.synchronize();
            long t1 = System.nanoTime();
            up.summarizeNextStep(seg, summary);
            up.step(1e-6f);
            b.synchronize();
            long t2 = System.nanoTime();
            if (r >= 3) {
                plain.add((t1 - t0) / 1e6);
                with.add((t2 - t1) / 1e6);
            }
        }
        long params = 0;
        for (long len : seg.length()) params += len;
        System.out.printf("#   optimizer step alone %.3f ms, with the statistics of θ, gradient, Δθ (%d parameters): %.3f ms (+%.3f ms)%n",
                median(plain), params, median(with), median(with) - median(plain));
    }

    private static void run(Backend b, ModelSpec spec, Dataset data, int batch, int warmup, Path tmp) {
        for (Variant v : VARIANTS) time(b, spec, data, batch, warmup, v.cfg(), tmp);
    }

    /**
     * {mean wall time per step in ms over the steps after {@code warmup}, the recorder's own time
     * over the steps' own time (0 when off)}.
     */
    private static double[] time(Backend b, ModelSpec spec, Dataset data, int batch, int warmup, RecordConfig rc, Path tmp) {
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
        Recorder rec = rc == null ? null : new Recorder(net, up, rc, tmp.resolve("events-" + System.nanoTime()));
        if (rec != null) listeners.add(rec);
        listeners.add(clock);
        try {
            Trainer.fit(net, up, data, cfg, TrainState.START, listeners, Checkpointer.NONE);
        } finally {
            if (rec != null) rec.close();
        }
        long start = stamps.get(Math.max(0, warmup - 1)), end = stamps.getLast();
        return new double[] {(end - start) / 1e6 / (stamps.size() - Math.max(1, warmup)),
                rec == null ? 0 : (double) rec.totalRecordNanos() / (stepNanos[0] - rec.totalFusedNanos())};
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

    /** {@code mlp:256,cnn:128} (per model) or {@code 64} (every model). */
    private static Map<String, Integer> batches(String spec) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int colon = part.indexOf(':');
            if (colon < 0) out.put("*", Integer.parseInt(part.strip()));
            else out.put(part.substring(0, colon).strip(), Integer.parseInt(part.substring(colon + 1).strip()));
        }
        return out;
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
