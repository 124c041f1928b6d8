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
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;

/**
 * What does recording cost? Trains one {@link Arch} on Fashion-MNIST with recording {@code off},
 * {@code stats} (statistics every step), {@code full} (statistics every step and histograms every
 * 10 steps) and, in the full suite, {@code full+budget} ({@code full} with {@code --record-budget
 * 0.05}), and reports each variant's time per step and its slowdown over {@code off}. The bar:
 * {@code full} ≤ 1.05 × {@code off} on the nd4j backend.
 *
 * <p>Method: every variant trains its own network (same seed) through {@link Trainer#fit}, each
 * on its own thread, and the runs take turns in blocks of {@value #BLOCK} steps: one block of each
 * variant per cycle, in an order rotated every cycle, never two at once. A block's time runs from
 * the end of its first step to the end of its last (a listener after the recorder stamps the wall
 * clock at each step's end), so it covers ten whole steps: data, forward, backward, update and the
 * recorder's work (its stats ops, the summary download, queueing the event), one of each phase of
 * the histogram interval, while the first step after a switch, which finds the caches holding the
 * other network, is left out for every variant alike. A variant's ratio is the median over cycles
 * of its block time over {@code off}'s block time in the same cycle: blocks a fraction of a second
 * apart see the same machine, which the earlier design (whole runs one after another, 10–29%
 * spread between runs on a VM with CPU steal) did not give. The first cycles warm up the JIT and
 * are not counted. A second, drift-free estimate goes into the note: 1 + the recorder's own wall
 * time over the steps' own time inside the same runs (where the backend fuses statistics into
 * the step's own ops, their cost, estimated by the recorder, is moved from the steps' time to the
 * recorder's). Events go to a temporary folder deleted at the end. What could fool it: the event
 * file's background thread may run during another variant's block (it is at the lowest priority,
 * and its work is small); page-cache writes are cheap here but would cost more on a slow disk.
 */
public final class RecordingOverheadWorkload implements Workload {
    /** The recording overhead bar: {@code full} at most this many times {@code off}'s step time. */
    public static final double BAR = 1.05;

    /** Steps per block: the histogram interval plus the first step, which is not timed. */
    static final int BLOCK = 11;

    /**
     * How much to measure.
     *
     * @param cycles        counted cycles (one block of every variant each)
     * @param warmupCycles  cycles run first and not counted
     * @param budgetVariant also measure {@code full} with {@code --record-budget 0.05}
     */
    public record Settings(int batch, int cycles, int warmupCycles, boolean budgetVariant) {
        public Settings {
            if (batch <= 0 || cycles <= 0 || warmupCycles < 0) {
                throw new IllegalArgumentException("recording bench needs batch > 0, cycles > 0, warm-up cycles ≥ 0; got "
                        + batch + ", " + cycles + ", " + warmupCycles);
            }
        }

        /**
         * The training benchmark's batch for {@code arch} (MLP 256, CNN 128); quick: 20 cycles after
         * 3; full: 60 cycles after 5, and the budget variant. On a shared 2-core VM a block is now and
         * then hit by a burst of slow steps (about 1.8× for 20–40 ms, in any variant alike):
         * per-cycle ratios of the MLP spread with a standard deviation of
         * about 0.16 around a median near 1.03, so 30 cycles left the median of a run a couple of
         * percent either way; 60 halve its variance, for about 15 s (MLP) and 60 s (CNN).
         */
        public static Settings of(Suite suite, Arch arch) {
            return suite == Suite.FULL ? new Settings(arch.batch(), 60, 5, true) : new Settings(arch.batch(), 20, 3, false);
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
        Dataset data = slice(FashionMnist.loadEmbedded(), s.batch() * BLOCK * (s.warmupCycles() + s.cycles()));
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

    private List<Row> measure(Backend backend, List<Variant> variants, Dataset data, Settings s, Path tmp, ProgressSink progress)
            throws InterruptedException {
        ModelSpec spec = Models.resolve(arch.id(), data.inputShape(), data.numClasses());
        String who = "loupe/" + backend.name();
        int v = variants.size(), cycles = s.warmupCycles() + s.cycles();
        // the schedule: cycle c runs the variants in the order rotated by c
        int[] order = new int[cycles * v];
        for (int c = 0; c < cycles; c++) for (int k = 0; k < v; k++) order[c * v + k] = (k + c) % v;
        Turns turns = new Turns(order);
        long[][] blockNanos = new long[v][cycles];
        double[] own = new double[v];
        Thread[] threads = new Thread[v];
        for (int k = 0; k < v; k++) {
            int me = k;
            Variant var = variants.get(k);
            threads[k] = Thread.ofPlatform().name("record-bench-" + var.name()).start(() -> {
                try {
                    own[me] = run(backend, spec, data, s, var.cfg(), tmp, turns, me, blockNanos[me], (c, ms) -> progress.update(
                            (c * v + 1.0) / (cycles * v), String.format(Locale.ROOT, "%s: %s %d/%d %s %.2f ms/step", name(),
                                    c < s.warmupCycles() ? "warm-up cycle" : "cycle", c < s.warmupCycles() ? c + 1 : c - s.warmupCycles() + 1,
                                    c < s.warmupCycles() ? s.warmupCycles() : s.cycles(), var.name(), ms)));
                } catch (Throwable t) {
                    turns.fail(t);
                }
            });
        }
        for (Thread t : threads) t.join();
        turns.rethrow();
        List<Row> rows = new ArrayList<>();
        Map<String, Row.Rate> rates = new LinkedHashMap<>();
        int off = 0;
        for (int k = 0; k < v; k++) {
            Variant var = variants.get(k);
            if (var.cfg() == null) off = k;
            List<Double> perBlock = new ArrayList<>();
            for (int c = s.warmupCycles(); c < cycles; c++) perBlock.add(1e9 * s.batch() * (BLOCK - 1) / blockNanos[k][c]);
            String note = String.format(Locale.ROOT, "recording %s; %d cycles of %d-step blocks (10 timed) after %d warm-up cycles%s",
                    var.name(), s.cycles(), BLOCK, s.warmupCycles(), var.cfg() == null ? ""
                            : String.format(Locale.ROOT, "; in-run estimate %.3f× (1 + recorder's own time ÷ step time)", 1 + own[k]));
            Row.Rate rate = new Row.Rate(name(), who + " " + var.name(), Contender.Kind.LOUPE, "samples/s", s.batch(), perBlock, note);
            rates.put(var.name(), rate);
            rows.add(rate);
        }
        // figures: ms/step at the median rate (so they agree with the rate rows); the ratio: the median over
        // cycles of block time over off's block time in the same cycle
        double offMs = 1000.0 * s.batch() / rates.get(variants.get(off).name()).median();
        for (int k = 0; k < v; k++) {
            Variant var = variants.get(k);
            if (var.cfg() == null) continue;
            double m = 1000.0 * s.batch() / rates.get(var.name()).median();
            List<Double> perCycle = new ArrayList<>();
            for (int c = s.warmupCycles(); c < cycles; c++) perCycle.add((double) blockNanos[k][c] / blockNanos[off][c]);
            // the bar is set for nd4j; elsewhere the ratio is informational
            double bar = var.name().equals("full") && backend.name().equals("nd4j") ? BAR : Double.NaN;
            rows.add(new Row.Ratio(name(), rates.get(var.name()).contender(), rates.get(variants.get(off).name()).contender(),
                    Row.Stats.median(perCycle), bar, m, offMs, "ms/step", true));
        }
        return rows;
    }

    /**
     * Who trains now: the variants' threads take turns in the order of a schedule of variant
     * indices, one block each; a failure on any thread releases them all.
     */
    private static final class Turns {
        private final int[] order;
        private int at;
        private Throwable failure;

        Turns(int[] order) {
            this.order = order;
        }

        /** Waits until the schedule reaches a block of variant {@code me}. */
        synchronized void await(int me) throws InterruptedException {
            while (failure == null && at < order.length && order[at] != me) wait();
            if (failure != null) throw new CancellationException("another variant failed");
            if (at >= order.length) throw new IllegalStateException("variant " + me + " ran past the schedule");
        }

        /** The current block is done: the next one in the schedule may start. */
        synchronized void done() {
            at++;
            notifyAll();
        }

        synchronized void fail(Throwable t) {
            if (failure == null) failure = t;
            notifyAll();
        }

        synchronized void rethrow() {
            if (failure instanceof RuntimeException r) throw r;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new IllegalStateException(failure);
        }
    }

    /** Progress of one variant: after cycle {@code c}, at {@code ms} per step. */
    private interface CycleDone {
        void after(int c, double ms);
    }

    /**
     * Trains a fresh network with recording {@code rc} (null: off) for all cycles, one block per
     * turn, writing each block's time (end of its first step to end of its last) into
     * {@code blockNanos}; returns the recorder's own time over the steps' own time (0 when off).
     */
    private static double run(Backend b, ModelSpec spec, Dataset data, Settings s, RecordConfig rc, Path tmp, Turns turns, int me,
                              long[] blockNanos, CycleDone done) throws InterruptedException {
        turns.await(me); // building the network uses the backend too
        Network net = new Network(b, spec, s.batch(), 42);
        Recorder rec = null;
        try {
            Updater up = new Updater(net, new Optimizer.Sgd(0.9f, false, 0));
            TrainConfig cfg = new TrainConfig(1, s.batch(), LrSchedule.constant(0.01f), up.optimizer(), 42, 0, 1);
            rec = rc == null ? null : new Recorder(net, up, rc, tmp.resolve("events-" + me + "-" + System.nanoTime()));
            Recorder recorder = rec;
            // the in-run estimate counts the steps after the warm-up cycles: {step time, recorder's time, fused part}
            long[] counted = new long[3], first = {0};
            int blocks = blockNanos.length;
            TrainListener clock = new TrainListener() {
                @Override
                public void onStep(StepEvent e, Network n, Updater u) {
                    long now = System.nanoTime();
                    int inBlock = (int) (e.step() % BLOCK), block = (int) (e.step() / BLOCK);
                    if (block >= s.warmupCycles()) counted[0] += e.stepNanos();
                    if (inBlock == 0) first[0] = now;
                    if (inBlock < BLOCK - 1) return;
                    blockNanos[block] = now - first[0];
                    done.after(block, blockNanos[block] / 1e6 / (BLOCK - 1));
                    if (recorder != null && block == s.warmupCycles() - 1) {
                        counted[1] = -recorder.totalRecordNanos();
                        counted[2] = -recorder.totalFusedNanos();
                    }
                    if (block == blocks - 1) return; // the run ends (evaluation, close) before the turn passes
                    turns.done();
                    try {
                        turns.await(me);
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        throw new CancellationException("interrupted");
                    }
                }
            };
            List<TrainListener> listeners = new ArrayList<>();
            if (rec != null) listeners.add(rec);
            listeners.add(clock);
            Trainer.fit(net, up, data, cfg, TrainState.START, listeners, Checkpointer.NONE);
            if (rec == null) return 0;
            long recNanos = counted[1] + rec.totalRecordNanos(), fused = counted[2] + rec.totalFusedNanos();
            return (double) recNanos / (counted[0] - fused);
        } finally {
            try {
                if (rec != null) rec.close();
                net.close();
            } finally {
                turns.done();
            }
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
