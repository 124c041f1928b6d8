package dev.loupe.cli;

import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.DataSources;
import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.FashionMnist;
import dev.loupe.datasets.IdxData;
import dev.loupe.engine.Backend;
import dev.loupe.engine.explain.InternalBatch;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.train.Checkpoints;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * What {@code explain}, {@code sanity} and {@code faithfulness} share: the run's checkpoint and
 * model, the samples to explain (the first N test images of the run's dataset, or an .npy file or
 * images given with --input, see {@link ModelInputs})
 * with their labels, class names and ground-truth regions when known.
 */
final class ExplainSetup {
    final Path run;
    final Path checkpoint;
    final ModelSpec spec;
    final TrainOptions options;
    final Dataset data;
    final float[] x;
    final int n;
    final int[] labels;
    final float[] regions;
    final List<String> classNames;
    final String sampleSource;
    /** The image files the inputs were read from, in order (empty for dataset samples and .npy arrays). */
    final List<String> inputFiles;

    private ExplainSetup(Path run, Path checkpoint, ModelSpec spec, TrainOptions options, Dataset data, float[] x, int n,
                         int[] labels, float[] regions, List<String> classNames, String sampleSource, List<String> inputFiles) {
        this.run = run;
        this.checkpoint = checkpoint;
        this.spec = spec;
        this.options = options;
        this.data = data;
        this.x = x;
        this.n = n;
        this.labels = labels;
        this.regions = regions;
        this.classNames = classNames;
        this.sampleSource = sampleSource;
        this.inputFiles = inputFiles;
    }

    /** Resolves the checkpoint and the samples; exactly one of {@code samples} and {@code input} is used. */
    static ExplainSetup load(Path run, String checkpointName, Integer samples, Path input, boolean invert, boolean needDataset) {
        RunManifest manifest = RunManifest.read(run);
        TrainOptions o = manifest.optionsIfTrained(); // null for an imported model: no dataset
        String dataset = o == null ? null : o.dataset;
        Path dataDir = o == null ? null : o.dataDir;
        Checkpoints cps = new Checkpoints(run, Integer.MAX_VALUE);
        Path dir = checkpointName != null ? cps.resolve(checkpointName)
                : cps.latest().orElseThrow(() -> new BadInputException("run " + run + " has no checkpoint"));
        ModelSpec spec = Checkpoints.model(dir);
        int d = Arrays.stream(spec.inputShape()).reduce(1, (a, b) -> a * b);
        if (input != null) {
            ModelInputs.Loaded in = ModelInputs.read(input, spec.inputShape(), invert);
            if (needDataset && o == null) {
                throw new BadInputException("--baseline mean needs the training set, and " + run + " holds an imported model without one"
                        + " (use --baseline zero or blur)");
            }
            Dataset data = needDataset ? DataSources.load(o.dataset, o.dataDir, o.seed) : null;
            int classes = manifest.classes();
            List<String> names = classNames(dataset, dataDir, o == null ? classes : 0);
            return new ExplainSetup(run, dir, spec, o, data, in.x(), in.n(), null, null, names, in.description(), in.files());
        }
        if (invert) throw new BadInputException("--invert applies to image files given with --input");
        if (o == null) throw new BadInputException(run + " holds an imported model without a dataset: give the inputs with --input");
        int want = samples == null ? 8 : samples;
        if (want < 1) throw new BadInputException("--samples must be at least 1, got " + want);
        Dataset data = DataSources.load(o.dataset, o.dataDir, o.seed);
        if (!Arrays.equals(data.inputShape(), spec.inputShape())) {
            throw new BadInputException("dataset " + data.name() + " has input " + Arrays.toString(data.inputShape())
                    + " but the checkpoint's model takes " + Arrays.toString(spec.inputShape()));
        }
        int n = Math.min(want, data.testCount());
        float[] x = Arrays.copyOf(data.testInputs(), n * d);
        int[] labels = data.isClassification() ? IntStream.range(0, n).map(i -> (int) data.testTargets()[i]).toArray() : null;
        float[] regions = data.masks().map(m -> Arrays.copyOf(m.test(), n * m.height() * m.width())).orElse(null);
        return new ExplainSetup(run, dir, spec, o, data, x, n, labels, regions, classNames(o.dataset, o.dataDir, data.numClasses()),
                "first " + n + " test samples of " + data.name(), List.of());
    }

    /**
     * Human-readable class names for the datasets Loupe knows (an idx set's from its folder's
     * classes.txt when there is one), else "class k" (null when the class count is unknown).
     */
    static List<String> classNames(String dataset, Path dataDir, int classes) {
        List<String> fromFile = "idx".equals(dataset) ? IdxData.classNames(dataDir, classes) : null;
        if (fromFile != null) return fromFile;
        return switch (dataset == null ? "" : dataset) {
            case "fashion-mnist" -> FashionMnist.CLASS_NAMES;
            case "patches" -> List.of("horizontal stripes", "vertical stripes", "checkerboard", "diagonal stripes");
            default -> {
                if (classes <= 0) yield null;
                List<String> out = new ArrayList<>();
                for (int k = 0; k < classes; k++) out.add("class " + k);
                yield out;
            }
        };
    }

    /** Compiles the checkpoint's model for {@code batch} rows and loads its parameters. */
    Network network(Backend backend, int batch) {
        Network net = new Network(backend, spec, batch, 0);
        net.setParams(Checkpoints.load(checkpoint, spec.inputShape(), net).params());
        return net;
    }

    /** A one-row network for memory planning, then the real one for {@code rowsNeeded} rows. */
    Network plannedNetwork(Backend backend, long rowsNeeded, Integer override) {
        Network probe = new Network(backend, spec, 1, 0);
        return network(backend, InternalBatch.choose(probe, rowsNeeded, override));
    }

    /** Resolves {@code predicted}, {@code label} or a class index into one target per sample. */
    int[] targets(String target, int[] predicted, int classes) {
        return switch (target) {
            case "predicted" -> predicted.clone();
            case "label" -> {
                if (labels == null) throw new BadInputException("--target label needs labels; inputs given with --input have none (use predicted or a class index)");
                yield labels.clone();
            }
            default -> {
                int k;
                try {
                    k = Integer.parseInt(target);
                } catch (NumberFormatException e) {
                    throw new BadInputException("--target must be predicted, label or a class index, got '" + target + "'");
                }
                if (k < 0 || k >= classes) throw new BadInputException("--target " + k + " is out of range: the model has " + classes + " classes [0, " + classes + ")");
                int[] t = new int[n];
                Arrays.fill(t, k);
                yield t;
            }
        };
    }

    /** Provenance shared by every output: run, checkpoint, model, backend, samples. */
    Map<String, Object> provenance(Backend backend, Network net) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("run", run.toAbsolutePath().toString());
        p.put("checkpoint", checkpoint.getFileName().toString());
        p.put("model", spec.name());
        p.put("parameters", net.paramCount());
        p.put("dataset", options == null ? "none (imported model)" : options.dataset);
        p.put("samples", sampleSource);
        if (!inputFiles.isEmpty()) p.put("input_files", inputFiles);
        p.put("backend", backend.name());
        p.put("device", backend.device());
        p.put("internal_batch", net.batchSize());
        p.put("versions", dev.loupe.engine.Versions.all());
        return p;
    }
}
