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
 * <p>Measured: wall time of whole IG calls after one warm-up each, {@code --repeats} calls per
 * contender, interleaved (one Loupe call, then one call of each peer, repeated), so that load from
 * elsewhere on a shared machine hits every contender alike; the median call sets the rate (the best
 * is printed beside it). JIT warm-up on Loupe's side and autograd graph building on torch's are
 * outside the timed calls but every per-call cost is inside; the peer times its own calls, so
 * process start and pipe latency are not charged to it. Loupe's time also includes the two forward passes
 * (f(x), f(baseline)) it makes for the convergence delta, which the peer skips. What could fool
 * it: a machine shared with other work (compare only numbers from the same run), thread counts
 * (both are printed), and a backend other than the one intended ({@code --backend}).
 *
 * <p>Usage: {@code IgBench [--run DIR] [--images 32] [--steps 50] [--batch 100] [--repeats 7]
 * [--backend auto] [--python /usr/bin/python3] [--script bench/python/ig_peer.py]}
 */
public final class IgBench {
    private IgBench() {}

    public static void main(String[] args) throws Exception {
        Path run = null;
        int images = 32, steps = 50, batch = 100, repeats = 7;
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

            // torch's default thread count and the JVM's core count; the faster one is the bar
            List<PeerProcess> peers = new ArrayList<>();
            for (int threads : new int[] {0, Runtime.getRuntime().availableProcessors()}) {
                PeerProcess peer = PeerProcess.start(python, script, dir, steps, batch, threads);
                if (peer != null) peers.add(peer);
            }
            // interleaved: one Loupe call, then one call of each peer, repeated, so that load from
            // other processes on a shared machine falls on every contender alike
            double[] loupeSeconds = new double[repeats];
            double[][] peerSeconds = new double[peers.size()][repeats];
            for (int r = 0; r < repeats; r++) {
                long t0 = System.nanoTime();
                ex.explain(ExplainMethod.IG, p, x, images, targets, null);
                loupeSeconds[r] = (System.nanoTime() - t0) / 1e9;
                for (int q = 0; q < peers.size(); q++) peerSeconds[q][r] = peers.get(q).run();
            }

            System.out.printf("IG benchmark: %s, %d Fashion-MNIST test images, %d Gauss-Legendre steps, zero baseline, internal batch %d rows, %d interleaved calls each (median; best in brackets)%n",
                    spec.name() + (run != null ? " from " + run : " (random init, seed 42)"), images, steps, batch, repeats);
            System.out.printf("machine: %d CPUs, %s, java %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"), loadAverage());
            double loupeRate = images / median(loupeSeconds), loupeBest = images / min(loupeSeconds);
            System.out.printf("loupe   backend %-10s %8.2f attributions/s [%.2f]  (%.3f s per call; max |IG delta| %.2e)  device: %s%n",
                    backend.name(), loupeRate, loupeBest, median(loupeSeconds), worstDelta, backend.device());
            double bestPeer = 0, bestPeerBest = 0;
            for (int q = 0; q < peers.size(); q++) {
                String info = peers.get(q).finish();
                double rate = images / median(peerSeconds[q]), best = images / min(peerSeconds[q]);
                bestPeer = Math.max(bestPeer, rate);
                bestPeerBest = Math.max(bestPeerBest, best);
                System.out.printf("pytorch %s threads %-3d %8.2f attributions/s [%.2f]  (%.3f s per call; max |attr diff vs Loupe| %.2e of max %.2e; logits diff %.1e)%s%n",
                        text(info, "torch"), (int) number(info, "threads"), rate, best, median(peerSeconds[q]),
                        number(info, "max_attr_diff"), number(info, "max_attr"), number(info, "max_logit_diff"),
                        peers.get(q).threads == 0 ? "  [torch default threads]" : "  [threads = JVM cores]");
            }
            if (!peers.isEmpty()) {
                System.out.printf("loupe / best pytorch = %.2fx (medians; best calls: %.2fx)%n", loupeRate / bestPeer, loupeBest / bestPeerBest);
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    /** One {@code ig_peer.py --serve} process: "run" times one IG call, "quit" returns its final JSON line. */
    private static final class PeerProcess {
        final int threads;
        private final Process proc;
        private final java.io.BufferedReader out;
        private final java.io.PrintWriter in;

        private PeerProcess(int threads, Process proc) {
            this.threads = threads;
            this.proc = proc;
            this.out = proc.inputReader(StandardCharsets.UTF_8);
            this.in = new java.io.PrintWriter(proc.outputWriter(StandardCharsets.UTF_8), true);
        }

        /** Starts the peer and waits for its ready line; null (with the reason printed) when it cannot run. */
        static PeerProcess start(String python, String script, Path dir, int steps, int batch, int threads) throws IOException {
            if (!Files.isRegularFile(Path.of(script))) {
                System.out.println("pytorch peer skipped: script " + script + " not found (run from the repository root or pass --script)");
                return null;
            }
            List<String> cmd = List.of(python, script, "--dir", dir.toString(), "--steps", "" + steps,
                    "--batch", "" + batch, "--threads", "" + threads, "--serve");
            PeerProcess p = new PeerProcess(threads, new ProcessBuilder(cmd).redirectErrorStream(true).start());
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = p.out.readLine()) != null) {
                if (line.contains("\"ready\": true")) return p;
                if (line.contains("\"skipped\"")) {
                    System.out.println("pytorch peer skipped: " + text(line, "skipped"));
                    p.proc.destroy();
                    return null;
                }
                seen.append(line).append('\n');
            }
            System.out.println("pytorch peer failed: " + seen.toString().trim());
            p.proc.destroy();
            return null;
        }

        double run() throws IOException {
            in.println("run");
            String line = out.readLine();
            if (line == null || !line.contains("seconds")) throw new IOException("pytorch peer stopped: " + line);
            return number(line, "seconds");
        }

        String finish() throws IOException, InterruptedException {
            in.println("quit");
            String line = out.readLine();
            if (!proc.waitFor(1, TimeUnit.MINUTES)) proc.destroy();
            return line == null ? "{}" : line;
        }
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
