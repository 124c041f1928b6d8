package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.explain.ExplainMethod;
import dev.loupe.engine.explain.ExplainParams;
import dev.loupe.engine.explain.Explainer;
import dev.loupe.engine.explain.GradientRunner;
import dev.loupe.engine.explain.SanityCheck;
import dev.loupe.engine.nn.Network;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code loupe sanity}: the cascading model-parameter randomization test for attribution methods. */
@Command(name = "sanity", mixinStandardHelpOptions = true,
        description = {"Model-parameter randomization test of the explanations (Adebayo et al. 2018).",
                "Cascading: re-initialize the trainable layers one by one from the top, cumulatively, and report the",
                "Spearman rank correlation of |attribution| with the trained model's (mean over samples). Good methods",
                "fall towards 0; values near 1 mean the map does not depend on what the model learned. Writes RUN/explain/sanity.json."})
final class SanityCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run directory")
    Path run;

    @Option(names = "--checkpoint", description = "checkpoint name (default: the newest)")
    String checkpoint;

    @Option(names = "--method", defaultValue = "saliency,grad-input,ig,smoothgrad,gradcam,gradcam++", split = ",",
            description = "methods to test, or all (default: ${DEFAULT-VALUE})")
    List<String> methods;

    @Option(names = "--samples", defaultValue = "16", description = "first N test samples (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--input", paramLabel = "FILE|DIR", description = "inputs instead of the test samples: an .npy array, an image "
            + "or a folder of images, as in loupe explain")
    Path input;

    @Option(names = "--invert", description = "with image --input: use 1 − v (dark-on-light pictures, a model trained on Fashion-MNIST)")
    boolean invert;

    @Option(names = "--random-seed", defaultValue = "1", description = "seed of the re-initialization (default: ${DEFAULT-VALUE})")
    long randomSeed;

    @Mixin
    MethodOptions opts = new MethodOptions();

    @Override
    public Integer call() throws Exception {
        List<ExplainMethod> ms = ExplainCommand.parseMethods(methods);
        ExplainParams p = opts.params();
        ExplainSetup s = ExplainSetup.load(run, checkpoint, input == null ? samples : null, input, invert, false);
        long rows = 0;
        for (ExplainMethod m : ms) rows = Math.max(rows, s.n * ExplainCommand.rowsPerSample(m, p, s.spec.inputShape()));
        try (Backend b = Backends.open(opts.backend)) {
            Network net = s.plannedNetwork(b, rows, opts.internalBatch);
            Explainer ex = new Explainer(new GradientRunner(net, null));
            int[] targets = Explainer.argmax(ex.logits(s.x, s.n), net.outputSize());
            System.out.printf("sanity check on %d inputs (%s) of %s, %s, internal batch %d%n", s.n, s.sampleSource,
                    s.checkpoint.getFileName(), b.name(), net.batchSize());
            List<SanityCheck.Row> result = SanityCheck.run(ex, net, ms, p, s.x, s.n, targets, randomSeed,
                    line -> System.err.println("  " + line));
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            root.put("format", "loupe-sanity/1");
            root.put("test", "cascading model-parameter randomization (Adebayo et al. 2018), top layer first, cumulative");
            root.put("similarity", "Spearman rank correlation of |attribution| per sample, mean and std over samples");
            root.put("targets", "the trained model's predicted classes, held fixed");
            root.put("samples", s.n);
            root.put("random_seed", randomSeed);
            root.set("provenance", json.valueToTree(s.provenance(b, net)));
            ArrayNode arr = root.putArray("methods");
            StringBuilder table = new StringBuilder(String.format("%-11s", "method"));
            for (String l : result.getFirst().layers()) table.append(String.format(" %9s", "+" + l));
            table.append('\n');
            for (SanityCheck.Row r : result) {
                ObjectNode o = arr.addObject();
                o.put("method", r.method().cliName());
                o.set("parameters", json.valueToTree(p.describe(r.method())));
                o.putPOJO("layers_randomized_cumulatively", r.layers());
                o.putPOJO("mean_spearman", r.meanSpearman());
                o.putPOJO("std_spearman", r.stdSpearman());
                table.append(String.format("%-11s", r.method().cliName()));
                for (double v : r.meanSpearman()) table.append(String.format(" %9.3f", v));
                table.append('\n');
            }
            AtomicFiles.writeBytes(run.resolve("explain").resolve("sanity.json"),
                    json.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
            System.out.println("Spearman rank correlation of |attribution| with the trained model's, layers randomized cumulatively from the top:");
            System.out.print(table);
            System.out.println("wrote " + run.resolve("explain").resolve("sanity.json"));
        }
        return 0;
    }
}
