package dev.loupe.engine.record;

import dev.loupe.datasets.tfevents.Histogram;
import dev.loupe.datasets.tfevents.ScalarBlock;
import dev.loupe.datasets.tfevents.ScalarTags;
import dev.loupe.datasets.tfevents.SummaryValue;
import dev.loupe.datasets.tfevents.TfEvent;
import dev.loupe.datasets.tfevents.TfEventWriter;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.StatSegments;
import dev.loupe.engine.TensorStats;
import dev.loupe.engine.nn.ActivationLayer;
import dev.loupe.engine.nn.FlattenLayer;
import dev.loupe.engine.nn.Layer;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.nn.Param;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.train.EpochEvent;
import dev.loupe.engine.train.StepEvent;
import dev.loupe.engine.train.TrainListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Records what every layer does while a network trains, as TensorBoard events under
 * {@code RUN/events/}. For each layer: its output ({@code activation}), the loss gradient with
 * respect to it ({@code activation_grad}), and for each parameter {@code p}: {@code p},
 * {@code p_grad}, {@code p_update} (Δθ of the step) and {@code p/update_ratio} = ‖Δθ‖/‖θ‖ (θ after
 * the update). Every tensor is summarized by one fused {@link Backend#stats} op into a slot of a
 * preallocated device buffer; the whole buffer crosses to the host in one download. The
 * parameter-side tensors (θ, gradient, Δθ) are instead summarized by the optimizer step itself
 * ({@link Updater#summarizeNextStep}, armed one step ahead), which a backend may fuse into its
 * update loop, and the input and output (and their gradients) of each activation layer by that
 * layer's own ops ({@link ActivationLayer#summarizeAt}); on histogram steps those tensors then
 * only need their bins ({@link Backend#histogram}). Every other tensor gets one op. One
 * statistics step in 32 runs unfused, as the baseline of the fused cost's estimate.
 *
 * <p>The download is one step late: the stats of step t are enqueued right after step t (the
 * buffers change with the next step) and read at step t+1, after the trainer's own loss read has
 * synchronized, so on an asynchronous backend the read finds finished work and does not stall; it
 * happens before step t+1's stats are enqueued, but after step t+1's optimizer step, which may
 * already write its parameter summaries: so there are two summary buffers, used by even and odd
 * steps. Step t's event is therefore made during step t+1 (or at the epoch end, or on close), and
 * handed to the event file's background thread ({@link TfEventWriter#inBackground}), which encodes
 * and writes it while training goes on.
 *
 * <p>Tags: {@code layer/<name>/<tensor>/{mean,std,min,max,l2,zero_frac,nonfinite}},
 * {@code layer/<name>/<tensor>/hist}, {@code layer/<name>/<param>/update_ratio},
 * {@code train/{loss,accuracy,lr}}, {@code perf/{step_ms,examples_per_sec,record_ms,record_factor}}
 * and per epoch {@code test/{loss,accuracy}}, {@code epoch/{train_loss,train_accuracy,seconds}}.
 * Flatten layers are skipped (their buffers are the previous layer's); a layer's
 * {@code activation_grad} is skipped when no backward pass writes it (no parameters at or before it).
 */
public final class Recorder implements TrainListener, AutoCloseable {
    /** Statistic names in {@link TensorStats} header order, from {@code MEAN}. */
    static final String[] STATS = {"mean", "std", "min", "max", "l2", "zero_frac", "nonfinite"};
    /** Steps between unfused statistics steps (the baseline of {@link #totalFusedNanos}). */
    private static final int PLAIN_EVERY = 32;
    private static final int[] STAT_INDEX = {TensorStats.MEAN, TensorStats.STD, TensorStats.MIN, TensorStats.MAX,
            TensorStats.L2, TensorStats.ZERO_FRAC, TensorStats.NON_FINITE};

    private final Backend backend;
    private final RecordConfig cfg;
    private final boolean classify;
    private final List<RecordedTensor> tensors;
    private final String[][] tags;
    /**
     * The per-tensor scalars of a statistics step, in the order {@link #summaries} fills them:
     * each tensor's {@link #STATS}, then its {@code update_ratio} where it is an update. Encoded
     * from a template by the event file's thread.
     */
    private final ScalarTags statTags;
    private final SamplingBudget sampling;
    private final TfEventWriter writer;
    private final Buf[] summary;
    /** The parameter segments with their slots in a summary without bins, and with {@code cfg.bins()} bins. */
    private final StatSegments paramSegments, paramSegmentsHist;
    private final Updater updater;
    private long armedStep = -1;
    /** Activation layers that can summarize their tensors inside their own ops, with their slots. */
    private final List<ActivationLayer> actLayers = new ArrayList<>();
    /** Per entry of {@link #actLayers}: tensor indices {input, output, output grad, input grad}, -1 if not recorded. */
    private final List<int[]> actSlots = new ArrayList<>();
    /** Slices of each summary buffer per tensor, at the stride of steps without and with histograms. */
    private final Buf[][] headerSlots, histSlots;
    /** Tensors summarized inside this step's ops (scratch of {@link #onStep}). */
    private final boolean[] done;
    private final float[] host;
    private Pending pending;
    private long lastRecordNanos;
    private long totalRecordNanos;
    private long totalFusedNanos;
    private long plainStepNanos, plainSteps, summarizedStepNanos, summarizedSteps;

    /** What was enqueued for a step and is written once its summary is read. */
    private record Pending(StepEvent step, boolean stats, boolean hist, Buf summary) {}

    /** Records {@code net} trained by {@code updater} into {@code eventsDir} (a fresh event file). */
    public Recorder(Network net, Updater updater, RecordConfig cfg, Path eventsDir) {
        if (cfg.mode() == RecordMode.OFF) throw new IllegalArgumentException("no recorder is needed with --record off");
        this.backend = net.backend();
        this.cfg = cfg;
        this.classify = net.spec().loss() != ModelSpec.Loss.MSE;
        this.tensors = plan(net, updater);
        this.tags = new String[tensors.size()][STATS.length];
        for (int i = 0; i < tensors.size(); i++) {
            for (int s = 0; s < STATS.length; s++) tags[i][s] = tensors.get(i).tag() + "/" + STATS[s];
        }
        List<String> block = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            block.addAll(List.of(tags[i]));
            RecordedTensor t = tensors.get(i);
            if (t.param() >= 0) block.add(tensors.get(t.param()).tag() + "/update_ratio");
        }
        this.statTags = new ScalarTags(block);
        this.sampling = new SamplingBudget(cfg);
        long floats = (long) tensors.size() * TensorStats.length(cfg.bins());
        this.summary = new Buf[] {backend.alloc(Math.max(1, floats)), backend.alloc(Math.max(1, floats))};
        this.paramSegments = segments(net, tensors);
        this.paramSegmentsHist = segments(net, tensors, TensorStats.length(cfg.bins()));
        this.updater = updater;
        for (Layer l : net.layers()) {
            if (!(l instanceof ActivationLayer a)) continue;
            int[] slots = {find(a.input(), "activation"), find(a.output(), "activation"), find(a.outputGrad(), "activation_grad"),
                    find(a.inputGrad(), "activation_grad")};
            if ((slots[0] >= 0 && slots[1] >= 0) || (slots[2] >= 0 && slots[3] >= 0)) {
                actLayers.add(a);
                actSlots.add(slots);
            }
        }
        this.headerSlots = new Buf[2][tensors.size()];
        this.histSlots = new Buf[2][tensors.size()];
        int histStride = TensorStats.length(cfg.bins());
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < tensors.size(); i++) {
                headerSlots[s][i] = summary[s].slice((long) i * TensorStats.HEADER, TensorStats.HEADER);
                histSlots[s][i] = summary[s].slice((long) i * histStride, histStride);
            }
        }
        this.done = new boolean[tensors.size()];
        this.host = new float[(int) Math.max(1, floats)];
        this.writer = TfEventWriter.inBackground(eventsDir);
    }

    /** The tensors recorded, in slot order of the summary buffer. */
    public static List<RecordedTensor> plan(Network net, Updater updater) {
        List<RecordedTensor> out = new ArrayList<>();
        boolean gradWritten = false;
        for (Layer l : net.layers()) {
            gradWritten |= !l.params().isEmpty();
            if (l instanceof FlattenLayer) continue;
            out.add(new RecordedTensor(l.name(), "activation", l.output(), l.outSize(), true, -1));
            if (gradWritten) out.add(new RecordedTensor(l.name(), "activation_grad", l.outputGrad(), l.outSize(), true, -1));
            for (Param p : l.params()) {
                int value = out.size();
                out.add(new RecordedTensor(l.name(), p.name(), p.value(), p.size(), false, -1));
                out.add(new RecordedTensor(l.name(), p.name() + "_grad", p.grad(), p.size(), false, -1));
                out.add(new RecordedTensor(l.name(), p.name() + "_update", updater.lastUpdate().slice(p.offset(), p.size()),
                        p.size(), false, value));
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * The parameter triples (θ, θ_grad, θ_update, consecutive in {@code plan}) as segments of the
     * flat parameter vector, with their slots in a summary buffer of bins 0 (stride
     * {@link TensorStats#HEADER}): what the recorder hands to {@link Updater#summarizeNextStep}.
     */
    public static StatSegments segments(Network net, List<RecordedTensor> plan) {
        return segments(net, plan, TensorStats.HEADER);
    }

    /** {@link #segments(Network, List)} for a summary buffer of slot stride {@code stride}. */
    static StatSegments segments(Network net, List<RecordedTensor> plan, int stride) {
        List<Param> params = new ArrayList<>();
        for (Layer l : net.layers()) if (!(l instanceof FlattenLayer)) params.addAll(l.params());
        int n = params.size(), k = 0;
        long[] off = new long[n], len = new long[n], at = new long[n];
        for (RecordedTensor t : plan) {
            if (t.param() < 0) continue; // an update tensor: its θ is in slot t.param(), its gradient next
            Param p = params.get(k);
            if (p.size() != t.size()) throw new IllegalStateException("plan and parameters disagree at " + t.tag());
            off[k] = p.offset();
            len[k] = p.size();
            at[k++] = (long) t.param() * stride;
        }
        return new StatSegments(off, len, at, stride);
    }

    /** Index of the recorded per-row tensor named {@code kind} held in {@code buf}, or -1. */
    private int find(Buf buf, String kind) {
        for (int i = 0; i < tensors.size(); i++) {
            RecordedTensor t = tensors.get(i);
            if (t.perRow() && t.buf() == buf && t.tensor().equals(kind)) return i;
        }
        return -1;
    }

    public List<RecordedTensor> tensors() {
        return tensors;
    }

    /** The event file being written. */
    public Path file() {
        return writer.file();
    }

    /**
     * The recorder's cost so far in nanoseconds: wall time spent in {@link #onStep}, plus the
     * estimated cost of the statistics computed inside the step's own ops (optimizer step,
     * activation layers; see {@link #totalFusedNanos}).
     */
    public long totalRecordNanos() {
        return totalRecordNanos;
    }

    /**
     * The part of {@link #totalRecordNanos} spent inside the training step's own ops (optimizer
     * step, activation layers), which also counts in the steps' own time: per summarized step, the
     * mean time of summarized steps minus that of plain ones (one statistics step in 32 is plain),
     * 0 until both have been seen.
     */
    public long totalFusedNanos() {
        return totalFusedNanos;
    }

    public SamplingBudget sampling() {
        return sampling;
    }

    @Override
    public void onStep(StepEvent e, Network net, Updater updater) {
        long t0 = System.nanoTime();
        flush();
        boolean hist = sampling.histDue(e.step());
        boolean stats = hist || sampling.statsDue(e.step());
        Buf out = summary[(int) (e.step() & 1)];
        // the optimizer step already summarized θ, gradient and Δθ into out when armed for this step
        boolean paramsDone = armedStep == e.step() && updater == this.updater && updater.lastStepSummarized();
        // ...and the activation layers summarized their inputs and outputs inside their own ops
        java.util.Arrays.fill(done, false);
        if (armedStep == e.step()) {
            for (int j = 0; j < actLayers.size(); j++) {
                int[] sl = actSlots.get(j);
                if (actLayers.get(j).summarizedForward(e.step())) done[sl[0]] = done[sl[1]] = true;
                if (actLayers.get(j).summarizedBackward(e.step())) done[sl[2]] = done[sl[3]] = true;
            }
        }
        if (stats) {
            // one fused op per tensor, each into its own slot; nothing is read back here. Off
            // histogram steps bins = 0, which spares the op its second (binning) pass. Tensors whose
            // statistics the step's own ops wrote only need their bins, on histogram steps.
            int bins = hist ? cfg.bins() : 0;
            Buf[] slot = (hist ? histSlots : headerSlots)[(int) (e.step() & 1)];
            for (int i = 0; i < tensors.size(); i++) {
                RecordedTensor t = tensors.get(i);
                if ((paramsDone && !t.perRow()) || done[i]) {
                    if (hist) backend.histogram(t.length(e.rows()), bins, t.buf(), slot[i]);
                } else {
                    backend.stats(t.length(e.rows()), bins, t.buf(), slot[i]);
                }
            }
        }
        pending = new Pending(e, stats, hist, out);
        long fused = fusedEstimate(e);
        lastRecordNanos = System.nanoTime() - t0 + fused;
        totalRecordNanos += lastRecordNanos;
        totalFusedNanos += fused;
        sampling.observe(lastRecordNanos, e.stepNanos() - fused);
        long next = e.step() + 1;
        // every PLAIN_EVERY-th step runs unfused (same summaries, computed by the stats op), so the
        // cost of the fused ones can be estimated against it
        if (sampling.statsDue(next) && next % PLAIN_EVERY != 0) {
            boolean nextHist = sampling.histDue(next);
            this.updater.summarizeNextStep(nextHist ? paramSegmentsHist : paramSegments, summary[(int) (next & 1)]);
            Buf[] slot = (nextHist ? histSlots : headerSlots)[(int) (next & 1)];
            for (int j = 0; j < actLayers.size(); j++) {
                int[] sl = actSlots.get(j);
                boolean fwd = sl[0] >= 0 && sl[1] >= 0, bwd = sl[2] >= 0 && sl[3] >= 0;
                actLayers.get(j).summarizeAt(next, fwd ? slot[sl[0]] : null, fwd ? slot[sl[1]] : null,
                        bwd ? slot[sl[2]] : null, bwd ? slot[sl[3]] : null);
            }
            armedStep = next;
        }
    }

    /**
     * What summarizing inside this step's ops (the optimizer step's parameter statistics, the
     * activation layers' input and output statistics) cost: see {@link #totalFusedNanos}. Steps
     * armed for it are compared with plain ones (one in 32) by their whole step time.
     */
    private long fusedEstimate(StepEvent e) {
        boolean summarized = armedStep == e.step();
        if (summarized) {
            summarizedStepNanos += e.stepNanos();
            summarizedSteps++;
        } else {
            plainStepNanos += e.stepNanos();
            plainSteps++;
        }
        if (!summarized || plainSteps == 0) return 0;
        return Math.max(0, summarizedStepNanos / summarizedSteps - plainStepNanos / plainSteps);
    }

    /** Reads the pending step's summaries (if any) and writes its event. */
    private void flush() {
        Pending p = pending;
        if (p == null) return;
        pending = null;
        StepEvent e = p.step();
        List<SummaryValue> values = new ArrayList<>(p.hist() ? tensors.size() + 8 : 8);
        values.add(new SummaryValue.Scalar("train/loss", e.loss()));
        if (classify) values.add(new SummaryValue.Scalar("train/accuracy", (float) e.correct() / e.rows()));
        values.add(new SummaryValue.Scalar("train/lr", e.lr()));
        values.add(new SummaryValue.Scalar("perf/step_ms", e.stepNanos() / 1e6f));
        values.add(new SummaryValue.Scalar("perf/examples_per_sec", (float) (e.rows() / (e.stepNanos() / 1e9))));
        values.add(new SummaryValue.Scalar("perf/record_ms", lastRecordNanos / 1e6f));
        if (cfg.budget() > 0) values.add(new SummaryValue.Scalar("perf/record_factor", sampling.factor()));
        ScalarBlock block = p.stats() ? summaries(p, values) : null;
        writer.write(TfEvent.summary(System.currentTimeMillis() / 1000.0, e.step(), values, block));
    }

    /** Reads the pending step's summaries: its scalars in {@link #statTags} order, and its histograms into {@code values}. */
    private ScalarBlock summaries(Pending p, List<SummaryValue> values) {
        int bins = p.hist() ? cfg.bins() : 0, stride = TensorStats.length(bins);
        // the one host read of this step's summaries (its work finished at the last loss read)
        backend.download(p.summary(), 0, host, 0, tensors.size() * stride);
        float[] scalars = new float[statTags.size()];
        int k = 0;
        for (int i = 0; i < tensors.size(); i++) {
            int o = i * stride;
            for (int s = 0; s < STATS.length; s++) scalars[k++] = host[o + STAT_INDEX[s]];
            RecordedTensor t = tensors.get(i);
            if (t.param() >= 0) {
                double theta = host[t.param() * stride + TensorStats.L2], delta = host[o + TensorStats.L2];
                scalars[k++] = (float) (theta == 0 ? (delta == 0 ? 0 : Double.POSITIVE_INFINITY) : delta / theta);
            }
            if (p.hist()) {
                float[] counts = new float[bins];
                System.arraycopy(host, o + TensorStats.HEADER, counts, 0, bins);
                double finite = host[o + TensorStats.COUNT] - host[o + TensorStats.NON_FINITE];
                double l2 = host[o + TensorStats.L2];
                values.add(new SummaryValue.Histo(t.tag() + "/hist", Histogram.equalWidth(host[o + TensorStats.MIN],
                        host[o + TensorStats.MAX], counts, host[o + TensorStats.MEAN] * finite, l2 * l2)));
            }
        }
        return new ScalarBlock(statTags, scalars);
    }

    @Override
    public void onEpoch(EpochEvent e, Network net) {
        flush();
        List<SummaryValue> v = new ArrayList<>();
        v.add(new SummaryValue.Scalar("test/loss", (float) e.testLoss()));
        if (classify) v.add(new SummaryValue.Scalar("test/accuracy", (float) e.testAccuracy()));
        v.add(new SummaryValue.Scalar("epoch/train_loss", (float) e.trainLoss()));
        if (classify) v.add(new SummaryValue.Scalar("epoch/train_accuracy", (float) e.trainAccuracy()));
        v.add(new SummaryValue.Scalar("epoch/seconds", (float) e.seconds()));
        writer.write(TfEvent.summary(System.currentTimeMillis() / 1000.0, e.step(), v));
    }

    @Override
    public void onEnd(Network net) {
        close();
    }

    /** Writes the pending step (useful after a non-finite loss: it shows the step before) and closes the file. */
    @Override
    public void close() {
        try {
            flush();
        } finally {
            writer.close();
        }
    }
}
