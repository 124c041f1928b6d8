package dev.loupe.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.interop.Dl4jModels;
import dev.loupe.engine.interop.KerasModels;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.train.Checkpoints;
import dev.loupe.engine.train.TrainState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loupe import}: turns a trained DL4J or Keras model into a Loupe run directory ({@code run.json}
 * and checkpoint {@code step-0}) that {@code predict} and the explainers read like any other run.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Convert a trained DL4J (.zip) or Keras Sequential (.h5) model into a Loupe run.",
                "The run directory (run.json + checkpoint step-0) is what predict and the explainers read.",
                "Before anything is written, Loupe's outputs are compared with DL4J's on random inputs.",
                "The imported model takes images channels-last, [N, H, W, C], like every Loupe model.",
                "Layers: dense, conv (square kernels), max/avg pooling, global average pooling, dropout and",
                "relu/leakyrelu/sigmoid/tanh/identity activations; anything else is refused by name."})
final class ImportCommand implements Callable<Integer> {
    /** Largest |DL4J − Loupe| output difference an import may show; beyond it the conversion is wrong. */
    static final double TOLERANCE = 1e-4;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source from;

    /** Exactly one model file, DL4J or Keras. */
    static final class Source {
        @Option(names = "--dl4j", required = true, paramLabel = "FILE", description = "DL4J MultiLayerNetwork zip written by ModelSerializer")
        Path dl4j;

        @Option(names = "--keras", required = true, paramLabel = "FILE",
                description = "Keras Sequential model saved as HDF5 (.h5, Keras 2 format), read through DL4J's Keras importer")
        Path keras;
    }

    @Option(names = "--run", required = true, paramLabel = "DIR", description = "run directory to create (must not exist or be empty)")
    Path run;

    @Option(names = "--input-shape", split = ",", paramLabel = "H,W,C", hideParamSyntax = true,
            description = "input shape; needed only when the DL4J network starts with a convolution and was not "
                    + "configured with InputType.convolutionalFlat (DL4J does not store image sizes then)")
    int[] inputShape;

    @Option(names = "--check-samples", defaultValue = "16",
            description = "random inputs on which DL4J's and Loupe's outputs are compared (default: ${DEFAULT-VALUE})")
    int checkSamples;

    @Override
    public Integer call() {
        if (checkSamples <= 0) throw new BadInputException("--check-samples must be positive, got " + checkSamples);
        requireFreshRunDir(run);
        Path file = from.dl4j != null ? from.dl4j : from.keras;
        String framework = from.dl4j != null ? "DL4J" : "Keras";
        Dl4jModels.Checked checked = from.dl4j != null
                ? Dl4jModels.importChecked(file, inputShape, checkSamples, 1234)
                : KerasModels.importChecked(file, inputShape, checkSamples, 1234);
        if (!(checked.maxAbsDiff() <= TOLERANCE)) {
            // a conversion that passes every layer check but computes something else is Loupe's bug, not the user's
            throw new IllegalStateException("imported model's outputs differ from DL4J's by " + checked.maxAbsDiff()
                    + " (tolerance " + TOLERANCE + ")");
        }
        ModelSpec imported = checked.model().spec();
        String stem = file.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        ModelSpec spec = new ModelSpec(stem, imported.inputShape(), imported.layers(), imported.loss());
        String source = "imported from " + framework + " " + file.toAbsolutePath();
        try (ReferenceBackend backend = new ReferenceBackend()) {
            Network net = new Network(backend, spec, 1, 0);
            net.setParams(checked.model().params());
            int classes = spec.loss() == ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY ? net.outputSize() : 0;
            ObjectNode details = JsonNodeFactory.instance.objectNode();
            details.put("framework", framework).put("file", file.toAbsolutePath().toString())
                    .put("check_samples", checked.samples()).put("check_max_abs_diff", checked.maxAbsDiff())
                    .put("layout", "inputs NHWC; conv weights [kh, kw, c, f]; dense rows after flatten in (h, w, c) order");
            // build the whole run under a temporary name and rename it: a failure leaves nothing at --run
            AtomicFiles.writeDirectory(run.toAbsolutePath(), tmp -> {
                RunManifest.imported(tmp, source, spec, net.paramCount(), classes, details);
                new Checkpoints(tmp, 1).save(TrainState.START, net, new Updater(net, new Optimizer.Sgd(0, false, 0)));
            });
            System.out.printf("imported %s: %d layers, %d parameters, input %s, loss %s%n", file, spec.layers().size(),
                    net.paramCount(), Arrays.toString(spec.inputShape()), spec.loss());
            System.out.printf("checked on %d random inputs: max |DL4J - Loupe| = %.2e%n", checked.samples(), checked.maxAbsDiff());
            System.out.println("wrote " + run + " (checkpoint step-0)");
        }
        return 0;
    }

    private static void requireFreshRunDir(Path dir) {
        if (!Files.exists(dir)) return;
        if (!Files.isDirectory(dir)) throw new BadInputException("--run " + dir + " is a file, not a directory");
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) throw new BadInputException("--run " + dir + " already exists and is not empty; choose another directory");
        } catch (IOException e) {
            throw new BadInputException("cannot read --run " + dir + ": " + e.getMessage());
        }
    }
}
