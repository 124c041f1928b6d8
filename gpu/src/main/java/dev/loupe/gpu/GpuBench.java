package dev.loupe.gpu;

import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.Buf;
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
 * [--peer torch|none] [--workloads mlp,cnn,mlp4096]}. What could fool it: a window stops only after
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

    /** Samples per second of each timed window. */
    static double[] timeLoupe(Backend b, Workload w, double warmup, int windows, double seconds) {
        SplittableRandom rnd = new SplittableRandom(42);
        float[][] xs = new float[4][w.batch() * w.features()], ys = new float[4][w.batch()];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < xs[i].length; j++) xs[i][j] = (float) rnd.nextDouble();
            for (int j = 0; j < ys[i].length; j++) ys[i][j] = rnd.nextInt(10);
        }
        try (Network net = new Network(b, w.spec(), w.batch(), 42)) {
            Updater sgd = new Updater(net, new Optimizer.Sgd(0f, false, 0f));
            long[] step = {0};
            Runnable one = () -> {
                int i = (int) (step[0] % 4);
                net.setInput(xs[i], w.batch());
                net.setTarget(ys[i], w.batch());
                net.computeGradients(w.batch(), step[0]);
                sgd.step(0.01f);
                float loss = net.readLoss();  // sync point, like loss.item()
                if (!Float.isFinite(loss)) throw new IllegalStateException(w.name() + ": loss " + loss + " at step " + step[0]);
                step[0]++;
            };
            window(b, one, warmup, w.batch());
            double[] rates = new double[windows];
            for (int k = 0; k < windows; k++) rates[k] = window(b, one, seconds, w.batch());
            return rates;
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
    static String torchPeer(String python, Workload w, double warmup, int windows, double seconds, Path tmp) throws IOException {
        Path script = tmp.resolve("torch_gpu_peer.py");
        try (InputStream in = GpuBench.class.getResourceAsStream("peer/torch_gpu_peer.py")) {
            Files.write(script, in.readAllBytes());
        }
        Process p = new ProcessBuilder(python, script.toString(), "--model", w.name(), "--batch", String.valueOf(w.batch()),
                "--warmup", String.valueOf(warmup), "--windows", String.valueOf(windows), "--seconds", String.valueOf(seconds))
                .redirectErrorStream(true).start();
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

    public static void main(String[] args) throws IOException {
        String backend = "cuda", python = "python3", peer = "torch", only = "mlp,cnn,mlp4096";
        Path out = Path.of("gpu-bench");
        double seconds = 2, warmup = 3;
        int windows = 5;
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
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(out);
        List<String> md = new ArrayList<>();
        List<String> wanted = List.of(only.split(","));
        try (Backend b = Backends.open(backend)) {
            md.add("# Loupe GPU benchmark\n");
            md.add("- backend: " + b.name() + " — " + b.device());
            md.add("- java: " + System.getProperty("java.vm.vendor") + " " + System.getProperty("java.version"));
            md.add(String.format(Locale.ROOT, "- method: plain SGD lr 0.01, FP32, warm-up %.1f s, %d windows of %.1f s, median samples/s%n", warmup, windows, seconds));
            md.add("| workload | batch | loupe samples/s | torch samples/s | loupe / torch | torch |");
            md.add("|---|---|---|---|---|---|");
            for (Workload w : workloads()) {
                if (!wanted.contains(w.name())) continue;
                double loupe = median(timeLoupe(b, w, warmup, windows, seconds));
                String json = peer.equals("torch") ? torchPeer(python, w, warmup, windows, seconds, out) : "{\"error\": \"peer not run\"}";
                double[] pr = peerRates(json);
                double torch = pr.length == 0 ? Double.NaN : median(pr);
                md.add(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.2f | %s |", w.name(), w.batch(), loupe, torch,
                        loupe / torch, json.replace("|", "/")));
                System.out.println(md.getLast());
                if (w.name().equals("mlp4096")) {
                    double floor = gemmFloor(b, w.batch(), new int[] {4096, 4096, 4096, 4096, 10}, 10);
                    double step = w.batch() / loupe;
                    md.add(String.format(Locale.ROOT, "%n%s: step %.2f ms, its GEMMs alone %.2f ms: GEMM share %.1f%% (bar: ≥ 70%%)%n",
                            w.name(), step * 1e3, floor * 1e3, 100 * floor / step));
                    System.out.println(md.getLast());
                }
            }
        }
        Files.write(out.resolve("results.md"), md);
        System.out.println("wrote " + out.resolve("results.md"));
    }
}
