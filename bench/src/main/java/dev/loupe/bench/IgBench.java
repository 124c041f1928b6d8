package dev.loupe.bench;

import dev.loupe.datasets.DataSources;
import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.explain.ExplainMethod;
import dev.loupe.engine.explain.ExplainParams;
import dev.loupe.engine.explain.Explainer;
import dev.loupe.engine.explain.Explanation;
import dev.loupe.engine.explain.GradientRunner;
import dev.loupe.engine.nn.ModelJson;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.nn.Param;
import dev.loupe.engine.train.Checkpoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Integrated gradients (50 Gauss–Legendre steps, zero baseline) attributions per second on the
 * CNN: Loupe against a batched PyTorch IG on the same weights, images, steps and internal batch,
 * in one run. The weights go to the peer as NPY; the peer rebuilds the model in torch and first
 * checks its logits against Loupe's, then reports its timing and how far its attributions are
 * from Loupe's.
 *
 * <p>Measured: wall time of whole IG calls (best of {@code --repeats} after one warm-up), so
 * JIT warm-up on Loupe's side and autograd graph building on torch's are both outside the best
 * time but every per-call cost is inside. Loupe's time also includes the two forward passes
 * (f(x), f(baseline)) it makes for the convergence delta, which the peer skips. What could fool
 * it: a machine shared with other work (compare only numbers from the same run), thread counts
 * (both are printed), and a backend other than the one intended ({@code --backend}).
 *
 * <p>Usage: {@code IgBench [--run DIR] [--images 32] [--steps 50] [--batch 100] [--repeats 3]
 * [--backend auto] [--python /usr/bin/python3] [--script bench/python/ig_peer.py]}
 */
public final class IgBench {
    private IgBench() {}

    public static void main(String[] args) throws Exception {
        Path run = null;
        int images = 32, steps = 50, batch = 100, repeats = 3;
        String backendName = "auto", python = "/usr/bin/python3", script = "bench/python/ig_peer.py";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--run" -> run = Path.of(args[++i]);
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--backend" -> backendName = args[++i];
                case "--python" -> python = args[++i];
                case "--script" -> script = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (see the class Javadoc)");
            }
        }
        Dataset data = DataSources.load("fashion-mnist", null, 0);
        try (Backend backend = Backends.open(backendName)) {
            ModelSpec spec;
            float[] params = null;
            if (run != null) {
                Path cp = new Checkpoints(run, Integer.MAX_VALUE).latest().orElseThrow(() -> new IllegalArgumentException("no checkpoint in --run"));
                spec = Checkpoints.model(cp);
                Network layout = new Network(backend, spec, 1, 0);
                params = Checkpoints.load(cp, spec.inputShape(), layout).params();
            } else {
                spec = Models.cnn(data.inputShape(), data.numClasses());
            }
            Network net = new Network(backend, spec, batch, 42);
            if (params != null) net.setParams(params);
            int d = net.inputSize();
            if (d != data.inputSize()) throw new IllegalArgumentException("the model does not take Fashion-MNIST images");
            float[] x = Arrays.copyOf(data.testInputs(), images * d);
            Explainer ex = new Explainer(new GradientRunner(net, null));
            float[] logits = ex.logits(x, images);
            int[] targets = Explainer.argmax(logits, net.outputSize());
            ExplainParams p = ExplainParams.DEFAULTS.withSteps(steps);

            Explanation e = ex.explain(ExplainMethod.IG, p, x, images, targets, null); // warm-up
            double best = Double.POSITIVE_INFINITY;
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                e = ex.explain(ExplainMethod.IG, p, x, images, targets, null);
                best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            }
            double worstDelta = Arrays.stream(e.delta()).map(Math::abs).max().orElse(0);

            Path dir = Files.createTempDirectory("loupe-igbench");
            Files.writeString(dir.resolve("model.json"), ModelJson.write(spec), StandardCharsets.UTF_8);
            Path pd = Files.createDirectories(dir.resolve("params"));
            float[] all = net.getParams();
            for (Param prm : net.params()) {
                NpyFiles.write(pd.resolve(prm.id() + ".npy"),
                        new NpyArray(prm.shape(), Arrays.copyOfRange(all, (int) prm.offset(), (int) (prm.offset() + prm.size()))));
            }
            int[] shape = {images, spec.inputShape()[0], spec.inputShape()[1], spec.inputShape()[2]};
            NpyFiles.write(dir.resolve("inputs.npy"), new NpyArray(shape, x));
            NpyFiles.write(dir.resolve("logits.npy"), new NpyArray(new int[] {images, net.outputSize()}, logits));
            float[] t = new float[images];
            for (int i = 0; i < images; i++) t[i] = targets[i];
            NpyFiles.write(dir.resolve("targets.npy"), new NpyArray(new int[] {images}, t));
            NpyFiles.write(dir.resolve("loupe_attributions.npy"), new NpyArray(shape, e.values()));

            System.out.printf("IG benchmark: %s, %d Fashion-MNIST test images, %d Gauss-Legendre steps, zero baseline, internal batch %d rows, best of %d%n",
                    spec.name() + (run != null ? " from " + run : " (random init, seed 42)"), images, steps, batch, repeats);
            System.out.printf("machine: %d CPUs, %s, java %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
            System.out.printf("loupe   backend %-10s %8.2f attributions/s  (%.3f s per call; max |IG delta| %.2e)  device: %s%n",
                    backend.name(), images / best, best, worstDelta, backend.device());
            String peer = runPeer(python, script, dir, steps, batch, repeats);
            if (peer == null) return;
            double peerRate = number(peer, "attributions_per_second");
            System.out.printf("pytorch %s threads %-3d %8.2f attributions/s  (%.3f s per call; max |attr diff vs Loupe| %.2e of max %.2e; logits diff %.1e)%n",
                    text(peer, "torch"), (int) number(peer, "threads"), peerRate, number(peer, "best_seconds"),
                    number(peer, "max_attr_diff"), number(peer, "max_attr"), number(peer, "max_logit_diff"));
            System.out.printf("loupe / pytorch = %.2fx%n", (images / best) / peerRate);
        }
    }

    private static String runPeer(String python, String script, Path dir, int steps, int batch, int repeats)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(Path.of(script))) {
            System.out.println("pytorch peer skipped: script " + script + " not found (run from the repository root or pass --script)");
            return null;
        }
        List<String> cmd = new ArrayList<>(List.of(python, script, "--dir", dir.toString(), "--steps", "" + steps,
                "--batch", "" + batch, "--repeats", "" + repeats));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!proc.waitFor(30, TimeUnit.MINUTES)) proc.destroy();
        String last = out.lines().reduce((a, b) -> b).orElse("");
        if (proc.exitValue() == 3) {
            System.out.println("pytorch peer skipped: " + text(last, "skipped"));
            return null;
        }
        if (proc.exitValue() != 0 || !last.contains("attributions_per_second")) {
            System.out.println("pytorch peer failed (exit " + proc.exitValue() + "): " + out);
            return null;
        }
        return last;
    }

    /** A number field of the peer's one-line JSON (flat object, so a regex is enough). */
    private static double number(String json, String key) {
        var m = java.util.regex.Pattern.compile("\"" + key + "\": ([-+0-9.eE]+)").matcher(json);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static String text(String json, String key) {
        var m = java.util.regex.Pattern.compile("\"" + key + "\": \"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : "?";
    }
}
