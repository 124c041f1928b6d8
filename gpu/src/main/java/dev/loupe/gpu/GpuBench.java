package dev.loupe.gpu;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.Buf;
import dev.loupe.engine.nn.CapturedOps;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Training throughput of Loupe's cuda backend beside PyTorch eager on the same GPU, in one run:
 * the benchmark MLP (batch 256) and CNN (batch 128), and a GEMM-bound MLP (4096 wide, batch 4096)
 * whose step time is also compared with its GEMMs alone. Same models, batch sizes, plain SGD
 * (lr 0.01) and FP32 on both sides; each step uploads the batch and reads the loss back.
 *
 * <p>Usage: {@code GpuBench [--backend cuda] [--out DIR] [--seconds S] [--windows K] [--python EXE]
 * [--peer torch|none] [--workloads statscheck,probe,mlp,cnn,mlp4096] [--modes graph,device,host] [--probe-reps N]}. What could fool it: a window stops only after
 * the device is synchronized; both sides read the loss every step (a sync point), so neither
 * gets to queue ahead.
 */
public final class GpuBench {
    private GpuBench() {}

    /** One benchmark model. */
    record Workload(String name, ModelSpec spec, int batch, int features) {}

    static List<Workload> workloads() {
        Activation relu = Activation.RELU;
        List<LayerSpec> wide = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            wide.add(new LayerSpec.Dense(4096));
            wide.add(new LayerSpec.Act(relu, 0f));
        }
        wide.add(new LayerSpec.Dense(10));
        return List.of(
                new Workload("mlp", Models.mlp(new int[] {784}, 10), 256, 784),
                new Workload("cnn", Models.cnn(new int[] {28, 28, 1}, 10), 128, 784),
                new Workload("mlp4096", new ModelSpec("mlp4096", new int[] {4096}, wide, ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY),
                        4096, 4096));
    }

    /**
     * How a step gets its batch and issues its work: {@code GRAPH} keeps the batches on the device
     * and launches forward, loss, backward and update as one recorded CUDA graph
     * ({@link CapturedOps}); {@code DEVICE} keeps the batches on the device and launches op by
     * op; {@code HOST} uploads each batch and launches op by op.
     */
    enum Mode {
        GRAPH("device, graph", true, true), DEVICE("device", true, false), HOST("host", false, false);

        final String label;
        final boolean resident, graph;

        Mode(String label, boolean resident, boolean graph) {
            this.label = label;
            this.resident = resident;
            this.graph = graph;
        }
    }

    /** Trains {@code w} on four fixed random batches in turn; see {@link #timeLoupe} and {@link #graphDifference}. */
    static final class Trainee implements AutoCloseable {
        final Network net;
        private final Backend b;
        private final Workload w;
        private final Mode mode;
        private final float[][] xs, ys;
        private final Buf[] dx = new Buf[4], dy = new Buf[4];
        private final Runnable ops;
        /** The ops as a recorded graph in {@link Mode#GRAPH}, else null. */
        private final CapturedOps gradientsAndUpdate;
        private long step;

        Trainee(Backend b, Workload w, Mode mode) {
            this.b = b;
            this.w = w;
            this.mode = mode;
            SplittableRandom rnd = new SplittableRandom(42);
            xs = new float[4][w.batch() * w.features()];
            ys = new float[4][w.batch()];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < xs[i].length; j++) xs[i][j] = (float) rnd.nextDouble();
                for (int j = 0; j < ys[i].length; j++) ys[i][j] = rnd.nextInt(10);
            }
            net = new Network(b, w.spec(), w.batch(), 42);
            // resident: the four batches live on the device and each step copies one into the
            // input (device to device), as a dataset kept on the device would; else each step uploads it
            if (mode.resident) {
                for (int i = 0; i < 4; i++) {
                    dx[i] = b.alloc(xs[i].length);
                    dy[i] = b.alloc(ys[i].length);
                    b.upload(xs[i], 0, dx[i], 0, xs[i].length);
                    b.upload(ys[i], 0, dy[i], 0, ys[i].length);
                }
            }
            Updater sgd = new Updater(net, new Optimizer.Sgd(0f, false, 0f));
            // the models have no dropout, so the step number the forward pass takes changes nothing
            Runnable ops = () -> {
                net.computeGradients(w.batch(), 0);
                sgd.step(0.01f);
            };
            this.ops = ops;
            gradientsAndUpdate = mode.graph ? new CapturedOps(b, ops) : null;
        }

        /** One training step; returns its loss (read back: a sync point, like {@code loss.item()}). */
        float step() {
            int i = (int) (step % 4);
            if (mode.resident) {
                b.copy(xs[i].length, dx[i], net.input());
                b.copy(ys[i].length, dy[i], net.target());
            } else {
                net.setInput(xs[i], w.batch());
                net.setTarget(ys[i], w.batch());
            }
            if (gradientsAndUpdate != null) gradientsAndUpdate.run();
            else ops.run();
            float loss = net.readLoss();
            if (!Float.isFinite(loss)) throw new IllegalStateException(w.name() + ": loss " + loss + " at step " + step);
            step++;
            return loss;
        }

        @Override
        public void close() {
            if (gradientsAndUpdate != null) gradientsAndUpdate.close();
            net.close();
        }
    }

    /** Samples per second of each timed window. */
    static double[] timeLoupe(Backend b, Workload w, Mode mode, double warmup, int windows, double seconds) {
        try (Trainee t = new Trainee(b, w, mode)) {
            Runnable one = t::step;
            window(b, one, warmup, w.batch());
            double[] rates = new double[windows];
            for (int k = 0; k < windows; k++) rates[k] = window(b, one, seconds, w.batch());
            return rates;
        }
    }

    /**
     * The largest difference between the parameters after {@code steps} steps launched as a graph
     * and after the same steps launched op by op, and between their losses: 0 when the recording
     * replays exactly the eager work (same kernels, arguments and order).
     */
    static double graphDifference(Backend b, Workload w, int steps) {
        try (Trainee graph = new Trainee(b, w, Mode.GRAPH); Trainee eager = new Trainee(b, w, Mode.DEVICE)) {
            double worst = 0;
            for (int s = 0; s < steps; s++) worst = Math.max(worst, Math.abs(graph.step() - eager.step()));
            float[] p = graph.net.getParams(), q = eager.net.getParams();
            for (int i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - q[i]));
            return worst;
        }
    }

    private static double window(Backend b, Runnable step, double seconds, int batch) {
        long t0 = System.nanoTime(), steps = 0;
        do {
            step.run();
            steps++;
        } while ((System.nanoTime() - t0) / 1e9 < seconds);
        b.synchronize();
        return steps * batch / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * Seconds per step of only the GEMMs a dense stack issues (forward, weight gradient, input
     * gradient but for the first layer), on buffers of the same shapes.
     */
    static double gemmFloor(Backend b, int batch, int[] widths, int reps) {
        List<Buf> bufs = new ArrayList<>();
        List<Runnable> gemms = new ArrayList<>();
        for (int l = 0; l + 1 < widths.length; l++) {
            int in = widths[l], out = widths[l + 1];
            Buf x = b.alloc((long) batch * in), w = b.alloc((long) in * out), y = b.alloc((long) batch * out);
            Buf dw = b.alloc((long) in * out), dx = b.alloc((long) batch * in);
            bufs.addAll(List.of(x, w, y, dw, dx));
            boolean first = l == 0;
            gemms.add(() -> b.gemm(false, false, batch, out, in, 1f, x, w, 0f, y));
            gemms.add(() -> b.gemm(true, false, in, out, batch, 1f, x, y, 0f, dw));
            if (!first) gemms.add(() -> b.gemm(false, true, batch, in, out, 1f, y, w, 0f, dx));
        }
        gemms.forEach(Runnable::run);  // warm-up (cuBLAS picks its kernels)
        b.synchronize();
        long t0 = System.nanoTime();
        for (int r = 0; r < reps; r++) gemms.forEach(Runnable::run);
        b.synchronize();
        return (System.nanoTime() - t0) / 1e9 / reps;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Runs the PyTorch peer; its JSON line, or a JSON object with an "error" on failure. */
    static String torchPeer(String python, Workload w, boolean resident, double warmup, int windows, double seconds, Path tmp)
            throws IOException {
        Path script = tmp.resolve("torch_gpu_peer.py");
        try (InputStream in = GpuBench.class.getResourceAsStream("peer/torch_gpu_peer.py")) {
            Files.write(script, in.readAllBytes());
        }
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--model", w.name(), "--batch",
                String.valueOf(w.batch()), "--warmup", String.valueOf(warmup), "--windows", String.valueOf(windows),
                "--seconds", String.valueOf(seconds)));
        if (resident) cmd.add("--resident");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor(10, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String last = out.strip().lines().reduce((a, c) -> c).orElse("");
        if (p.exitValue() == 0 && last.startsWith("{")) return last;
        return "{\"error\": " + quote(out.strip().lines().reduce((a, c) -> c).orElse("no output")) + "}";
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** The windows' samples/s from the peer's JSON ("samples_per_s": [..]); empty on error. */
    static double[] peerRates(String json) {
        int i = json.indexOf("\"samples_per_s\": [");
        if (i < 0) return new double[0];
        int j = json.indexOf(']', i);
        return Arrays.stream(json.substring(i + 18, j).split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .mapToDouble(Double::parseDouble).toArray();
    }

    /** The histogram bins {@link #statsOf} asks for on tensor {@code k}: none, 30, one, or 2,049 (over shared memory). */
    static int statsBins(int k) {
        return switch (k % 8) {
            case 1, 4 -> 30;
            case 6 -> 1;
            case 7 -> k % 16 == 7 ? 2_049 : 0;
            default -> 0;
        };
    }

    /**
     * Statistics (and histograms, see {@link #statsBins}) of {@code sizes} tensors (every 7th
     * holding ±Inf and NaN), one call each after all uploads, as a recorder makes them, then one
     * download of every output; with {@code chain}, each call is followed by the statistics of the
     * previous output, which reads an output still pending.
     */
    static float[] statsOf(Backend b, int[] sizes, boolean chain) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
        long[] at = new long[sizes.length + 1];
        for (int k = 0; k < sizes.length; k++) at[k + 1] = at[k] + dev.loupe.engine.TensorStats.length(statsBins(k));
        Buf out = b.alloc(at[sizes.length]);
        Buf[] bufs = new Buf[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
            float[] x = new float[sizes[k]];
            for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * (1 + k) + (i % 5 == 0 ? 0 : k));
            if (k % 7 == 3 && x.length > 2) {
                x[0] = Float.POSITIVE_INFINITY;
                x[1] = Float.NaN;
            }
            bufs[k] = b.alloc(Math.max(1, x.length));
            b.upload(x, 0, bufs[k], 0, x.length);
        }
        for (int k = 0; k < sizes.length; k++) {
            Buf o = out.slice(at[k], at[k + 1] - at[k]);
            b.stats(sizes[k], statsBins(k), bufs[k], o);
            if (chain && k > 0) {
                Buf prev = out.slice(at[k - 1], at[k] - at[k - 1]);
                b.stats(prev.length(), statsBins(k), prev, o);
            }
        }
        float[] host = new float[(int) at[sizes.length]];
        b.download(out, 0, host, 0, host.length);
        return host;
    }

    /** {@code count} tensor sizes cycling through 0, 1, 255, 4,099, {@code largest}/2+1 and {@code largest}. */
    static int[] statsSizes(int count, int largest) {
        int[] sizes = new int[count];
        for (int k = 0; k < count; k++) sizes[k] = switch (k % 6) {
            case 0 -> 0;
            case 1 -> 1;
            case 2 -> 255;
            case 3 -> 4_099;
            case 4 -> largest / 2 + 1;
            default -> largest;
        };
        return sizes;
    }

    /**
     * Whether the cuda backend's batched statistics and histograms are bitwise what per-tensor
     * launches give, on this device: 60 tensors (more than one batch), with and without calls that read a
     * pending header. Returns the number of differing output floats.
     */
    static long statsBatchDifferences(String backend) {
        return statsBatchDifferences(() -> Backends.open(backend), statsSizes(60, 300_000));
    }

    /** As {@link #statsBatchDifferences(String)}, with backends from {@code open} and tensors of {@code sizes}. */
    static long statsBatchDifferences(java.util.function.Supplier<Backend> open, int[] sizes) {
        long bad = 0;
        for (boolean chain : new boolean[] {false, true}) {
            float[] batched, single;
            try (Backend b = open.get()) {
                batched = statsOf(b, sizes, chain);
            }
            System.setProperty("loupe.cuda.batchStats", "false");
            try (Backend b = open.get()) {
                single = statsOf(b, sizes, chain);
            } finally {
                System.clearProperty("loupe.cuda.batchStats");
            }
            for (int i = 0; i < single.length; i++) if (Float.floatToRawIntBits(single[i]) != Float.floatToRawIntBits(batched[i])) bad++;
        }
        return bad;
    }

    /**
     * Fixed costs of the backend, each the mean over many calls: a small kernel launch, a one-float
     * download (a full round trip to the device), an upload of one MLP batch, a small GEMM.
     */
    static List<String> probe(Backend b, int reps) {
        List<String> lines = new ArrayList<>();
        Buf small = b.alloc(1024), x = b.alloc(256 * 784), x2 = b.alloc(256 * 784), w = b.alloc(784 * 512), y = b.alloc(256 * 512);
        float[] host = new float[256 * 784], one = new float[1];
        lines.add(String.format(Locale.ROOT, "launch (fill of 1,024 floats): %.2f µs", perCall(b, 10 * reps, () -> b.fill(1024, 1f, small))));
        lines.add(String.format(Locale.ROOT, "download of one float (round trip): %.2f µs",
                perCall(b, reps, () -> b.download(small, 0, one, 0, 1))));
        double up = perCall(b, Math.max(1, reps / 4), () -> b.upload(host, 0, x, 0, host.length));
        lines.add(String.format(Locale.ROOT, "upload of 256×784 floats: %.2f µs (%.1f GB/s)", up, host.length * 4 / up / 1e3));
        lines.add(String.format(Locale.ROOT, "copy on the device of 256×784 floats: %.2f µs", perCall(b, reps, () -> b.copy(host.length, x, x2))));
        lines.add(String.format(Locale.ROOT, "gemm 256×512×784: %.2f µs",
                perCall(b, reps, () -> b.gemm(false, false, 256, 512, 784, 1f, x, w, 0f, y))));
        return lines;
    }

    private static double perCall(Backend b, int n, Runnable r) {
        for (int i = 0; i < Math.min(n, 20); i++) r.run();
        b.synchronize();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) r.run();
        b.synchronize();
        return (System.nanoTime() - t0) / 1e3 / n;
    }

    public static void main(String[] args) throws IOException {
        String backend = "cuda", python = "python3", peer = "torch", only = "mlp,cnn,mlp4096", data = "graph,device";
        Path out = Path.of("gpu-bench");
        double seconds = 2, warmup = 3;
        int windows = 5, probeReps = 2_000;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--backend" -> backend = args[i + 1];
                case "--out" -> out = Path.of(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--warmup" -> warmup = Double.parseDouble(args[i + 1]);
                case "--windows" -> windows = Integer.parseInt(args[i + 1]);
                case "--python" -> python = args[i + 1];
                case "--peer" -> peer = args[i + 1];
                case "--workloads" -> only = args[i + 1];
                case "--modes" -> data = args[i + 1];
                case "--probe-reps" -> probeReps = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        List<String> md = new ArrayList<>(), after = new ArrayList<>();
        List<String> wanted = List.of(only.split(","));
        List<Mode> modes = new ArrayList<>();
        for (String m : data.split(",")) {
            modes.add(switch (m) {
                case "graph" -> Mode.GRAPH;
                case "device" -> Mode.DEVICE;
                case "host" -> Mode.HOST;
                default -> throw new IllegalArgumentException("--modes takes graph, device and host, not " + m);
            });
        }
        try (Backend b = Backends.open(backend)) {
            md.add("# Loupe GPU benchmark\n");
            md.add("- backend: " + b.name() + " — " + b.device());
            md.add("- java: " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version"));
            md.add(String.format(Locale.ROOT, "- method: plain SGD lr 0.01, FP32, warm-up %.1f s, %d windows of %.1f s, median samples/s."
                    + " Modes: `device, graph`: batches kept on the GPU, forward/backward/update launched as one recorded CUDA graph;"
                    + " `device`: batches kept on the GPU, op by op; `host`: each batch uploaded, op by op. Torch is eager in every"
                    + " mode (batches on the GPU for the first two, uploaded from pinned memory for `host`); both sides read the"
                    + " loss back every step.%n", warmup, windows, seconds));
            if (wanted.contains("statscheck")) {
                long bad = statsBatchDifferences(backend);
                md.add("- batched statistics and histograms (60 tensors of up to 300,000 floats, with and without chained"
                        + " calls) against per-tensor launches: " + (bad == 0 ? "bitwise equal" : bad + " output floats differ"));
                System.out.println(md.getLast());
            }
            if (wanted.contains("probe")) {
                for (String line : probe(b, probeReps)) {
                    md.add("- " + line);
                    System.out.println(line);
                }
                md.add("");
            }
            md.add("| workload | batch | mode | loupe samples/s | torch samples/s | loupe / torch | torch |");
            md.add("|---|---|---|---|---|---|---|");
            for (Workload w : workloads()) {
                if (!wanted.contains(w.name())) continue;
                java.util.Map<Boolean, double[]> peerByResidency = new java.util.HashMap<>();
                java.util.Map<Boolean, String> peerJson = new java.util.HashMap<>();
                for (Mode mode : modes) {
                    double loupe;
                    try {
                        loupe = median(timeLoupe(b, w, mode, warmup, windows, seconds));
                    } catch (RuntimeException e) {  // one failed mode must not hide the others' figures
                        md.add(String.format(Locale.ROOT, "| %s | %d | %s | failed: %s | | | |", w.name(), w.batch(), mode.label,
                                String.valueOf(e).replace("|", "/")));
                        System.out.println(md.getLast());
                        e.printStackTrace();
                        continue;
                    }
                    if (!peerJson.containsKey(mode.resident)) {
                        String json = peer.equals("torch") ? torchPeer(python, w, mode.resident, warmup, windows, seconds, out)
                                : "{\"error\": \"peer not run\"}";
                        peerJson.put(mode.resident, json);
                        peerByResidency.put(mode.resident, peerRates(json));
                    }
                    double[] pr = peerByResidency.get(mode.resident);
                    double torch = pr.length == 0 ? Double.NaN : median(pr);
                    md.add(String.format(Locale.ROOT, "| %s | %d | %s | %.0f | %.0f | %.2f | %s |", w.name(), w.batch(),
                            mode.label, loupe, torch, loupe / torch, peerJson.get(mode.resident).replace("|", "/")));
                    System.out.println(md.getLast());
                    if (w.name().equals("mlp4096")) {
                        double floor = gemmFloor(b, w.batch(), new int[] {4096, 4096, 4096, 4096, 10}, 10);
                        double step = w.batch() / loupe;
                        after.add(String.format(Locale.ROOT, "- %s (%s): step %.2f ms, its GEMMs alone %.2f ms: GEMM share %.1f%% (bar: ≥ 70%%)",
                                w.name(), mode.label, step * 1e3, floor * 1e3, 100 * floor / step));
                        System.out.println(after.getLast());
                    }
                }
                if (modes.contains(Mode.GRAPH)) {
                    double diff;
                    try {
                        diff = graphDifference(b, w, 20);
                    } catch (RuntimeException e) {
                        after.add("- " + w.name() + ": graph against op-by-op check failed: " + e);
                        e.printStackTrace();
                        continue;
                    }
                    after.add(String.format(Locale.ROOT, "- %s: after 20 steps launched as a graph and 20 launched op by op, the largest"
                            + " difference in loss or parameters is %s", w.name(), diff == 0 ? "0 (bitwise equal)" : String.valueOf(diff)));
                    System.out.println(after.getLast());
                }
            }
        }
        if (!after.isEmpty()) {
            md.add("");
            md.addAll(after);
        }
        Files.write(out.resolve("results.md"), md);
        System.out.println("wrote " + out.resolve("results.md"));
    }
}
