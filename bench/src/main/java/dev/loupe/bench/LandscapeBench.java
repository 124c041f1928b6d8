package dev.loupe.bench;

import dev.loupe.datasets.DataSources;
import dev.loupe.datasets.Dataset;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.landscape.EvalSet;
import dev.loupe.engine.landscape.FilterNormalizedDirections;
import dev.loupe.engine.landscape.PlaneEvaluator;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Loss-landscape grid throughput: points per second with the first layer's products shared by all
 * points ({@link PlaneEvaluator.Strategy#SHARED_FIRST_LAYER}) against one full forward per point
 * ({@link PlaneEvaluator.Strategy#ONE_POINT}), same model, samples, chunking, backend and thread,
 * measured alternately in one process so machine load hits both alike.
 *
 * <p>What is measured: a whole R×C grid from a fresh evaluator, so the shared strategy pays its
 * one-time setup (the first layer applied to θ, d1 and d2) inside the timing; the steady-state rate
 * (setup excluded) is printed beside it, since a 51×51 grid amortizes the setup over 2601 points.
 * What could fool it: the speed-up is arithmetic (the first layer's share of the multiply-adds),
 * so it depends on the model: large for an MLP whose first layer dominates, small for a CNN.
 *
 * <p>Run: {@code java -cp "cli/target/loupe-cli.jar:cli/target/lib/*" dev.loupe.bench.LandscapeBench
 * [--model mlp|cnn] [--samples 500] [--rows 4] [--cols 6] [--repeats 3] [--backend auto]}
 */
public final class LandscapeBench {
    private LandscapeBench() {}

    public static void main(String[] args) throws Exception {
        String model = arg(args, "--model", "mlp"), backend = arg(args, "--backend", "auto");
        int samples = Integer.parseInt(arg(args, "--samples", "500"));
        int rows = Integer.parseInt(arg(args, "--rows", "4")), cols = Integer.parseInt(arg(args, "--cols", "6"));
        int repeats = Integer.parseInt(arg(args, "--repeats", "3"));
        Dataset data = DataSources.load("fashion-mnist", null, 42);
        EvalSet set = EvalSet.firstTrain(data, samples);
        ModelSpec spec = Models.resolve(model, data.inputShape(), data.numClasses());
        try (Backend b = Backends.open(backend)) {
            Network net = new Network(b, spec, set.count(), 42);
            float[] theta = net.getParams();
            float[] d1 = FilterNormalizedDirections.create(net.params(), theta, 0);
            float[] d2 = FilterNormalizedDirections.create(net.params(), theta, 1);
            double[] xs = new double[cols], ys = new double[rows];
            for (int c = 0; c < cols; c++) xs[c] = -1 + 2.0 * c / Math.max(1, cols - 1);
            for (int r = 0; r < rows; r++) ys[r] = -1 + 2.0 * r / Math.max(1, rows - 1);

            System.out.println("LandscapeBench: loss-landscape grid points/s, shared first layer vs one point at a time");
            System.out.printf("machine: %d cpus, load average %s(shared machine: absolute numbers are noisy, the ratio is measured side by side)%n",
                    Runtime.getRuntime().availableProcessors(), loadAverage());
            System.out.printf("java %s, backend %s (%s)%n", System.getProperty("java.version"), b.name(), b.device());
            System.out.printf("model %s (%d parameters), %d samples of %s in one chunk, grid %dx%d = %d points, %d repeats%n",
                    spec.name(), net.paramCount(), set.count(), set.description(), rows, cols, rows * cols, repeats);

            // warm-up: one row each, so the JIT has compiled both paths
            grid(net, set, theta, d1, d2, new double[] {0}, xs, PlaneEvaluator.Strategy.SHARED_FIRST_LAYER);
            grid(net, set, theta, d1, d2, new double[] {0}, xs, PlaneEvaluator.Strategy.ONE_POINT);

            double[] shared = new double[repeats], steady = new double[repeats], single = new double[repeats];
            double maxDiff = 0;
            for (int r = 0; r < repeats; r++) {
                Run s = grid(net, set, theta, d1, d2, ys, xs, PlaneEvaluator.Strategy.SHARED_FIRST_LAYER);
                Run o = grid(net, set, theta, d1, d2, ys, xs, PlaneEvaluator.Strategy.ONE_POINT);
                shared[r] = s.points / s.seconds;
                steady[r] = s.points / (s.seconds - s.setupSeconds);
                single[r] = o.points / o.seconds;
                for (int i = 0; i < s.loss.length; i++) maxDiff = Math.max(maxDiff, Math.abs(s.loss[i] - o.loss[i]) / Math.max(1, Math.abs(o.loss[i])));
                System.out.printf("repeat %d: shared %.3f points/s (setup %.2f s; steady %.3f points/s), one point %.3f points/s%n",
                        r + 1, shared[r], s.setupSeconds, steady[r], single[r]);
            }
            double ms = median(shared), mo = median(single), mst = median(steady);
            System.out.printf("median: shared %.3f points/s, one point at a time %.3f points/s: %.2fx (steady state %.3f points/s: %.2fx)%n",
                    ms, mo, ms / mo, mst, mst / mo);
            System.out.printf("largest relative loss difference between the two: %.2e (float rounding)%n", maxDiff);
        }
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

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2] + " ";
        } catch (Exception e) {
            return "unknown ";
        }
    }

    private static String arg(String[] args, String name, String def) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return args[i + 1];
        return def;
    }
}
