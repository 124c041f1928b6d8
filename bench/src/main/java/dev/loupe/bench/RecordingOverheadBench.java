package dev.loupe.bench;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.FashionMnist;
import dev.loupe.engine.Buf;
import dev.loupe.engine.StatSegments;
import dev.loupe.engine.TensorStats;
import dev.loupe.engine.Versions;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.LrSchedule;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.record.RecordConfig;
import dev.loupe.engine.record.RecordedTensor;
import dev.loupe.engine.record.Recorder;
import dev.loupe.engine.train.Checkpointer;
import dev.loupe.engine.train.TrainConfig;
import dev.loupe.engine.train.TrainState;
import dev.loupe.engine.train.Trainer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recording overhead on its own: runs {@link RecordingOverheadWorkload} (off / stats / full /
 * full+budget, see there for the method) for the MLP and the CNN on one backend, prints the
 * table, then where recording's time goes: the backend's stats op alone over every recorded
 * tensor, and the optimizer step alone against the step with θ, gradient and Δθ summarized in it.
 * {@code loupe bench} runs the same workload in its suites.
 *
 * <p>Batch sizes are the training benchmark's (MLP 256, CNN 128); {@code --batch N} sets one size
 * for every model, {@code --batch mlp:256,cnn:64} one per model.
 *
 * <p>Usage: {@code RecordingOverheadBench [--backend nd4j] [--models mlp,cnn] [--batch mlp:256,cnn:128]
 * [--cycles 60] [--warmup-cycles 5]}
 */
public final class RecordingOverheadBench {
    private RecordingOverheadBench() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = parse(args);
        String backendName = a.getOrDefault("backend", "nd4j");
        List<String> models = List.of(a.getOrDefault("models", "mlp,cnn").split(","));
        Map<String, Integer> batches = batches(a.getOrDefault("batch", "mlp:256,cnn:128"));
        int cycles = Integer.parseInt(a.getOrDefault("cycles", "60")), warmup = Integer.parseInt(a.getOrDefault("warmup-cycles", "5"));
        System.out.println("# RecordingOverheadBench: backend " + backendName + "; " + Versions.all());
        BenchContext ctx = BenchContext.of(Suite.FULL, List.of(backendName), EnumSet.noneOf(Peer.class),
                Runtime.getRuntime().availableProcessors(), (f, m) -> System.err.printf("[%3.0f%%] %s%n", 100 * f, m));
        List<Row> rows = new ArrayList<>();
        for (String model : models) {
            Arch arch = Arch.valueOf(model.strip().toUpperCase(java.util.Locale.ROOT));
            int batch = batches.getOrDefault(arch.id(), batches.getOrDefault("*", arch.batch()));
            var settings = new RecordingOverheadWorkload.Settings(batch, cycles, warmup, true);
            List<Row> r = new RecordingOverheadWorkload(arch, settings).run(ctx);
            rows.addAll(r);
            double offMs = r.stream().filter(x -> x instanceof Row.Ratio).map(x -> ((Row.Ratio) x).peerValue()).findFirst().orElse(Double.NaN);
            try (Backend backend = Backends.open(backendName)) {
                statsCost(backend, Models.resolve(arch.id(), new int[] {28, 28, 1}, Arch.CLASSES), batch, offMs);
            }
        }
        TrainBench.print(new Report("recording", java.time.Instant.now().toString(), rows, MachineInfo.collect()));
    }

    /**
     * Where recording's time goes: the backend's stats op alone over every recorded tensor of a
     * full batch (synchronized, median of 15), in ms per step and ns per element, beside the
     * budget that 5% of the off step time allows; then the optimizer step alone against the step
     * with θ, gradient and Δθ summarized in it. The network first trains a few steps, so the
     * buffers hold real activations, gradients and updates (fresh buffers are all zero, which
     * would make the histogram pass look free).
     */
    private static void statsCost(Backend b, ModelSpec spec, int batch, double offMs) {
        Network net = new Network(b, spec, batch, 42);
        Updater up = new Updater(net, new Optimizer.Sgd(0.9f, false, 0));
        Dataset data = RecordingOverheadWorkload.slice(FashionMnist.loadEmbedded(), 3 * batch);
        Trainer.fit(net, up, data, new TrainConfig(1, batch, LrSchedule.constant(0.01f), up.optimizer(), 42, 0, 1),
                TrainState.START, List.of(), Checkpointer.NONE);
        List<RecordedTensor> plan = Recorder.plan(net, up);
        Buf out = b.alloc(TensorStats.length(RecordConfig.BINS));
        long elements = 0;
        for (RecordedTensor t : plan) elements += t.length(batch);
        for (int bins : new int[] {0, RecordConfig.BINS}) {
            List<Double> runs = new ArrayList<>();
            for (int r = 0; r < 18; r++) {
                long t0 = System.nanoTime();
                for (RecordedTensor t : plan) b.stats(t.length(batch), bins, t.buf(), out);
                b.synchronize();
                if (r >= 3) runs.add((System.nanoTime() - t0) / 1e6);
            }
            double m = median(runs);
            System.out.printf("#   stats op alone, %d tensors, %d elements, bins %d: %.2f ms/step = %.2f ns/element (5%% of off = %.2f ms)%n",
                    plan.size(), elements, bins, m, m * 1e6 / elements, 0.05 * offMs);
        }
        // the parameter side of statistics-only steps: the optimizer step with θ, gradient and Δθ
        // summarized in it (fused where the backend does so) against the plain step, interleaved
        StatSegments seg = Recorder.segments(net, plan);
        Buf summary = b.alloc(Math.max(1, (long) plan.size() * TensorStats.HEADER));
        List<Double> plain = new ArrayList<>(), with = new ArrayList<>();
        for (int r = 0; r < 18; r++) {
            long t0 = System.nanoTime();
            up.step(1e-6f);
            b.synchronize();
            long t1 = System.nanoTime();
            up.summarizeNextStep(seg, summary);
            up.step(1e-6f);
            b.synchronize();
            long t2 = System.nanoTime();
            if (r >= 3) {
                plain.add((t1 - t0) / 1e6);
                with.add((t2 - t1) / 1e6);
            }
        }
        long params = 0;
        for (long len : seg.length()) params += len;
        System.out.printf("#   optimizer step alone %.3f ms, with the statistics of θ, gradient, Δθ (%d parameters): %.3f ms (+%.3f ms)%n",
                median(plain), params, median(with), median(with) - median(plain));
        net.close();
    }

    /** {@code mlp:256,cnn:128} (per model) or {@code 64} (every model). */
    private static Map<String, Integer> batches(String spec) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String part : spec.split(",")) {
            int colon = part.indexOf(':');
            if (colon < 0) out.put("*", Integer.parseInt(part.strip()));
            else out.put(part.substring(0, colon).strip(), Integer.parseInt(part.substring(colon + 1).strip()));
        }
        return out;
    }

    private static double median(List<Double> xs) {
        double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> out = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --name value, got " + args[i]);
            out.put(args[i].substring(2), args[i + 1]);
        }
        return out;
    }
}
