package dev.loupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.FashionMnist;
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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Integrated gradients (50 Gauss–Legendre steps, zero baseline) attributions per second on the
 * CNN: Loupe on every fully measured backend against a batched PyTorch IG
 * ({@code bench/python/ig_peer.py}) on the same weights, images, steps and internal batch, in one
 * run. The weights go to the peer as NPY; the peer rebuilds the model in torch, first checks its
 * logits against Loupe's, then times its IG and says how far its attributions are from Loupe's.
 *
 * <p>Measured: wall time of whole IG calls after one warm-up call (JIT on Loupe's side, autograd
 * graph building on torch's), one rate per call. The peer runs as a server ({@code --serve}) and
 * the calls are interleaved (one Loupe call, one peer call, repeated) so that load from elsewhere
 * on a shared machine falls on both sides alike; the peer times its own calls, so process start and
 * pipe latency are not charged to it. Loupe's time also
 * includes the two forward passes (f(x), f(baseline)) it makes for the convergence delta, which
 * the peer skips. What could fool it: a machine shared with other work (compare only figures from
 * the same run) and thread counts (both sides get the suite's count).
 */
public final class IgWorkload implements Workload {
    /** The IG bar: Loupe's attributions/s at least this many times PyTorch's. */
    public static final double BAR = 1.0;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How much to measure.
     *
     * @param images   test images explained per call
     * @param steps    IG steps (Gauss–Legendre nodes)
     * @param batch    rows (image, step) per internal forward+backward
     * @param repeats  timed calls per contender
     * @param run      a run directory whose newest checkpoint supplies the model, or null for the CNN at seed 42
     */
    public record Settings(int images, int steps, int batch, int repeats, Path run) {
        public static Settings of(Suite suite) {
            return suite == Suite.FULL ? new Settings(32, 50, 100, 5, null) : new Settings(16, 50, 100, 4, null);
        }
    }

    private final Settings fixed;

    /** Sizes from the suite. */
    public IgWorkload() {
        this(null);
    }

    /** Fixed sizes ({@code null}: from the suite). */
    public IgWorkload(Settings settings) {
        this.fixed = settings;
    }

    @Override
    public String name() { return "ig-cnn"; }

    @Override
    public List<Row> run(BenchContext ctx) throws Exception {
        Settings s = fixed != null ? fixed : Settings.of(ctx.suite());
        Dataset data = FashionMnist.loadEmbedded();
        List<Row> rows = new ArrayList<>();
        List<Row.Rate> loupeRates = new ArrayList<>();
        Row.Rate peerRate = null;
        List<String> backends = ctx.fullyMeasured();
        rows.addAll(ctx.skippedShortRunRows(name(), "attributions/s", 0));
        for (int bi = 0; bi < backends.size(); bi++) {
            ProgressSink progress = ctx.progress().slot(bi, backends.size());
            try (Backend backend = Backends.open(backends.get(bi))) {
                Side loupe = new Side(backend, data, s);
                try {
                    progress.update(0, name() + ": warm-up call on " + backend.name());
                    loupe.call();
                    PeerServer server = null;
                    if (bi == 0 && ctx.peers().contains(Peer.TORCH)) {
                        progress.update(0.2, name() + ": starting the PyTorch peer");
                        server = PeerServer.start(this, loupe, s, ctx, rows);
                    }
                    List<Double> perCall = new ArrayList<>();
                    List<Double> peerPerCall = new ArrayList<>();
                    try {
                        for (int r = 0; r < s.repeats(); r++) {
                            progress.update(0.2 + 0.8 * r / s.repeats(), name() + ": call " + (r + 1) + "/" + s.repeats()
                                    + (server != null ? " (Loupe and PyTorch interleaved)" : ""));
                            perCall.add(loupe.timedCall());
                            if (server != null) peerPerCall.add(s.images() / server.call());
                        }
                    } finally {
                        if (server != null) peerRate = server.finish(this, loupe, s, ctx, rows, peerPerCall);
                    }
                    if (peerRate != null) rows.add(peerRate);
                    Row.Rate rate = new Row.Rate(name(), "loupe/" + backend.name(), Contender.Kind.LOUPE, "attributions/s", 0,
                            perCall, String.format(Locale.ROOT, "%s; %d images × %d steps, internal batch %d; max |IG delta| %.1e",
                            loupe.description, s.images(), s.steps(), s.batch(), loupe.worstDelta()));
                    loupeRates.add(rate);
                    rows.add(rate);
                } finally {
                    loupe.net.close();
                }
            }
        }
        if (peerRate != null && !peerRate.perWindow().isEmpty()) {
            for (Row.Rate l : loupeRates) rows.add(Row.Ratio.speedup(name(), l, peerRate, BAR));
        }
        return rows;
    }

    /** Loupe's side: the model on one backend, the images and their predicted classes. */
    private static final class Side {
        final Network net;
        final ModelSpec spec;
        final Explainer explainer;
        final float[] x;
        final float[] logits;
        final int[] targets;
        final ExplainParams params;
        final int images;
        final String description;
        Explanation last;

        Side(Backend backend, Dataset data, Settings s) {
            float[] loaded = null;
            if (s.run() != null) {
                Path cp = new Checkpoints(s.run(), Integer.MAX_VALUE).latest()
                        .orElseThrow(() -> new IllegalArgumentException("no checkpoint in " + s.run()));
                spec = Checkpoints.model(cp);
                try (Network layout = new Network(backend, spec, 1, 0)) {
                    loaded = Checkpoints.load(cp, spec.inputShape(), layout).params();
                }
                description = spec.name() + " from " + s.run();
            } else {
                spec = Models.cnn(data.inputShape(), data.numClasses());
                description = "cnn (random init, seed 42)";
            }
            net = new Network(backend, spec, s.batch(), 42);
            if (loaded != null) net.setParams(loaded);
            if (net.inputSize() != data.inputSize()) throw new IllegalArgumentException("the model does not take Fashion-MNIST images");
            images = s.images();
            x = Arrays.copyOf(data.testInputs(), images * data.inputSize());
            explainer = new Explainer(new GradientRunner(net, null));
            logits = explainer.logits(x, images);
            targets = Explainer.argmax(logits, net.outputSize());
            params = ExplainParams.DEFAULTS.withSteps(s.steps());
        }

        void call() {
            last = explainer.explain(ExplainMethod.IG, params, x, images, targets, null);
        }

        /** Attributions per second of one call. */
        double timedCall() {
            long t0 = System.nanoTime();
            call();
            return images / ((System.nanoTime() - t0) / 1e9);
        }

        double worstDelta() {
            return Arrays.stream(last.delta()).map(Math::abs).max().orElse(0);
        }

        /** Writes what the peer reads: model.json, params/, inputs, targets, Loupe's logits and attributions. */
        void export(Path dir) throws IOException {
            Files.writeString(dir.resolve("model.json"), ModelJson.write(spec), StandardCharsets.UTF_8);
            Path pd = Files.createDirectories(dir.resolve("params"));
            float[] all = net.getParams();
            for (Param p : net.params()) {
                NpyFiles.write(pd.resolve(p.id() + ".npy"),
                        new NpyArray(p.shape(), Arrays.copyOfRange(all, (int) p.offset(), (int) (p.offset() + p.size()))));
            }
            int[] shape = {images, spec.inputShape()[0], spec.inputShape()[1], spec.inputShape()[2]};
            NpyFiles.write(dir.resolve("inputs.npy"), new NpyArray(shape, x));
            NpyFiles.write(dir.resolve("logits.npy"), new NpyArray(new int[] {images, net.outputSize()}, logits));
            float[] t = new float[images];
            for (int i = 0; i < images; i++) t[i] = targets[i];
            NpyFiles.write(dir.resolve("targets.npy"), new NpyArray(new int[] {images}, t));
            NpyFiles.write(dir.resolve("loupe_attributions.npy"), new NpyArray(shape, last.values()));
        }
    }

    /** {@code ig_peer.py --serve} on Loupe's exported model: "run" times one IG call, "quit" returns its summary line. */
    private static final class PeerServer {
        private final Process proc;
        private final BufferedReader out;
        private final PrintWriter in;
        private final Path dir;
        private final Path script;

        private PeerServer(Process proc, Path dir, Path script) {
            this.proc = proc;
            this.out = proc.inputReader(StandardCharsets.UTF_8);
            this.in = new PrintWriter(proc.outputWriter(StandardCharsets.UTF_8), true);
            this.dir = dir;
            this.script = script;
        }

        /** Starts the peer and waits for its ready line; null, with a skipped or failed row added, when it cannot run. */
        static PeerServer start(IgWorkload w, Side loupe, Settings s, BenchContext ctx, List<Row> rows) throws Exception {
            Optional<String> why = TorchContender.unavailableReason();
            if (why.isPresent()) {
                rows.add(new Row.Rate(w.name(), "torch", Contender.Kind.PEER, "attributions/s", 0, List.of(), "skipped: " + why.get()));
                return null;
            }
            Path dir = Files.createTempDirectory("loupe-igbench");
            Path script = TorchContender.extractScript("ig_peer.py");
            loupe.export(dir);
            List<String> cmd = List.of(TorchContender.PYTHON, script.toString(), "--dir", dir.toString(), "--steps", "" + s.steps(),
                    "--batch", "" + s.batch(), "--threads", "" + ctx.threads(), "--serve");
            PeerServer p = new PeerServer(new ProcessBuilder(cmd).redirectErrorStream(true).start(), dir, script);
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = p.out.readLine()) != null) {
                if (line.contains("\"ready\": true")) return p;
                seen.append(line).append(' ');
            }
            int code = p.close();
            String text = seen.toString().strip();
            rows.add(new Row.Rate(w.name(), "torch", Contender.Kind.PEER, "attributions/s", 0, List.of(),
                    (code == 3 ? "skipped: " : "peer failed (exit " + code + "): ") + text.replace('|', '/')));
            if (text.contains("logits differ")) rows.add(new Row.Check(w.name(), "torch logits vs Loupe's (same weights)", text, false));
            return null;
        }

        /** Seconds of one peer IG call, timed by the peer. */
        double call() throws IOException {
            in.println("run");
            String line = out.readLine();
            if (line == null || !line.contains("seconds")) throw new IOException("the PyTorch IG peer stopped: " + line);
            return JSON.readTree(line).path("seconds").asDouble();
        }

        /** Ends the peer; its rate row from {@code perCall} (attributions/s), plus the agreement check. */
        Row.Rate finish(IgWorkload w, Side loupe, Settings s, BenchContext ctx, List<Row> rows, List<Double> perCall) throws Exception {
            in.println("quit");
            String last = out.readLine();
            close();
            if (last == null || !last.contains("max_attr_diff")) {
                rows.add(new Row.Rate(w.name(), "torch", Contender.Kind.PEER, "attributions/s", 0, List.of(),
                        "peer failed: no summary line"));
                return null;
            }
            JsonNode j = JSON.readTree(last);
            ctx.versions().putIfAbsent("torch", j.path("torch").asText());
            double diff = j.path("max_attr_diff").asDouble(), max = j.path("max_attr").asDouble();
            rows.add(new Row.Check(w.name(), "IG attributions torch vs " + "loupe/" + loupe.net.backend().name()
                    + " (same weights, images, nodes)", String.format(Locale.ROOT, "max |diff| %.1e of max |attr| %.1e; logits diff %.1e",
                    diff, max, j.path("max_logit_diff").asDouble()), diff <= 1e-2 * Math.max(max, 1e-6)));
            return new Row.Rate(w.name(), "torch", Contender.Kind.PEER, "attributions/s", 0, perCall,
                    String.format(Locale.ROOT, "torch %s eager autograd, %d threads, BLAS %s; calls interleaved with Loupe's",
                            j.path("torch").asText(), j.path("threads").asInt(), j.path("blas").asText()));
        }

        /** Waits for the process (killing it after a minute) and removes its files; its exit code. */
        private int close() throws IOException, InterruptedException {
            in.close();
            if (!proc.waitFor(1, TimeUnit.MINUTES)) proc.destroyForcibly().waitFor();
            RecordingOverheadWorkload.deleteTree(dir);
            Files.deleteIfExists(script);
            return proc.exitValue();
        }
    }
}
