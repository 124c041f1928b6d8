package dev.loupe.engine.backend.nd4j;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Training throughput of the MLP (batch 256) and CNN (batch 128) on synthetic 28×28×1 data, through
 * {@link Network} + {@link Updater} exactly as the trainer drives them (including the per-step loss
 * and accuracy reads). A development probe, not a benchmark: the {@code bench} module compares peers.
 *
 * <p>Usage: {@code SpeedProbe [BACKEND=nd4j] [mlp|cnn|both] [WINDOWS=5] [SECONDS=2] [--profile]}.
 * Prints samples/s per window and the median; {@code --profile} adds each backend op's CPU time on
 * the calling thread, which with backend {@code nd4j-1thread} is the op's whole cost, independent of load.
 */
public final class SpeedProbe {
    public static void main(String[] args) {
        String backend = args.length > 0 ? args[0] : "nd4j";
        String which = args.length > 1 ? args[1] : "both";
        int windows = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 2;
        boolean profile = Arrays.asList(args).contains("--profile");
        try (Backend real = backend.equals("nd4j-1thread") ? singleThreaded() : Backends.open(backend)) {
            Map<String, long[]> times = new TreeMap<>();
            Backend b = profile ? timed(real, times) : real;
            System.out.println("backend " + real.name() + ": " + real.device());
            int[] shape = {28, 28, 1};
            if (!which.equals("cnn")) run(b, Models.mlp(shape, 10), 256, windows, seconds, times);
            if (!which.equals("mlp")) run(b, Models.cnn(shape, 10), 128, windows, seconds, times);
        }
    }

    /** nd4j on one thread (OpenBLAS included): with --profile its per-op CPU times do not depend on machine load. */
    private static Backend singleThreaded() {
        OpenBlas blas = OpenBlas.get();
        blas.setThreads(1);
        return new Nd4jBackend(blas, 1);
    }

    private static void run(Backend b, ModelSpec spec, int batch, int windows, double seconds, Map<String, long[]> times) {
        Network net = new Network(b, spec, batch, 1);
        Updater up = new Updater(net, new Optimizer.Sgd(0f, false, 0f));
        SplittableRandom rng = new SplittableRandom(7);
        float[] x = new float[batch * net.inputSize()];
        float[] y = new float[batch];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextDouble();
        for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(10);
        long step = 0;
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < warmEnd) step = step(net, up, x, y, batch, step);
        times.clear();
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long bytes0 = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20; i++) step = step(net, up, x, y, batch, step);
        System.out.printf(Locale.ROOT, "  %s: %.0f bytes allocated per step on the training thread%n", spec.name(),
                (threads.getCurrentThreadAllocatedBytes() - bytes0) / 20.0);
        double[] rates = new double[windows];
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        for (int wi = 0; wi < windows; wi++) {
            long t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9), steps = 0, cpu0 = os.getProcessCpuTime();
            while (System.nanoTime() < end) {
                step = step(net, up, x, y, batch, step);
                steps++;
            }
            rates[wi] = steps * batch / ((System.nanoTime() - t0) / 1e9);
            double cpuMs = (os.getProcessCpuTime() - cpu0) / 1e6 / steps;
            // CPU per step includes the workers' spinning; samples/s if this process had the cores to itself
            System.out.printf(Locale.ROOT, "  %s window %d: %.0f samples/s; %.2f ms process CPU per step (= %.0f samples/s"
                    + " on %d idle cores); load average %.1f%n", spec.name(), wi + 1, rates[wi], cpuMs,
                    batch / (cpuMs / 1e3) * Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors(), os.getSystemLoadAverage());
        }
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%s batch %d: median %.0f samples/s (min %.0f, max %.0f, %d windows of %.1f s)%n",
                spec.name(), batch, sorted[windows / 2], sorted[0], sorted[windows - 1], windows, seconds);
        if (!times.isEmpty()) {
            long total = times.values().stream().mapToLong(t -> t[0]).sum();
            times.entrySet().stream().sorted((p, q) -> Long.compare(q.getValue()[0], p.getValue()[0]))
                    .forEach(e -> System.out.printf(Locale.ROOT, "    %-22s %6.1f%%  %8.3f ms/call  %d calls%n", e.getKey(),
                            100.0 * e.getValue()[0] / total, e.getValue()[0] / 1e6 / e.getValue()[1], e.getValue()[1]));
            times.clear();
        }
    }

    private static long step(Network net, Updater up, float[] x, float[] y, int batch, long step) {
        net.setInput(x, batch);
        net.setTarget(y, batch);
        net.computeGradients(batch, step);
        float loss = net.readLoss();
        if (!Float.isFinite(loss)) throw new IllegalStateException("loss " + loss);
        net.countCorrect(batch);
        up.step(0.01f);
        return step + 1;
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** Wraps a backend so every op call adds the calling thread's CPU time (use with nd4j-1thread) to {@code times} (op name, gemm shapes apart). */
    private static Backend timed(Backend real, Map<String, long[]> times) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, a) -> {
                    String key = method.getName();
                    if (key.equals("gemm")) key = "gemm " + ((boolean) a[0] ? "T" : "N") + ((boolean) a[1] ? "T" : "N")
                            + " " + a[2] + "x" + a[3] + "x" + a[4];
                    else if (key.equals("activation") || key.equals("activationBackward")) key += " " + a[0];
                    long t0 = THREADS.getCurrentThreadCpuTime();
                    try {
                        return method.invoke(real, a);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        long[] t = times.computeIfAbsent(key, k -> new long[2]);
                        t[0] += THREADS.getCurrentThreadCpuTime() - t0;
                        t[1]++;
                    }
                });
    }
}
