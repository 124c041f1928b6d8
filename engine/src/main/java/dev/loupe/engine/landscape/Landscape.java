package dev.loupe.engine.landscape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.NpyArray;
import dev.loupe.engine.nn.Network;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one landscape mode on a trained network and writes {@code RUN/landscape/MODE/}: NPY arrays
 * and a {@code meta.json} (settings, directions' seeds, window, samples, model provenance), the
 * meta last, so its presence marks a finished result. Grids resume from finished rows when the
 * settings in {@code request.json} match; other settings start the folder over.
 */
public final class Landscape {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Progress: {@code done} of {@code total} units of {@code what} (grid rows or Hessian products). */
    @FunctionalInterface
    public interface Progress {
        void update(String what, long done, long total, boolean resumed);
    }

    /** Where the result went and what it cost. */
    public record Outcome(Path dir, boolean alreadyComplete, long pointsEvaluated, double seconds, JsonNode meta) {}

    private Landscape() {}

    /**
     * Computes {@code req} for {@code net} at {@code theta} (the checkpoint's parameters, reached
     * at training step {@code step}) on {@code data}; snapshots come from {@code runDir/snapshots}.
     */
    public static Outcome run(LandscapeRequest req, Network net, float[] theta, long step, Path runDir, EvalSet data,
                              ObjectNode provenance, Progress progress) {
        Path dir = runDir.resolve("landscape").resolve(req.mode());
        ObjectNode identity = JSON.createObjectNode();
        identity.put("mode", req.mode()).put("checkpoint_step", step).put("samples", data.count())
                .put("samples_from", data.description());
        switch (req.mode()) {
            case "interp" -> identity.put("grid", req.grid());
            case "2d" -> identity.put("grid", req.grid()).put("range", req.range()).put("seed", req.seed());
            case "trajectory" -> identity.put("grid", req.grid()).putPOJO("snapshot_steps", snapshotSteps(runDir, step));
            default -> identity.put("seed", req.seed()).put("top_k", req.topK()).put("iterations", req.iterations())
                    .put("probes", req.probes());
        }
        identity.put("parameters", net.paramCount());
        identity = roundTrip(identity); // compare as it reads back from disk (number types, POJOs)
        // bad input is reported before anything is written
        if (req.mode().equals("interp")) Snapshots.read(runDir, 0, net.paramCount());
        if (req.mode().equals("trajectory") && snapshotSteps(runDir, step).size() < 2) {
            throw new BadInputException("run " + runDir + " has " + snapshotSteps(runDir, step).size() + " parameter snapshot(s)"
                    + " up to step " + step + "; the trajectory needs at least 2 (train with --snapshots 64)");
        }
        JsonNode old = readJson(dir.resolve("request.json"));
        if (old != null && old.equals(identity) && Files.isRegularFile(dir.resolve("meta.json"))) {
            return new Outcome(dir, true, 0, 0, readJson(dir.resolve("meta.json")));
        }
        if (old != null && !old.equals(identity)) GridRunner.deleteTree(dir); // other settings: start over
        writeJson(dir.resolve("request.json"), identity);
        try {
            Files.deleteIfExists(dir.resolve("meta.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        ObjectNode meta = JSON.createObjectNode();
        meta.put("format", "loupe-landscape/1");
        meta.setAll(identity);
        meta.set("model", provenance);
        meta.put("loss", net.spec().loss().name().toLowerCase(java.util.Locale.ROOT));
        long t0 = System.nanoTime();
        long points = switch (req.mode()) {
            case "interp" -> interp(req, net, theta, runDir, data, dir, meta, progress);
            case "2d" -> plane2d(req, net, theta, data, dir, meta, progress);
            case "trajectory" -> trajectory(req, net, theta, step, runDir, data, dir, meta, progress);
            default -> hessian(req, net, theta, data, dir, meta, progress);
        };
        double seconds = (System.nanoTime() - t0) / 1e9;
        meta.put("seconds", seconds).put("backend", net.backend().name()).put("device", net.backend().device());
        writeJson(dir.resolve("meta.json"), meta);
        return new Outcome(dir, false, points, seconds, meta);
    }

    private static long interp(LandscapeRequest req, Network net, float[] theta, Path runDir, EvalSet data, Path dir,
                               ObjectNode meta, Progress progress) {
        float[] start = Snapshots.read(runDir, 0, net.paramCount());
        float[] d = new float[theta.length];
        for (int i = 0; i < d.length; i++) d[i] = theta[i] - start[i];
        double[] alphas = withEndpoints(linspace(-0.5, 1.5, req.grid()));
        PlaneEvaluator ev = new PlaneEvaluator(net, data, start, d, null, req.strategy());
        GridRunner.Grid g = GridRunner.run(dir, alphas, null, ev, (r, done, total, resumed) ->
                progress.update("points", done * alphas.length, (long) total * alphas.length, resumed));
        GridRunner.writeNpy(dir.resolve("alphas.npy"), vector(alphas));
        meta.put("description", "θ(α) = θ_0 + α·(θ_final − θ_0): α = 0 is the initial point (snapshot step 0), α = 1 the checkpoint");
        meta.put("alpha_min", -0.5).put("alpha_max", 1.5).put("distance", HessianProbe.norm(d));
        meta.put("loss_at_0", g.loss()[0][indexOf(alphas, 0)]).put("loss_at_1", g.loss()[0][indexOf(alphas, 1)]);
        meta.put("strategy", strategyName(ev));
        return (long) g.rowsComputed() * alphas.length;
    }

    private static long plane2d(LandscapeRequest req, Network net, float[] theta, EvalSet data, Path dir, ObjectNode meta,
                                Progress progress) {
        float[] d1 = FilterNormalizedDirections.create(net.params(), theta, req.seed());
        float[] d2 = FilterNormalizedDirections.create(net.params(), theta, req.seed() + 1);
        double[] axis = linspace(-req.range(), req.range(), req.grid());
        long points = grid(req, net, theta, d1, d2, axis, axis, data, dir, meta, progress);
        meta.put("description", "θ(α, β) = θ_final + α·d1 + β·d2 with random Gaussian directions, filter-normalized"
                + " (each filter rescaled to the norm of the matching weights, bias directions zero)");
        meta.put("direction_seeds", JSON.createArrayNode().add(req.seed()).add(req.seed() + 1));
        meta.put("range", req.range()).put("cos_d1_d2", cosine(d1, d2));
        return points;
    }

    private static long trajectory(LandscapeRequest req, Network net, float[] theta, long step, Path runDir, EvalSet data,
                                   Path dir, ObjectNode meta, Progress progress) {
        List<Long> steps = new ArrayList<>(snapshotSteps(runDir, step));
        List<float[]> path = new ArrayList<>();
        for (long s : steps) path.add(Snapshots.read(runDir, s, net.paramCount()));
        if (steps.getLast() != step) {
            steps.add(step);
            path.add(theta);
        }
        TrajectoryPca pca = TrajectoryPca.of(path, theta);
        double[] xs = window(pca.xs(), req.grid()), ys = window(pca.ys(), req.grid());
        long points = grid(req, net, theta, pca.d1(), pca.d2(), xs, ys, data, dir, meta, progress);
        GridRunner.writeNpy(dir.resolve("path.npy"), new NpyArray(new int[] {2, path.size()},
                GridRunner.flatten(new double[][] {pca.xs(), pca.ys()})));
        float[] stepArr = new float[steps.size()];
        for (int i = 0; i < stepArr.length; i++) stepArr[i] = steps.get(i);
        GridRunner.writeNpy(dir.resolve("path_steps.npy"), new NpyArray(new int[] {stepArr.length}, stepArr));
        meta.put("description", "θ(α, β) = θ_final + α·d1 + β·d2 with d1, d2 the top-2 principal directions of the"
                + " snapshots' θ_t − θ_final (uncentred PCA, unit vectors); the path is the snapshots projected on them");
        meta.put("explained_variance_1", pca.explained()[0]).put("explained_variance_2", pca.explained()[1]);
        meta.put("cos_d1_d2", cosine(pca.d1(), pca.d2()));
        return points;
    }

    private static long grid(LandscapeRequest req, Network net, float[] origin, float[] d1, float[] d2, double[] xs,
                             double[] ys, EvalSet data, Path dir, ObjectNode meta, Progress progress) {
        GridRunner.writeNpy(dir.resolve("d1.npy"), new NpyArray(new int[] {d1.length}, d1));
        GridRunner.writeNpy(dir.resolve("d2.npy"), new NpyArray(new int[] {d2.length}, d2));
        GridRunner.writeNpy(dir.resolve("alphas.npy"), vector(xs));
        GridRunner.writeNpy(dir.resolve("betas.npy"), vector(ys));
        PlaneEvaluator ev = new PlaneEvaluator(net, data, origin, d1, d2, req.strategy());
        meta.put("strategy", strategyName(ev));
        GridRunner.Grid g = GridRunner.run(dir, xs, ys, ev, (r, done, total, resumed) ->
                progress.update("points", done * xs.length, (long) total * xs.length, resumed));
        return (long) g.rowsComputed() * xs.length;
    }

    private static String strategyName(PlaneEvaluator ev) {
        return ev.strategy().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static long hessian(LandscapeRequest req, Network net, float[] theta, EvalSet data, Path dir, ObjectNode meta,
                                Progress progress) {
        HessianProbe probe = new HessianProbe(net, data, theta);
        long total = req.iterations() + req.probes();
        probe.onProduct(i -> progress.update("Hessian-vector products", i, total, false));
        HessianProbe.Spectrum s = probe.lanczos(req.iterations(), req.seed());
        HessianProbe.Trace tr = probe.hutchinson(req.probes(), req.seed() + 1);
        int k = Math.min(req.topK(), s.ritzValues().length);
        double[] top = java.util.Arrays.copyOf(s.ritzValues(), k);
        GridRunner.writeNpy(dir.resolve("eigenvalues.npy"), vector(top));
        GridRunner.writeNpy(dir.resolve("ritz_values.npy"), vector(s.ritzValues()));
        GridRunner.writeNpy(dir.resolve("ritz_residuals.npy"), vector(s.residuals()));
        GridRunner.writeNpy(dir.resolve("trace_samples.npy"), vector(tr.samples()));
        meta.put("description", "Hessian of the mean loss at θ_final: top eigenvalues by Lanczos (full reorthogonalization)"
                + " and Hutchinson's trace estimate with Rademacher probes; Hessian-vector products by central differences"
                + " of gradients with ε = ∛(float eps)·(1+‖θ‖)/‖v‖");
        ArrayNode ev = meta.putArray("top_eigenvalues");
        for (double v : top) ev.add(v);
        meta.put("lanczos_iterations", s.iterations()).put("smallest_ritz_value", s.ritzValues()[s.ritzValues().length - 1]);
        meta.put("trace", tr.estimate()).put("trace_standard_error", tr.standardError());
        meta.put("hessian_vector_products", probe.products()).put("theta_norm", HessianProbe.norm(theta));
        return probe.products();
    }

    private static List<Long> snapshotSteps(Path runDir, long upTo) {
        return Snapshots.steps(runDir.resolve("snapshots")).stream().filter(s -> s <= upTo).toList();
    }

    /** {@code n} points from {@code lo} to {@code hi} inclusive. */
    static double[] linspace(double lo, double hi, int n) {
        double[] out = new double[n];
        // weighted form: the middle of a symmetric range is exactly 0
        for (int i = 0; i < n; i++) out[i] = (lo * (n - 1 - i) + hi * i) / (n - 1);
        return out;
    }

    /** Adds α = 0 and α = 1 where the even spacing misses them, keeping the order. */
    static double[] withEndpoints(double[] a) {
        java.util.TreeSet<Double> s = new java.util.TreeSet<>();
        for (double v : a) s.add(v);
        s.add(0.0);
        s.add(1.0);
        return s.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The path's extent padded by a quarter on each side (and never empty). */
    static double[] window(double[] coords, int n) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double c : coords) {
            lo = Math.min(lo, c);
            hi = Math.max(hi, c);
        }
        double pad = Math.max(0.25 * (hi - lo), 1e-6);
        return linspace(lo - pad, hi + pad, n);
    }

    private static int indexOf(double[] a, double v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        throw new IllegalStateException(v + " not on the axis");
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }

    private static NpyArray vector(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return new NpyArray(new int[] {v.length}, f);
    }

    private static ObjectNode roundTrip(ObjectNode n) {
        try {
            return (ObjectNode) JSON.readTree(JSON.writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readJson(Path f) {
        if (!Files.isRegularFile(f)) return null;
        try {
            return JSON.readTree(f.toFile());
        } catch (IOException e) {
            return null; // unreadable: treated as absent, the folder starts over
        }
    }

    private static void writeJson(Path f, JsonNode n) {
        try {
            AtomicFiles.writeBytes(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
