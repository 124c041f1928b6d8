package dev.loupe.cli;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.Dataset;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Versions;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.train.EpochEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** {@code run.json}: a run's provenance (config, seed, backend, device, versions, data, git commit) and results. */
final class RunManifest {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
            .setVisibility(PropertyAccessor.GETTER, JsonAutoDetect.Visibility.NONE)
            .setVisibility(PropertyAccessor.IS_GETTER, JsonAutoDetect.Visibility.NONE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final Path dir;
    private final ObjectNode root;

    private RunManifest(Path dir, ObjectNode root) {
        this.dir = dir;
        this.root = root;
    }

    static RunManifest create(Path dir, TrainOptions o, Dataset data, ModelSpec spec, Network net, Backend backend) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "loupe-run/1");
        root.put("created", Instant.now().toString());
        root.set("config", JSON.valueToTree(o));
        root.put("seed", o.seed);
        ObjectNode b = root.putObject("backend");
        b.put("name", backend.name()).put("device", backend.device());
        ObjectNode d = root.putObject("data");
        d.put("name", data.name()).put("source", data.source()).put("train", data.trainCount()).put("test", data.testCount())
                .put("classes", data.numClasses());
        d.putPOJO("input_shape", data.inputShape());
        ObjectNode m = root.putObject("model");
        m.put("name", spec.name()).put("parameters", net.paramCount());
        root.set("versions", JSON.valueToTree(Versions.all()));
        root.put("git_commit", gitCommit());
        RunManifest r = new RunManifest(dir, root);
        r.write();
        return r;
    }

    /**
     * The manifest of a model brought in from another framework: no training config (it cannot be
     * resumed), a {@code source} line and the importer's own {@code details} instead.
     */
    static RunManifest imported(Path dir, String source, ModelSpec spec, long parameters, int classes, ObjectNode details) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "loupe-run/1");
        root.put("created", Instant.now().toString());
        root.put("source", source);
        ObjectNode d = root.putObject("data");
        d.put("name", "none (imported model)").put("classes", classes);
        d.putPOJO("input_shape", spec.inputShape());
        ObjectNode m = root.putObject("model");
        m.put("name", spec.name()).put("parameters", parameters);
        root.set("import", details);
        root.set("versions", JSON.valueToTree(Versions.all()));
        root.put("git_commit", gitCommit());
        RunManifest r = new RunManifest(dir, root);
        r.write();
        return r;
    }

    static RunManifest read(Path dir) {
        Path file = dir.resolve("run.json");
        if (!Files.isRegularFile(file)) throw new BadInputException("no run at " + dir + " (missing run.json)");
        try {
            return new RunManifest(dir, (ObjectNode) JSON.readTree(file.toFile()));
        } catch (IOException | ClassCastException e) {
            throw new BadInputException(file + " is not a valid run manifest: " + e.getMessage());
        }
    }

    /** The class count the run's data has (0 for regression, or when the manifest does not say). */
    int classes() {
        return root.path("data").path("classes").asInt(0);
    }

    /** The training options, or null for a model imported from another framework (it was not trained here). */
    TrainOptions optionsIfTrained() {
        return root.hasNonNull("config") ? options() : null;
    }

    /** The training options this run was started with. */
    TrainOptions options() {
        if (!root.hasNonNull("config")) {
            throw new BadInputException(dir + " holds a model " + root.path("source").asText("without training configuration")
                    + "; it has no training run to resume");
        }
        try {
            return JSON.treeToValue(root.get("config"), TrainOptions.class);
        } catch (IOException e) {
            throw new BadInputException(dir.resolve("run.json") + ": unreadable config: " + e.getMessage());
        }
    }

    /** Records the final metrics. */
    void finish(EpochEvent last) {
        ObjectNode r = root.putObject("result");
        r.put("epochs", last.epoch() + 1).put("steps", last.step()).put("train_loss", last.trainLoss())
                .put("test_loss", last.testLoss());
        if (!Double.isNaN(last.trainAccuracy())) r.put("train_accuracy", last.trainAccuracy());
        if (!Double.isNaN(last.testAccuracy())) r.put("test_accuracy", last.testAccuracy());
        r.put("finished", Instant.now().toString());
        write();
    }

    private void write() {
        try {
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
            AtomicFiles.writeBytes(dir.resolve("run.json"), bytes);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0 && out.matches("[0-9a-f]{40}")) return out;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "unknown";
    }
}
