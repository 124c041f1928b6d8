package dev.loupe.bench;

import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.FashionMnist;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.landscape.EvalSet;
import dev.loupe.engine.landscape.FilterNormalizedDirections;
import dev.loupe.engine.landscape.PlaneEvaluator;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Loss-landscape grid throughput of one {@link Arch}: points per second with the grid evaluated
 * many points per pass ({@link PlaneEvaluator.Strategy#SHARED_FIRST_LAYER}: the first layer's
 * products with θ, d1 and d2 are computed once and shared by all points) against one full forward
 * per point ({@link PlaneEvaluator.Strategy#ONE_POINT}), same model, samples, chunking and backend,
 * measured alternately in one process so machine load hits both alike; the ratio is the median
 * over repeats of the two grids' ratio within a repeat. The bar: batched ≥ 3 × one point at a time.
 *
 * <p>What is measured: a whole R×C grid from a fresh evaluator, so the batched strategy pays its
 * one-time setup inside the timing; the steady-state rate (setup excluded) goes into the note,
 * since a 51×51 grid amortizes the setup over 2601 points. What could fool it: the speed-up is
 * arithmetic (the first layer's share of the multiply-adds), so it depends on the model: large for
 * an MLP whose first layer dominates, small for a CNN whose second convolution dominates.
 */
public final class LandscapeWorkload implements Workload {
    /** The landscape bar: batched points/s at least this many times one point at a time. */
    public static final double BAR = 3.0;

    /**
     * How much to measure: samples per point, grid rows × columns, timed grids per strategy. The
     * batched strategy's one-time setup weighs less on a bigger grid (a real one is 21×21 to 51×51),
     * so the cheap MLP gets a bigger grid than the CNN, whose one-point passes cost ~10× more. The
     * MLP's grids (10×10 quick, 16×16 full) are still far smaller than a real one; its setup (three
     * first-layer passes) weighs about 5% at 12×12.
     */
    public record Settings(int samples, int rows, int cols, int repeats) {
        public static Settings of(Suite suite, Arch arch) {
            if (suite == Suite.FULL) return arch == Arch.CNN ? new Settings(500, 4, 6, 7) : new Settings(500, 16, 16, 7);
            return arch == Arch.CNN ? new Settings(250, 3, 4, 3) : new Settings(500, 10, 10, 3);
        }
    }

    private final Arch arch;
    private final Settings fixed;

    /** Sizes from the suite. */
    public LandscapeWorkload(Arch arch) {
        this(arch, null);
    }

    /** Fixed sizes ({@code null}: from the suite). */
    public LandscapeWorkload(Arch arch, Settings settings) {
        this.arch = arch;
        this.fixed = settings;
    }

    @Override
    public String name() { return "landscape-" + arch.id(); }

    @Override
    public List<Row> run(BenchContext ctx) throws Exception {
        Settings s = fixed != null ? fixed : Settings.of(ctx.suite(), arch);
        Dataset data = FashionMnist.loadEmbedded();
        EvalSet set = EvalSet.firstTrain(data, s.samples());
        ModelSpec spec = Models.resolve(arch.id(), data.inputShape(), data.numClasses());
        List<Row> rows = new ArrayList<>();
        List<String> backends = ctx.fullyMeasured();
        rows.addAll(ctx.skippedShortRunRows(name(), "points/s", 0));
        for (int bi = 0; bi < backends.size(); bi++) {
            ProgressSink progress = ctx.progress().slot(bi, backends.size());
            try (Backend b = Backends.open(backends.get(bi)); Network net = new Network(b, spec, set.count(), 42)) {
                rows.addAll(measure(net, set, s, progress));
            }
        }
        return rows;
    }

    private List<Row> measure(Network net, EvalSet set, Settings s, ProgressSink progress) {
        String who = "loupe/" + net.backend().name();
        float[] theta = net.getParams();
        float[] d1 = FilterNormalizedDirections.create(net.params(), theta, 0);
        float[] d2 = FilterNormalizedDirections.create(net.params(), theta, 1);
        double[] xs = axis(s.cols()), ys = axis(s.rows());
        progress.update(0, name() + ": warm-up row, both strategies");
        grid(net, set, theta, d1, d2, new double[] {0}, xs, PlaneEvaluator.Strategy.SHARED_FIRST_LAYER);
        grid(net, set, theta, d1, d2, new double[] {0}, xs, PlaneEvaluator.Strategy.ONE_POINT);
        List<Double> shared = new ArrayList<>(), steady = new ArrayList<>(), single = new ArrayList<>(), paired = new ArrayList<>();
        double maxDiff = 0;
        for (int r = 0; r < s.repeats(); r++) {
            Run a = grid(net, set, theta, d1, d2, ys, xs, PlaneEvaluator.Strategy.SHARED_FIRST_LAYER);
            progress.update((2 * r + 1) / (2.0 * s.repeats()), String.format(Locale.ROOT, "%s: repeat %d batched %.2f points/s",
                    name(), r + 1, a.points / a.seconds));
            Run o = grid(net, set, theta, d1, d2, ys, xs, PlaneEvaluator.Strategy.ONE_POINT);
            progress.update((2 * r + 2) / (2.0 * s.repeats()), String.format(Locale.ROOT, "%s: repeat %d one point %.2f points/s",
                    name(), r + 1, o.points / o.seconds));
            shared.add(a.points / a.seconds);
            steady.add(a.points / (a.seconds - a.setupSeconds));
            single.add(o.points / o.seconds);
            paired.add((a.points / a.seconds) / (o.points / o.seconds));
            for (int i = 0; i < a.loss.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a.loss[i] - o.loss[i]) / Math.max(1, Math.abs(o.loss[i])));
            }
        }
        String shape = String.format(Locale.ROOT, "%d×%d grid, %d samples", s.rows(), s.cols(), set.count());
        double firstShare = firstLayerShare(arch);
        Row.Rate batched = new Row.Rate(name(), who + " batched", Contender.Kind.LOUPE, "points/s", 0, shared,
                String.format(Locale.ROOT, "%s; shared first layer, setup included; steady state %s points/s; "
                                + "arithmetic ceiling %.2f× (the first layer is %.0f%% of a forward's multiply-adds); "
                                + "loupe landscape's auto strategy: %s", shape,
                        Report.fmt(Row.Stats.median(steady)), 1 / (1 - firstShare), 100 * firstShare,
                        PlaneEvaluator.choose(net) == PlaneEvaluator.Strategy.ONE_POINT ? "one point at a time" : "shared"));
        Row.Rate onePoint = new Row.Rate(name(), who + " one-point", Contender.Kind.LOUPE, "points/s", 0, single,
                shape + "; one full forward per point");
        // the ratio: the median of per-repeat ratios, each from two grids run back to back (drift on a
        // shared machine moves whole repeats; the medians of the two rates are shown beside it)
        Row.Ratio ratio = new Row.Ratio(name(), batched.contender(), onePoint.contender(), Row.Stats.median(paired), BAR,
                batched.median(), onePoint.median(), "points/s", false);
        return List.of(batched, onePoint, ratio,
                new Row.Check(name(), "grid loss, batched vs one point at a time (" + who + ")",
                        String.format(Locale.ROOT, "largest relative difference %.1e", maxDiff), maxDiff <= 1e-3));
    }

    /**
     * The first layer's share of a forward pass's multiply-adds. Sharing it makes a point cost the
     * rest, so the batched strategy can be at most {@code 1 / (1 − share)} times faster than one
     * point at a time, and only if the rest runs at the same speed per multiply-add.
     */
    static double firstLayerShare(Arch arch) {
        List<Arch.Gemm> fwd = arch.forwardGemms(1);
        return (double) fwd.getFirst().macs() / fwd.stream().mapToLong(Arch.Gemm::macs).sum();
    }

    /** {@code n} evenly spaced coordinates on [-1, 1]. */
    private static double[] axis(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = -1 + 2.0 * i / Math.max(1, n - 1);
        return v;
    }

    private record Run(long points, double seconds, double setupSeconds, double[] loss) {}

    private static Run grid(Network net, EvalSet set, float[] theta, float[] d1, float[] d2, double[] ys, double[] xs,
                            PlaneEvaluator.Strategy strategy) {
        long t0 = System.nanoTime();
        PlaneEvaluator ev = new PlaneEvaluator(net, set, theta, d1, d2, strategy);
        // an empty evaluation computes (and caches) the shared products: the one-time setup
        ev.evaluate(new double[0], new double[0]);
        long t1 = System.nanoTime();
        double[] loss = new double[ys.length * xs.length];
        for (int r = 0; r < ys.length; r++) {
            double[] beta = new double[xs.length];
            Arrays.fill(beta, ys[r]);
            System.arraycopy(ev.evaluate(xs, beta).loss(), 0, loss, r * xs.length, xs.length);
        }
        long t2 = System.nanoTime();
        return new Run(loss.length, (t2 - t0) / 1e9, (t1 - t0) / 1e9, loss);
    }
}
