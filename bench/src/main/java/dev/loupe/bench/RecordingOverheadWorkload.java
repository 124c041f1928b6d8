package dev.loupe.bench;

import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.FashionMnist;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Models;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What does recording cost? Trains one {@link Arch} on Fashion-MNIST with recording {@code off},
 * {@code stats} (statistics every step), {@code full} (statistics every step and histograms every
 * 10 steps) and, in the full suite, {@code full+budget} ({@code full} with {@code --record-budget
 * 0.05}), and reports each variant's time per step and its slowdown over {@code off}. The bar:
 * {@code full} ≤ 1.05 × {@code off} on the nd4j backend.
 *
 * <p>Method: each round trains a fresh network (same seed) for {@code warmup + steps} steps
 * through {@link Trainer#fit} with every variant, in an order rotated per round so drift on a
 * shared machine does not favour one variant; a listener after the recorder stamps the wall clock
 * at each step's end, so a step's time covers data, forward, backward, update and the recorder's
 * work (its stats ops, the summary download, encoding and the event-file write). The first
 * {@code warmup} steps of each run are dropped; the per-variant figure is the median over rounds of
 * the throughput of each round (batch ÷ mean step time), shown as ms/step beside off. A second,
 * drift-free estimate goes into the note: 1 + the recorder's own wall time over the steps' own
 * time inside the same runs (where the backend fuses the parameter statistics into the optimizer
 * step, their cost, estimated by the recorder as summarized minus plain optimizer steps, is moved
 * from the steps' time to the recorder's). One uncounted round warms up the JIT
 * first. Events go to a temporary folder deleted at the end. What could fool it: other processes
 * on the machine (the rotation and medians damp this, not remove it); page-cache writes are cheap
 * here but would cost more on a slow disk.
 */
public final class RecordingOverheadWorkload implements Workload {
    /** The recording overhead bar: {@code full} at most this many times {@code off}'s step time. */
    public static final double BAR = 1.05;

    /**
     * How much to measure.
     *
     * @param budgetVariant also measure {@code full} with {@code --record-budget 0.05}
     */
    public record Settings(int batch, int steps, int warmup, int rounds, boolean budgetVariant) {
        /**
         * The training benchmark's batch for {@code arch} (MLP 256, CNN 128); quick: 20 steps × 5
         * rounds; full: 50 steps, with 7 rounds for steadier medians.
         */
        public static Settings of(Suite suite, Arch arch) {
            return suite == Suite.FULL ? new Settings(arch.batch(), 50, 5, 7, true) : new Settings(arch.batch(), 20, 3, 5, false);
        }
    }

    /** One way of recording; {@code cfg} null = off. */
    private record Variant(String name, RecordConfig cfg) {}

    private final Arch arch;
    private final Settings fixed;

    /** Sizes from the suite. */
    public RecordingOverheadWorkload(Arch arch) {
        this(arch, null);
    }

    /** Fixed sizes ({@code null}: from the suite). */
    public RecordingOverheadWorkload(Arch arch, Settings settings) {
        this.arch = arch;
        this.fixed = settings;
    }

    @Override
    public String name() { return "record-" + arch.id(); }

    @Override
    public List<Row> run(BenchContext ctx) throws Exception {
        Settings s = fixed != null ? fixed : Settings.of(ctx.suite(), arch);
        List<Variant> variants = new ArrayList<>(List.of(
                new Variant("off", null),
                new Variant("stats", new RecordConfig(RecordMode.STATS, 1, 10, RecordConfig.BINS, 0)),
                new Variant("full", RecordConfig.defaults())));
        if (s.budgetVariant()) variants.add(new Variant("full+budget", new RecordConfig(RecordMode.FULL, 1, 10, RecordConfig.BINS, 0.05)));
        Dataset data = slice(FashionMnist.loadEmbedded(), s.batch() * (s.warmup() + s.steps()));
        List<String> backends = ctx.fullyMeasured();
        List<Row> rows = new ArrayList<>();
        rows.addAll(ctx.skippedShortRunRows(name(), "samples/s", s.batch()));
        Path tmp = Files.createTempDirectory("loupe-record-bench");
        try {
            for (int bi = 0; bi < backends.size(); bi++) {
                try (Backend backend = Backends.open(backends.get(bi))) {
                    ProgressSink progress = ctx.progress().slot(bi, backends.size());
                    rows.addAll(measure(backend, variants, data, s, tmp, progress));
                }
            }
        } finally {
            deleteTree(tmp);
        }
        return rows;
    }

    private List<Row> measure(Backend backend, List<Variant> variants, Dataset data, Settings s, Path tmp, ProgressSink progress) {
        ModelSpec spec = Models.resolve(arch.id(), data.inputShape(), data.numClasses());
        String who = "loupe/" + backend.name();
        int total = (s.rounds() + 1) * variants.size(), done = 0;
        progress.update(0, name() + ": JIT warm-up round on " + backend.name());
        for (Variant v : variants) {
            time(backend, spec, data, s, v.cfg(), tmp); // warm-up round, not counted
            progress.update(++done / (double) total, name() + ": warm-up " + v.name());
        }
        Map<String, List<Double>> ms = new LinkedHashMap<>(), own = new LinkedHashMap<>();
        for (Variant v : variants) {
            ms.put(v.name(), new ArrayList<>());
            own.put(v.name(), new ArrayList<>());
        }
        for (int r = 0; r < s.rounds(); r++) {
            for (int k = 0; k < variants.size(); k++) {
                Variant v = variants.get((k + r) % variants.size());
                double[] t = time(backend, spec, data, s, v.cfg(), tmp);
                ms.get(v.name()).add(t[0]);
                own.get(v.name()).add(t[1]);
                progress.update(++done / (double) total, String.format(Locale.ROOT, "%s: round %d/%d %s %.2f ms/step",
                        name(), r + 1, s.rounds(), v.name(), t[0]));
            }
        }
        List<Row> rows = new ArrayList<>();
        Map<String, Row.Rate> rates = new LinkedHashMap<>();
        for (Variant v : variants) {
            List<Double> perRound = ms.get(v.name()).stream().map(m -> 1000.0 * s.batch() / m).toList();
            String note = String.format(Locale.ROOT, "recording %s; %d steps after %d warm-up, %d rounds%s", v.name(), s.steps(),
                    s.warmup(), s.rounds(), v.cfg() == null ? ""
                            : String.format(Locale.ROOT, "; in-run estimate %.3f× (1 + recorder's own time ÷ step time)",
                            1 + Row.Stats.median(own.get(v.name()))));
            Row.Rate rate = new Row.Rate(name(), who + " " + v.name(), Contender.Kind.LOUPE, "samples/s", s.batch(), perRound, note);
            rates.put(v.name(), rate);
            rows.add(rate);
        }
        // figures: ms/step at the median rate (so they agree with the rate rows); the ratio: the median of
        // per-round ratios, each from runs made back to back, which drift on a shared machine hurts least
        double offMs = 1000.0 * s.batch() / rates.get("off").median();
        for (Variant v : variants) {
            if (v.cfg() == null) continue;
            double m = 1000.0 * s.batch() / rates.get(v.name()).median();
            List<Double> perRound = new ArrayList<>();
            for (int r = 0; r < s.rounds(); r++) perRound.add(ms.get(v.name()).get(r) / ms.get("off").get(r));
            // the bar is set for nd4j; elsewhere the ratio is informational
            double bar = v.name().equals("full") && backend.name().equals("nd4j") ? BAR : Double.NaN;
            rows.add(new Row.Ratio(name(), rates.get(v.name()).contender(), rates.get("off").contender(),
                    Row.Stats.median(perRound), bar, m, offMs, "ms/step", true));
        }
        return rows;
    }

    /**
     * {mean wall time per step in ms over the steps after the warm-up, the recorder's own time over
     * the steps' own time (0 when off)}.
     */
    private static double[] time(Backend b, ModelSpec spec, Dataset data, Settings s, RecordConfig rc, Path tmp) {
        Network net = new Network(b, spec, s.batch(), 42);
        try {
            Updater up = new Updater(net, new Optimizer.Sgd(0.9f, false, 0));
            TrainConfig cfg = new TrainConfig(1, s.batch(), LrSchedule.constant(0.01f), up.optimizer(), 42, 0, 1);
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
            int warm = Math.max(1, s.warmup());
            long start = stamps.get(warm - 1), end = stamps.getLast();
            return new double[] {(end - start) / 1e6 / (stamps.size() - warm),
                    rec == null ? 0 : (double) rec.totalRecordNanos() / (stepNanos[0] - rec.totalFusedNanos())};
        } finally {
            net.close();
        }
    }

    /**
     * {@code n} training samples (the first ones, cycled when the set has fewer: timing does not
     * depend on which images repeat) and one batch of test samples (the epoch-end evaluation stays
     * small).
     */
    static Dataset slice(Dataset d, int n) {
        int size = d.inputSize(), have = d.trainCount(), per = d.trainTargets().length / have;
        int test = Math.min(d.testCount(), 128);
        float[] x = new float[n * size], y = new float[n * per];
        for (int from = 0; from < n; from += have) {
            int k = Math.min(have, n - from);
            System.arraycopy(d.trainInputs(), 0, x, from * size, k * size);
            System.arraycopy(d.trainTargets(), 0, y, from * per, k * per);
        }
        return new Dataset(d.name(), d.source(), d.inputShape(), d.numClasses(), x, y,
                Arrays.copyOf(d.testInputs(), test * size), Arrays.copyOf(d.testTargets(), test * per));
    }

    /** Deletes {@code dir} and everything under it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> w = Files.walk(dir)) {
            for (Path p : w.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
