package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe explain}, {@code sanity} and {@code faithfulness} on a small conv model trained on patches. */
class ExplainCliTest {
    @TempDir
    static Path tmp;
    static String run;

    @BeforeAll
    static void trainTinyConvNet() throws Exception {
        Path model = tmp.resolve("tiny.json");
        Files.writeString(model, "{\"name\": \"tiny\", \"layers\": [{\"type\": \"conv2d\", \"filters\": 4, \"kernel\": 3},"
                + " {\"type\": \"relu\"}, {\"type\": \"maxpool2d\", \"size\": 2}, {\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 4}]}");
        run = tmp.resolve("run").toString();
        CliRunner.Outcome o = CliRunner.run("train", "--dataset", "patches", "--model", model.toString(), "--train-limit", "200",
                "--epochs", "1", "--batch", "50", "--backend", "reference", "--run", run);
        assertEquals(0, o.exit(), o.err());
    }

    private static CliRunner.Outcome ok(String... args) {
        CliRunner.Outcome o = CliRunner.run(args);
        assertEquals(0, o.exit(), () -> String.join(" ", args) + "\n" + o.out() + "\n" + o.err());
        return o;
    }

    private static void bad(String mustMention, String... args) {
        CliRunner.Outcome o = CliRunner.run(args);
        assertEquals(2, o.exit(), () -> "exit code for " + String.join(" ", args) + "\nstdout: " + o.out() + "\nstderr: " + o.err());
        assertEquals(1, o.err().lines().filter(l -> !l.isBlank()).count(), () -> "one line on stderr, got:\n" + o.err());
        assertTrue(o.err().startsWith("loupe:"), () -> "stderr should be the error line: " + o.err());
        assertTrue(o.err().toLowerCase().contains(mustMention.toLowerCase()), () -> "stderr should mention '" + mustMention + "': " + o.err());
    }

    @Test
    void explainWritesAttributionsInputsAndMetaForEveryMethod() throws Exception {
        ok("explain", "--run", run, "--method", "all", "--samples", "3", "--steps", "6", "--nt-samples", "3", "--backend", "reference");
        ObjectMapper json = new ObjectMapper();
        for (String m : new String[] {"saliency", "grad-input", "ig", "smoothgrad", "vargrad", "gradcam", "gradcam++", "occlusion"}) {
            Path dir = Path.of(run, "explain", m);
            NpyArray a = NpyFiles.read(dir.resolve("attributions.npy")), x = NpyFiles.read(dir.resolve("inputs.npy"));
            assertArrayEquals(new int[] {3, 28, 28, 1}, a.shape(), m);
            assertArrayEquals(new int[] {3, 28, 28, 1}, x.shape(), m);
            assertArrayEquals(new int[] {3, 28, 28}, NpyFiles.read(dir.resolve("regions.npy")).shape(), m);
            JsonNode meta = json.readTree(dir.resolve("meta.json").toFile());
            assertEquals(m, meta.path("method").asText());
            assertEquals(3, meta.path("predicted").size());
            assertEquals(3, meta.path("labels").size());
            assertTrue(meta.path("provenance").path("checkpoint").asText().startsWith("step-"));
            assertTrue(meta.path("localization").has("pointing_game_hit_rate"), m);
            if (m.equals("ig")) {
                assertEquals(3, meta.path("convergence_delta").size());
                assertEquals("zero", meta.path("parameters").path("baseline").asText());
            }
            if (m.equals("gradcam")) assertEquals("relu1", meta.path("parameters").path("layer").asText());
        }
    }

    @Test
    void integratedGradientsDoNotDependOnTheInternalBatch() {
        ok("explain", "--run", run, "--method", "ig,smoothgrad", "--samples", "2", "--steps", "8", "--nt-samples", "3",
                "--internal-batch", "1", "--backend", "reference");
        float[] ig1 = NpyFiles.read(Path.of(run, "explain", "ig", "attributions.npy")).data();
        float[] sg1 = NpyFiles.read(Path.of(run, "explain", "smoothgrad", "attributions.npy")).data();
        ok("explain", "--run", run, "--method", "ig,smoothgrad", "--samples", "2", "--steps", "8", "--nt-samples", "3",
                "--internal-batch", "13", "--backend", "reference");
        assertArrayEquals(ig1, NpyFiles.read(Path.of(run, "explain", "ig", "attributions.npy")).data(), 1e-6f);
        assertArrayEquals(sg1, NpyFiles.read(Path.of(run, "explain", "smoothgrad", "attributions.npy")).data(), 1e-6f);
    }

    @Test
    void explainAnNpyInputAgainstAFixedClass() throws Exception {
        Path in = tmp.resolve("two.npy");
        NpyFiles.write(in, new NpyArray(new int[] {2, 784}, new float[2 * 784]));
        ok("explain", "--run", run, "--method", "saliency", "--input", in.toString(), "--target", "3", "--backend", "reference");
        JsonNode meta = new ObjectMapper().readTree(Path.of(run, "explain", "saliency", "meta.json").toFile());
        assertEquals(3, meta.path("targets").get(1).asInt());
        assertFalse(meta.has("labels"));
    }

    @Test
    void sanityAndFaithfulnessWriteTheirReports() throws Exception {
        ok("sanity", "--run", run, "--method", "saliency,gradcam", "--samples", "2", "--backend", "reference");
        JsonNode s = new ObjectMapper().readTree(Path.of(run, "explain", "sanity.json").toFile());
        assertEquals(2, s.path("methods").size());
        assertEquals("dense1", s.path("methods").get(0).path("layers_randomized_cumulatively").get(0).asText());
        assertEquals(2, s.path("methods").get(0).path("mean_spearman").size());
        ok("faithfulness", "--run", run, "--method", "saliency,occlusion", "--samples", "2", "--step", "0.25", "--substrate", "blur",
                "--backend", "reference");
        JsonNode f = new ObjectMapper().readTree(Path.of(run, "explain", "faithfulness.json").toFile());
        assertEquals(0.25, f.path("settings").path("step_fraction").asDouble());
        assertEquals("blur", f.path("settings").path("substrate").asText());
        assertEquals(3, f.path("methods").size(), "random order + 2 methods");
        assertEquals(5, f.path("methods").get(1).path("deletion_curve").size());
    }

    @Test
    void imageFilesCanBePredictedAndExplained() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("pictures"));
        for (String name : new String[] {"one.png", "two.png"}) {
            java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(56, 56, java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int r = 0; r < 56; r++) for (int c = 0; c < 56; c++) img.setRGB(c, r, (r / 4 % 2 == 0) == name.startsWith("one") ? 0xffffff : 0);
            javax.imageio.ImageIO.write(img, "png", dir.resolve(name).toFile());
        }
        Path logits = tmp.resolve("logits.npy");
        CliRunner.Outcome p = ok("predict", "--run", run, "--input", dir.toString(), "--output", logits.toString(), "--backend", "reference");
        assertTrue(p.out().contains("one.png: ") && p.out().contains("two.png: ") && p.out().contains("(p = "), p.out());
        assertArrayEquals(new int[] {2, 4}, NpyFiles.read(logits).shape());
        ok("explain", "--run", run, "--input", dir.resolve("two.png").toString(), "--invert", "--method", "saliency", "--backend", "reference");
        JsonNode meta = new ObjectMapper().readTree(Path.of(run, "explain", "saliency", "meta.json").toFile());
        assertEquals("two.png", meta.path("provenance").path("input_files").path(0).asText(), meta.toString());
        assertTrue(meta.path("provenance").path("samples").asText().contains("inverted"), meta.toString());
        bad("--invert applies to image files", "explain", "--run", run, "--samples", "2", "--invert", "--backend", "reference");
        bad("holds no images", "predict", "--run", run, "--input", Files.createDirectories(tmp.resolve("none")).toString());
    }

    @Test
    void badInputEndsWithOneLineAndExitCode2() throws Exception {
        bad("unknown explanation method 'lime'", "explain", "--run", run, "--method", "lime");
        bad("spatial output", "explain", "--run", run, "--method", "gradcam", "--layer", "dense1", "--samples", "1", "--backend", "reference");
        bad("no layer named 'conv9'", "explain", "--run", run, "--method", "gradcam", "--layer", "conv9", "--samples", "1", "--backend", "reference");
        // with several methods, a bad --layer is caught before the first method writes anything
        Path fresh = tmp.resolve("fresh-run");
        CliRunner.copyRun(Path.of(run), fresh, "explain");
        bad("no layer named 'conv9'", "explain", "--run", fresh.toString(), "--method", "all", "--layer", "conv9", "--samples", "1", "--backend", "reference");
        assertFalse(Files.exists(fresh.resolve("explain")), "nothing written before the bad --layer was found");
        bad("out of range", "explain", "--run", run, "--method", "saliency", "--target", "7", "--samples", "1", "--backend", "reference");
        bad("--target must be", "explain", "--run", run, "--method", "saliency", "--target", "best", "--samples", "1", "--backend", "reference");
        Path wrong = tmp.resolve("wrong.npy");
        NpyFiles.write(wrong, new NpyArray(new int[] {2, 5}, new float[10]));
        bad("does not fit the model's input", "explain", "--run", run, "--input", wrong.toString());
        Path in = tmp.resolve("ok.npy");
        NpyFiles.write(in, new NpyArray(new int[] {1, 28, 28, 1}, new float[784]));
        bad("needs labels", "explain", "--run", run, "--input", in.toString(), "--target", "label", "--method", "saliency", "--backend", "reference");
        bad("no checkpoint 'step-999'", "explain", "--run", run, "--checkpoint", "step-999");
        bad("missing run.json", "explain", "--run", tmp.resolve("nothing").toString());
        bad("unknown baseline 'noise'", "explain", "--run", run, "--baseline", "noise");
        bad("--steps must be at least 2", "explain", "--run", run, "--steps", "1");
        bad("substrate", "faithfulness", "--run", run, "--substrate", "grey");
        bad("unknown explanation method", "sanity", "--run", run, "--method", "lime");
    }
}
