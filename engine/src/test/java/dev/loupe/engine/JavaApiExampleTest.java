package dev.loupe.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.DataSources;
import dev.loupe.datasets.Dataset;
import dev.loupe.engine.explain.ExplainMethod;
import dev.loupe.engine.explain.ExplainParams;
import dev.loupe.engine.explain.Explainer;
import dev.loupe.engine.explain.Explanation;
import dev.loupe.engine.explain.GradientRunner;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.LrSchedule;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.record.RecordConfig;
import dev.loupe.engine.record.Recorder;
import dev.loupe.engine.train.Checkpointer;
import dev.loupe.engine.train.TrainConfig;
import dev.loupe.engine.train.TrainState;
import dev.loupe.engine.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "From Java" example, kept here so that it compiles and runs: train a CNN with
 * recording on, then explain test images with integrated gradients. Edit both together.
 */
class JavaApiExampleTest {
    @TempDir
    Path tmp;

    @Test
    void readmeExampleTrainsRecordsAndExplains() throws Exception {
        Path events = tmp.resolve("events");
        // --- README example (from here) ---
        Dataset data = DataSources.load("patches", null, 42);          // or "fashion-mnist", or your own Dataset
        try (Backend backend = Backends.open("auto");                   // cuda if there is a GPU, else nd4j
             Network net = new Network(backend, Models.cnn(data.inputShape(), data.numClasses()), 64, 42)) {
            Updater updater = new Updater(net, new Optimizer.Sgd(0.9f, false, 0f));
            TrainConfig cfg = new TrainConfig(1, 64, LrSchedule.constant(0.01f), updater.optimizer(), 42, 0, 1);
            try (Recorder recorder = new Recorder(net, updater, RecordConfig.defaults(), events)) {
                Trainer.Result r = Trainer.fit(net, updater, data, cfg, TrainState.START, List.of(recorder), Checkpointer.NONE);
                System.out.printf("test accuracy %.4f%n", r.last().testAccuracy());
            }
            int n = 8;                                                   // explain the first 8 test images
            float[] x = Arrays.copyOf(data.testInputs(), n * data.inputSize());
            Explainer explainer = new Explainer(new GradientRunner(net, null));
            int[] predicted = Explainer.argmax(explainer.logits(x, n), net.outputSize());
            Explanation ig = explainer.explain(ExplainMethod.IG, ExplainParams.DEFAULTS, x, n, predicted, new float[x.length]);
            // ig.values(): one attribution per input value, NHWC; ig.delta(): IG's completeness gap per image
            // --- README example (to here) ---
            assertEquals(n * data.inputSize(), ig.values().length);
            assertEquals(n, ig.delta().length);
            for (double d : ig.delta()) assertTrue(Math.abs(d) < 0.1, "IG completeness gap " + d);
        }
        try (var files = Files.list(events)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("events.out.tfevents.")), "TensorBoard event file");
        }
    }

    @Test
    void readmeShowsThisExampleVerbatim() throws Exception {
        List<String> src = Files.readAllLines(Path.of("src/test/java/dev/loupe/engine/JavaApiExampleTest.java"));
        int from = src.indexOf("        // --- README example (from here) ---"), to = src.indexOf("            // --- README example (to here) ---");
        String example = String.join("\n", src.subList(from + 1, to).stream().map(l -> l.substring(Math.min(8, l.length()))).toList())
                + "\n}";
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("```java\n") + "```java\n".length();
        assertEquals(example, readme.substring(start, readme.indexOf("\n```", start)));
    }
}
