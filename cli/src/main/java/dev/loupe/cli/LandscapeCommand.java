package dev.loupe.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.DataSources;
import dev.loupe.datasets.Dataset;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.landscape.EvalSet;
import dev.loupe.engine.landscape.Landscape;
import dev.loupe.engine.landscape.LandscapeRequest;
import dev.loupe.engine.landscape.PlaneEvaluator;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.train.Checkpoints;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe landscape}: the loss surface around a trained model, its training path, and its curvature. */
@Command(name = "landscape", mixinStandardHelpOptions = true,
        description = {"Measure the loss landscape of a trained run and write NPY + meta.json under RUN/landscape/MODE/.",
                "  interp      loss and accuracy on the line from the initial (step 0 snapshot) to the final parameters, α from -0.5 to 1.5",
                "  2d          loss and accuracy on a plane of two random filter-normalized directions around the final parameters",
                "  trajectory  the training path projected on its top-2 PCA directions, with the loss surface on that plane",
                "  hessian     top Hessian eigenvalues (Lanczos) and the Hutchinson trace estimate",
                "Grids resume from their finished rows when run again with the same settings."})
final class LandscapeCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run directory")
    Path run;

    @Option(names = "--mode", required = true, description = "interp, 2d, trajectory or hessian")
    String mode;

    @Option(names = "--grid", defaultValue = "51", description = "points per axis, 3..401 (default: ${DEFAULT-VALUE})")
    int grid;

    @Option(names = "--range", defaultValue = "1.0", description = "2d: the window is [-range, range]² in units of the filter-normalized directions (default: ${DEFAULT-VALUE})")
    double range;

    @Option(names = "--samples", defaultValue = "2000", description = "training samples the loss is measured on (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the random directions (2d uses seed and seed+1) and of the Hessian's probes (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--checkpoint", description = "checkpoint of the final parameters, e.g. step-1200 (default: the newest)")
    String checkpoint;

    @Option(names = "--top-k", defaultValue = "5", description = "hessian: eigenvalues reported (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--iterations", defaultValue = "20", description = "hessian: Lanczos iterations, one Hessian-vector product each (default: ${DEFAULT-VALUE})")
    int iterations;

    @Option(names = "--probes", defaultValue = "10", description = "hessian: Rademacher probes for the trace estimate (default: ${DEFAULT-VALUE})")
    int probes;

    @Option(names = "--batch", defaultValue = "500", description = "samples per forward pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--strategy", defaultValue = "auto", paramLabel = "auto|shared|one-point",
            description = "how grid points are evaluated: shared (the first layer's products with θ and the directions computed once "
                    + "and combined per point), one-point (a full forward per point), or auto: shared where the first layer does "
                    + "at least " + PlaneEvaluator.SHARE_MIN_MACS_PER_OUTPUT + " multiply-adds per output (a dense layer on images), "
                    + "else one-point (a 3×3 convolution); the results agree to float rounding (default: ${DEFAULT-VALUE})")
    String strategy;

    @Option(names = "--one-point", description = "the same as --strategy one-point")
    boolean onePoint;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, reference, nd4j or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Override
    public Integer call() {
        PlaneEvaluator.Strategy how = switch (strategy) {
            case "auto" -> PlaneEvaluator.Strategy.AUTO;
            case "shared" -> PlaneEvaluator.Strategy.SHARED_FIRST_LAYER;
            case "one-point" -> PlaneEvaluator.Strategy.ONE_POINT;
            default -> throw new BadInputException("unknown --strategy '" + strategy + "' (choose auto, shared or one-point)");
        };
        if (onePoint && how == PlaneEvaluator.Strategy.SHARED_FIRST_LAYER) {
            throw new BadInputException("--one-point contradicts --strategy shared");
        }
        LandscapeRequest req = new LandscapeRequest(mode, grid, range, samples, seed, topK, iterations, probes,
                onePoint ? PlaneEvaluator.Strategy.ONE_POINT : how);
        if (batch <= 0) throw new BadInputException("--batch must be positive, got " + batch);
        TrainOptions o = RunManifest.read(run).options();
        Checkpoints cps = new Checkpoints(run, Integer.MAX_VALUE);
        Path cp = checkpoint != null ? cps.resolve(checkpoint)
                : cps.latest().orElseThrow(() -> new BadInputException("run " + run + " has no checkpoint"));
        Dataset data = DataSources.load(o.dataset, o.dataDir, o.seed);
        EvalSet set = EvalSet.firstTrain(data, samples);
        if (set.count() < samples) System.err.println("note: the training set has only " + set.count() + " samples; using all of them");
        ModelSpec spec = Checkpoints.model(cp);
        try (Backend b = Backends.open(backend)) {
            Network net = new Network(b, spec, Math.min(batch, set.count()), 0);
            Checkpoints.Loaded loaded = Checkpoints.load(cp, spec.inputShape(), net);
            if (net.inputSize() != data.inputSize()) {
                throw new BadInputException("the run's model takes " + net.inputSize() + " inputs but dataset " + data.name()
                        + " has " + data.inputSize());
            }
            ObjectNode prov = provenance(cp, loaded, net, data);
            System.out.printf("landscape %s of %s at %s (%s, %d parameters) on %s, backend %s%n", mode, run, cp.getFileName(),
                    spec.name(), net.paramCount(), set.description(), b.name());
            Landscape.Outcome out;
            Progress[] bar = {null};
            try {
                out = Landscape.run(req, net, loaded.params(), loaded.state().step(), run, set, prov, (what, done, total, resumed) -> {
                    if (bar[0] == null) bar[0] = new Progress(mode, total);
                    bar[0].update(done, done + "/" + total + " " + what + (resumed ? " (resumed)" : ""));
                });
            } finally {
                if (bar[0] != null) bar[0].close();
            }
            report(out);
        }
        return 0;
    }

    private void report(Landscape.Outcome out) {
        JsonNode m = out.meta();
        if (out.alreadyComplete()) {
            System.out.println("already complete with these settings: " + out.dir() + " (delete it to recompute)");
            return;
        }
        if (mode.equals("hessian")) {
            System.out.println("top eigenvalues: " + m.get("top_eigenvalues"));
            System.out.printf("trace (Hutchinson, %d probes): %.6g ± %.2g%n", probes, m.get("trace").asDouble(),
                    m.get("trace_standard_error").asDouble());
        } else {
            System.out.printf("%d points evaluated in %.1f s (%.2f points/s, %s)%n", out.pointsEvaluated(), out.seconds(),
                    out.pointsEvaluated() / Math.max(out.seconds(), 1e-9), m.path("strategy").asText());
        }
        if (mode.equals("interp")) {
            System.out.printf("loss at α=0 (initial) %.5f, at α=1 (final) %.5f%n", m.get("loss_at_0").asDouble(), m.get("loss_at_1").asDouble());
        }
        if (mode.equals("trajectory")) {
            System.out.printf("explained variance: PC1 %.1f%%, PC2 %.1f%%%n", 100 * m.get("explained_variance_1").asDouble(),
                    100 * m.get("explained_variance_2").asDouble());
        }
        System.out.println("wrote " + out.dir());
    }

    private ObjectNode provenance(Path cp, Checkpoints.Loaded loaded, Network net, Dataset data) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode p = json.createObjectNode();
        p.put("run", run.toAbsolutePath().toString()).put("checkpoint", cp.getFileName().toString())
                .put("step", loaded.state().step()).put("name", net.spec().name()).put("parameters", net.paramCount())
                .put("dataset", data.name()).put("data_source", data.source());
        try {
            JsonNode manifest = json.readTree(run.resolve("run.json").toFile());
            p.set("run_seed", manifest.path("seed"));
            p.set("run_git_commit", manifest.path("git_commit"));
            p.set("run_versions", manifest.path("versions"));
        } catch (IOException e) {
            throw new BadInputException(run.resolve("run.json") + ": " + e.getMessage());
        }
        return p;
    }
}
