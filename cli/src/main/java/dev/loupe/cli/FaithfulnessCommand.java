package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.explain.ExplainMethod;
import dev.loupe.engine.explain.ExplainParams;
import dev.loupe.engine.explain.Explainer;
import dev.loupe.engine.explain.Faithfulness;
import dev.loupe.engine.explain.GradientRunner;
import dev.loupe.engine.nn.Network;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code loupe faithfulness}: deletion and insertion AUC per attribution method. */
@Command(name = "faithfulness", mixinStandardHelpOptions = true,
        description = {"Deletion and insertion AUC of each explanation method (Petsiuk et al. 2018).",
                "Remove (or restore) pixels in order of attribution, --step of the image at a time, replacing them",
                "with the substrate, and track the target class's softmax probability. Deletion AUC: lower is better;",
                "insertion AUC: higher is better. A random ordering is reported as the chance level. Writes RUN/explain/faithfulness.json."})
final class FaithfulnessCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run directory")
    Path run;

    @Option(names = "--checkpoint", description = "checkpoint name (default: the newest)")
    String checkpoint;

    @Option(names = "--method", defaultValue = "all", split = ",", description = "methods to score, or all (default: ${DEFAULT-VALUE})")
    List<String> methods;

    @Option(names = "--samples", defaultValue = "32", description = "first N test samples (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--input", paramLabel = "FILE|DIR", description = "inputs instead of the test samples: an .npy array, an image "
            + "or a folder of images, as in loupe explain")
    Path input;

    @Option(names = "--invert", description = "with image --input: use 1 − v (dark-on-light pictures, a model trained on Fashion-MNIST)")
    boolean invert;

    @Option(names = "--step", defaultValue = "0.05", description = "fraction of pixels changed per step (default: ${DEFAULT-VALUE})")
    double step;

    @Option(names = "--substrate", defaultValue = "zero", description = "what replaces removed pixels: zero or blur (Gaussian, sigma 5 px) (default: ${DEFAULT-VALUE})")
    String substrate;

    @Mixin
    MethodOptions opts = new MethodOptions();

    @Override
    public Integer call() throws Exception {
        List<ExplainMethod> ms = ExplainCommand.parseMethods(methods);
        Faithfulness.Settings settings = new Faithfulness.Settings(step, substrate);
        ExplainParams p = opts.params();
        ExplainSetup s = ExplainSetup.load(run, checkpoint, input == null ? samples : null, input, invert, false);
        int[] shape = s.spec.inputShape();
        if (shape.length != 3) throw new BadInputException("faithfulness needs an image model; this one takes " + java.util.Arrays.toString(shape));
        long rows = s.n * (settings.steps() + 1L);
        for (ExplainMethod m : ms) rows = Math.max(rows, s.n * ExplainCommand.rowsPerSample(m, p, shape));
        try (Backend b = Backends.open(opts.backend)) {
            Network net = s.plannedNetwork(b, rows, opts.internalBatch);
            GradientRunner runner = new GradientRunner(net, null);
            Explainer ex = new Explainer(runner);
            int[] targets = Explainer.argmax(ex.logits(s.x, s.n), net.outputSize());
            System.out.printf("deletion/insertion on %d inputs (%s) of %s, %s, step %.3g, substrate %s%n", s.n, s.sampleSource,
                    s.checkpoint.getFileName(), b.name(), step, substrate);
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode();
            root.put("format", "loupe-faithfulness/1");
            ObjectNode set = root.putObject("settings");
            set.put("step_fraction", step).put("steps", settings.steps()).put("substrate", substrate)
                    .put("score", "softmax probability of the target class (the trained model's prediction), mean over samples")
                    .put("order", "descending per-pixel attribution: sum over channels of the value (signed methods) or of |value|")
                    .put("auc", "trapezoid over the fraction of pixels changed, [0, 1]");
            root.put("samples", s.n);
            root.set("provenance", json.valueToTree(s.provenance(b, net)));
            ArrayNode arr = root.putArray("methods");
            System.out.printf("%-11s %13s %14s%n", "method", "deletion AUC", "insertion AUC");
            int hw = shape[0] * shape[1];
            Faithfulness.Curves chance = Faithfulness.measure(runner, s.x, s.n, shape, Faithfulness.randomScores(s.n, hw, 7), targets, settings);
            add(arr, "random order", null, chance, json);
            for (ExplainMethod m : ms) {
                float[] attr = ex.explain(m, p, s.x, s.n, targets, null).values();
                Faithfulness.Curves c = Faithfulness.measure(runner, s.x, s.n, shape, Faithfulness.pixelScores(attr, s.n, shape, m.signed()), targets, settings);
                add(arr, m.cliName(), json.valueToTree(p.describe(m)), c, json);
            }
            AtomicFiles.writeBytes(run.resolve("explain").resolve("faithfulness.json"),
                    json.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8));
            System.out.println("wrote " + run.resolve("explain").resolve("faithfulness.json") + " (deletion: lower is better; insertion: higher is better)");
        }
        return 0;
    }

    private static void add(ArrayNode arr, String name, com.fasterxml.jackson.databind.JsonNode params, Faithfulness.Curves c, ObjectMapper json) {
        ObjectNode o = arr.addObject();
        o.put("method", name);
        if (params != null) o.set("parameters", params);
        o.put("deletion_auc", c.deletionAuc()).put("insertion_auc", c.insertionAuc());
        o.putPOJO("deletion_curve", c.deletion());
        o.putPOJO("insertion_curve", c.insertion());
        System.out.printf("%-11s %13.4f %14.4f%n", name, c.deletionAuc(), c.insertionAuc());
    }
}
