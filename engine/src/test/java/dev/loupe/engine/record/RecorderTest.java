package dev.loupe.engine.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.tfevents.EventLog;
import dev.loupe.datasets.tfevents.Histogram;
import dev.loupe.datasets.tfevents.TfEventReader;
import dev.loupe.engine.Activation;
import dev.loupe.engine.Backend;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.nn.Layer;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.nn.Param;
import dev.loupe.engine.optim.LrSchedule;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.train.Checkpointer;
import dev.loupe.engine.train.StepEvent;
import dev.loupe.engine.train.TrainConfig;
import dev.loupe.engine.train.TrainListener;
import dev.loupe.engine.train.TrainState;
import dev.loupe.engine.train.Trainer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the recorder writes equals statistics computed in plain Java on the same tensors, downloaded from the net. */
class RecorderTest {
    @TempDir
    Path tmp;

    /** Downloads every tensor after each step (after the recorder ran) and summarizes it on the host. */
    private static final class Oracle implements TrainListener {
        final Map<Long, Map<String, double[]>> stats = new TreeMap<>();
        final Map<Long, Map<String, float[]>> raw = new TreeMap<>();
        final Map<Long, Float> loss = new TreeMap<>();

        @Override
        public void onStep(StepEvent e, Network net, Updater updater) {
            Backend b = net.backend();
            Map<String, double[]> s = new HashMap<>();
            Map<String, float[]> r = new HashMap<>();
            for (Layer l : net.layers()) {
                if (l.type().equals("flatten")) continue;
                float[] act = new float[e.rows() * l.outSize()], grad = new float[act.length];
                b.download(l.output(), 0, act, 0, act.length);
                b.download(l.outputGrad(), 0, grad, 0, grad.length);
                put(s, r, "layer/" + l.name() + "/activation", act);
                put(s, r, "layer/" + l.name() + "/activation_grad", grad);
            }
            float[] theta = net.getParams(), g = net.getGrads(), delta = new float[theta.length];
            b.download(updater.lastUpdate(), 0, delta, 0, delta.length);
            for (Param p : net.params()) {
                String t = "layer/" + p.layer() + "/" + p.name();
                put(s, r, t, slice(theta, p));
                put(s, r, t + "_grad", slice(g, p));
                put(s, r, t + "_update", slice(delta, p));
            }
            stats.put(e.step(), s);
            raw.put(e.step(), r);
            loss.put(e.step(), e.loss());
        }

        private static float[] slice(float[] all, Param p) {
            float[] out = new float[(int) p.size()];
            System.arraycopy(all, (int) p.offset(), out, 0, out.length);
            return out;
        }

        private static void put(Map<String, double[]> s, Map<String, float[]> r, String tag, float[] x) {
            double sum = 0, sq = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            int zeros = 0;
            for (float v : x) {
                sum += v;
                sq += (double) v * v;
                min = Math.min(min, v);
                max = Math.max(max, v);
                if (v == 0) zeros++;
            }
            double mean = sum / x.length;
            double var = 0;
            for (float v : x) var += (v - mean) * (v - mean);
            s.put(tag, new double[] {mean, Math.sqrt(var / x.length), min, max, Math.sqrt(sq), (double) zeros / x.length, 0});
            r.put(tag, x);
        }
    }

    private static Dataset images(long seed, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[n * 36], y = new float[n];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (int i = 0; i < n; i++) y[i] = rng.nextInt(3);
        return new Dataset("noise", "test", new int[] {6, 6, 1}, 3, x, y, x.clone(), y.clone());
    }

    @Test
    void recordedStatisticsEqualStatisticsOfTheDownloadedTensors() {
        try (Backend b = new ReferenceBackend()) {
            recordAndCompare(b, new Optimizer.Sgd(0.9f, false, 0));
        }
    }

    /**
     * On nd4j the parameter-side statistics of steps without histograms come from the optimizer
     * step (fused into its SIMD loop), those of histogram steps from the stats op: both must match.
     */
    @Test
    void nd4jRecordsTheSameStatisticsWithThemFusedIntoTheOptimizerStep() {
        try (Backend b = dev.loupe.engine.backend.nd4j.Nd4jBackend.create()) {
            recordAndCompare(b, new Optimizer.Sgd(0.9f, false, 0));
        }
    }

    /** The same with AdamW, whose update loop carries the statistics on nd4j too. */
    @Test
    void nd4jWithAdamWRecordsTheSameStatistics() {
        try (Backend b = dev.loupe.engine.backend.nd4j.Nd4jBackend.create()) {
            recordAndCompare(b, new Optimizer.Adam(0.9f, 0.999f, 1e-8f, 0.01f, true));
        }
    }

    private void recordAndCompare(Backend b, Optimizer opt) {
        ModelSpec spec = new ModelSpec("small-cnn", new int[] {6, 6, 1}, List.of(new LayerSpec.Conv2d(3, 3, 1, 0),
                new LayerSpec.Act(Activation.RELU, 0), new LayerSpec.MaxPool2d(2, 2), new LayerSpec.Flatten(),
                new LayerSpec.Dense(5), new LayerSpec.Dropout(0.2f), new LayerSpec.Act(Activation.TANH, 0), new LayerSpec.Dense(3)),
                ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
        Oracle oracle = new Oracle();
        Path events = tmp.resolve("events-" + b.name() + "-" + opt.name());
        Network net = new Network(b, spec, 16, 3);
        Updater up = new Updater(net, opt);
        // 40 samples in batches of 16: the third batch of each epoch has 8 rows
        TrainConfig cfg = new TrainConfig(4, 16, LrSchedule.constant(0.1f), up.optimizer(), 5, 0, 1);
        Recorder rec = new Recorder(net, up, new RecordConfig(RecordMode.FULL, 1, 5, 7, 0), events);
        Trainer.fit(net, up, images(1, 40), cfg, TrainState.START, List.of(rec, oracle), Checkpointer.NONE);
        // the last step (11) records statistics without histograms: the activation layers summarized
        // their inputs, outputs and both gradients inside their own ops (fused on nd4j for ReLU)
        for (var l : net.layers()) {
            if (l instanceof dev.loupe.engine.nn.ActivationLayer a) {
                assertTrue(a.summarizedForward(11) && a.summarizedBackward(11), l.name() + " summarized step 11 in its ops");
            }
        }
        TfEventReader.Result read = TfEventReader.readDir(events);
        assertTrue(read.warnings().isEmpty(), read.warnings().toString());
        EventLog log = EventLog.of(read);
        assertEquals(12, oracle.stats.size());
        int compared = 0;
        for (var step : oracle.stats.entrySet()) {
            long s = step.getKey();
            assertEquals(oracle.loss.get(s), log.scalar("train/loss").get(s));
            for (var t : step.getValue().entrySet()) {
                NavigableMap<Long, Float> l2 = log.scalar(t.getKey() + "/l2");
                if (t.getKey().endsWith("activation_grad") && t.getKey().startsWith("layer/conv2d1")) {
                    // conv2d1 is the first layer with parameters; later layers write its output gradient
                    assertTrue(l2.containsKey(s), "conv2d1 activation_grad is recorded");
                }
                if (l2.isEmpty()) {
                    assertTrue(t.getKey().endsWith("activation_grad"), "missing tag " + t.getKey());
                    continue;
                }
                for (int k = 0; k < Recorder.STATS.length; k++) {
                    double want = t.getValue()[k];
                    Float got = log.scalar(t.getKey() + "/" + Recorder.STATS[k]).get(s);
                    assertTrue(got != null, t.getKey() + "/" + Recorder.STATS[k] + " at step " + s);
                    assertEquals(want, got, 1e-5 + 1e-4 * Math.abs(want), t.getKey() + "/" + Recorder.STATS[k] + " at step " + s);
                    compared++;
                }
            }
            for (String p : List.of("layer/conv2d1/W", "layer/conv2d1/b", "layer/dense1/W", "layer/dense2/b")) {
                double ratio = step.getValue().get(p + "_update")[4] / step.getValue().get(p)[4];
                assertEquals(ratio, log.scalar(p + "/update_ratio").get(s), 1e-4 * ratio + 1e-9, p + " update ratio at " + s);
            }
            assertHistogram(log, s, oracle.raw.get(s));
        }
        assertTrue(compared > 12 * 20 * 7, "compared " + compared);
        assertTrue(log.scalar("test/accuracy").size() == 4 && log.scalar("layer/relu1/activation/zero_frac").size() == 12);
    }

    /** Histograms exist on steps 0, 5, 10 (every 5); counts match binning the raw values on [min, max]. */
    private static void assertHistogram(EventLog log, long step, Map<String, float[]> raw) {
        Map<Long, Histogram> h = log.histograms().getOrDefault("layer/dense1/W_grad/hist", new TreeMap<>());
        assertEquals(step % 5 == 0, h.containsKey(step), "histogram at step " + step);
        if (!h.containsKey(step)) return;
        for (String tag : List.of("layer/dense1/W_grad", "layer/relu1/activation", "layer/conv2d1/W")) {
            Histogram got = log.histograms().get(tag + "/hist").get(step);
            float[] x = raw.get(tag);
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (float v : x) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
            double[] want = new double[7];
            for (float v : x) want[(int) Math.min(6, Math.floor((v - lo) / (hi - lo) * 7))]++;
            assertEquals(x.length, got.num(), tag);
            assertEquals(hi, got.max(), 1e-6, tag);
            double diff = 0;
            for (int i = 0; i < 7; i++) diff += Math.abs(want[i] - got.bucket()[i]);
            assertTrue(diff <= 2, tag + " at " + step + ": bins differ by " + diff); // a value on a bin edge may round either way
        }
    }

    @Test
    void statsModeRecordsLayersAtItsIntervalAndNoHistograms() {
        ModelSpec spec = new ModelSpec("mlp", new int[] {4}, List.of(new LayerSpec.Dense(6), new LayerSpec.Act(Activation.RELU, 0),
                new LayerSpec.Dense(3)), ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
        SplittableRandom rng = new SplittableRandom(2);
        float[] x = new float[50 * 4], y = new float[50];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(3);
        Dataset data = new Dataset("g", "test", new int[] {4}, 3, x, y, x.clone(), y.clone());
        Path events = tmp.resolve("stats");
        try (Backend b = new ReferenceBackend()) {
            Network net = new Network(b, spec, 10, 1);
            Updater up = new Updater(net, new Optimizer.Adam(0.9f, 0.999f, 1e-8f, 0, false));
            TrainConfig cfg = new TrainConfig(1, 10, LrSchedule.constant(0.01f), up.optimizer(), 1, 0, 1);
            Recorder rec = new Recorder(net, up, new RecordConfig(RecordMode.STATS, 2, 1, 30, 0), events);
            Trainer.fit(net, up, data, cfg, TrainState.START, List.of(rec), Checkpointer.NONE);
        }
        EventLog log = EventLog.of(TfEventReader.readDir(events));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), List.copyOf(log.scalar("train/loss").keySet()));
        assertEquals(List.of(0L, 2L, 4L), List.copyOf(log.scalar("layer/dense1/W_update/l2").keySet()));
        assertTrue(log.histograms().isEmpty());
    }

    @Test
    void budgetDoublesTheIntervalWhenRecordingIsTooExpensiveAndHalvesItWhenCheap() {
        SamplingBudget sb = new SamplingBudget(new RecordConfig(RecordMode.FULL, 1, 10, 8, 0.05));
        assertTrue(sb.statsDue(1) && sb.histDue(10) && !sb.histDue(5));
        for (int i = 0; i < SamplingBudget.MIN_WINDOW; i++) sb.observe(10, 100); // 10% overhead = 2 × budget
        assertEquals(2, sb.factor());
        assertFalse(sb.statsDue(1));
        assertTrue(sb.statsDue(2) && sb.histDue(20) && !sb.histDue(10));
        for (int i = 0; i < 40; i++) sb.observe(30, 100); // window at f = 2 is 2 × 10 × 2 = 40 steps; 30% = 6 × budget → × 8
        assertEquals(16, sb.factor());
        for (int i = 0; i < 320; i++) sb.observe(1, 100); // 1% < budget / 4
        assertEquals(8, sb.factor());
        assertEquals(0.01, sb.lastOverhead(), 1e-12);
        for (int i = 0; i < 160; i++) sb.observe(3, 100); // 3%: within budget, no change
        assertEquals(8, sb.factor());
        SamplingBudget none = new SamplingBudget(new RecordConfig(RecordMode.STATS, 3, 10, 8, 0));
        for (int i = 0; i < 500; i++) none.observe(1000, 1);
        assertEquals(1, none.factor());
        assertTrue(none.statsDue(3) && !none.statsDue(4) && !none.histDue(10));
    }
}
