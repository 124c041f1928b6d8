package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input ends with one clear line on stderr, exit code 2, and no half-written run. */
class BadInputTest {
    @TempDir
    Path tmp;

    private CliRunner.Outcome expectBadInput(String mustMention, String... args) {
        CliRunner.Outcome o = CliRunner.run(args);
        assertEquals(2, o.exit(), () -> "exit code for " + String.join(" ", args) + "\nstdout: " + o.out() + "\nstderr: " + o.err());
        // progress lines may precede it; the error itself is one line, the last one
        assertEquals(1, o.err().lines().filter(l -> l.startsWith("loupe:")).count(), () -> "one error line on stderr, got:\n" + o.err());
        assertTrue(o.err().strip().lines().reduce((a, b) -> b).orElse("").startsWith("loupe:"), () -> "error must be the last line:\n" + o.err());
        assertTrue(o.err().toLowerCase().contains(mustMention.toLowerCase()), () -> "stderr should mention '" + mustMention + "': " + o.err());
        return o;
    }

    private String run(String name) {
        return tmp.resolve(name).toString();
    }

    @Test
    void unknownModel() {
        expectBadInput("unknown model 'resnet'", "train", "--model", "resnet", "--dataset", "blobs", "--run", run("a"));
        assertFalse(Files.exists(tmp.resolve("a/run.json")));
    }

    @Test
    void unwritableOutputDirectories() throws IOException {
        Path blocker = Files.writeString(tmp.resolve("a-file"), "not a directory");
        String under = blocker.resolve("sub").toString();
        expectBadInput("cannot write to --run directory", "train", "--dataset", "blobs", "--model", "mlp", "--epochs", "1",
                "--backend", "reference", "--run", under);
        expectBadInput("cannot write to --out directory", "example", "linear-regression", "--backend", "reference", "--out", under);
        expectBadInput("cannot write to --run directory", "demo", "--run", under);
        String trained = run("trained");
        assertEquals(0, CliRunner.run("train", "--dataset", "blobs", "--model", "mlp", "--epochs", "1", "--backend", "reference",
                "--record", "off", "--run", trained).exit());
        expectBadInput("cannot write to --out directory", "render", "--run", trained, "--out", under);
        assertEquals("not a directory", Files.readString(blocker));
    }

    @Test
    void unknownDataset() {
        expectBadInput("unknown dataset 'cifar'", "train", "--dataset", "cifar", "--run", run("a"));
    }

    @Test
    void unknownOption() {
        expectBadInput("--epoch", "train", "--epoch", "3");
    }

    @Test
    void nonNumericOption() {
        expectBadInput("--batch", "train", "--batch", "many");
    }

    @Test
    void unknownBackend() {
        expectBadInput("unknown backend 'tpu'", "train", "--dataset", "blobs", "--model", "mlp", "--backend", "tpu", "--run", run("a"));
    }

    @Test
    void malformedModelJson() throws IOException {
        Path m = tmp.resolve("m.json");
        Files.writeString(m, "{\"layers\": [{\"type\": \"dense\", \"units\": 4}, ");
        expectBadInput("not valid JSON", "train", "--model", m.toString(), "--dataset", "blobs", "--run", run("a"));
        Files.writeString(m, "{\"layers\": [{\"type\": \"conv3d\"}]}");
        expectBadInput("unknown type 'conv3d'", "train", "--model", m.toString(), "--dataset", "blobs", "--run", run("a"));
        Files.writeString(m, "{\"layers\": [{\"type\": \"dense\", \"units\": -3}]}");
        expectBadInput("positive integer", "train", "--model", m.toString(), "--dataset", "blobs", "--run", run("a"));
    }

    @Test
    void modelOutputsDoNotMatchClasses() throws IOException {
        Path m = tmp.resolve("m.json");
        Files.writeString(m, "{\"layers\": [{\"type\": \"dense\", \"units\": 7}]}");
        expectBadInput("outputs 7 values", "train", "--model", m.toString(), "--dataset", "blobs", "--run", run("a"));
        assertFalse(Files.exists(tmp.resolve("a/run.json")));
    }

    @Test
    void convolutionOnVectorData() {
        expectBadInput("needs image input", "train", "--model", "cnn", "--dataset", "blobs", "--run", run("a"));
    }

    @Test
    void corruptIdxFiles() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("fm"));
        writeGz(data.resolve("train-images-idx3-ubyte.gz"), new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28});
        writeGz(data.resolve("train-labels-idx1-ubyte.gz"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 1, 2});
        writeGz(data.resolve("t10k-images-idx3-ubyte.gz"), new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28});
        writeGz(data.resolve("t10k-labels-idx1-ubyte.gz"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 1, 2});
        expectBadInput("train-images-idx3-ubyte.gz", "train", "--data", data.toString(), "--run", run("a"));
    }

    @Test
    void labelsOutOfRange() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("fm"));
        byte[] img = new byte[16 + 2 * 28 * 28];
        System.arraycopy(new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28}, 0, img, 0, 16);
        writeGz(data.resolve("train-images-idx3-ubyte.gz"), img);
        writeGz(data.resolve("t10k-images-idx3-ubyte.gz"), img);
        writeGz(data.resolve("train-labels-idx1-ubyte.gz"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 1, 12});
        writeGz(data.resolve("t10k-labels-idx1-ubyte.gz"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 1, 2});
        expectBadInput("12", "train", "--data", data.toString(), "--run", run("a"));
    }

    @Test
    void missingDataFolder() {
        expectBadInput("nowhere", "train", "--data", tmp.resolve("nowhere").toString(), "--run", run("a"));
    }

    @Test
    void divergingTrainingStopsNamingTheLayerAndKeepsTheLastGoodCheckpoint() {
        String dir = run("nan");
        CliRunner.Outcome o = expectBadInput("non-finite", "train", "--dataset", "blobs", "--model", "mlp", "--backend", "reference",
                "--lr", "1e6", "--epochs", "3", "--batch", "500", "--checkpoint-every", "1", "--run", dir);
        assertTrue(o.err().matches("(?s).*(layer|parameter|gradient) \\S+.*"), o.err());
        assertTrue(o.err().contains("step"), o.err());
        // every checkpoint that was kept holds finite parameters
        Path cps = Path.of(dir, "checkpoints");
        if (Files.isDirectory(cps)) {
            try (var s = Files.walk(cps)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".npy")).toList()) {
                    for (float v : NpyFiles.read(p).data()) assertTrue(Float.isFinite(v), p + " holds " + v);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void predictRejectsWrongShapeAndNaN() throws IOException {
        String dir = run("small");
        Path m = tmp.resolve("tiny.json");
        Files.writeString(m, "{\"layers\": [{\"type\": \"dense\", \"units\": 4}]}");
        assertEquals(0, CliRunner.run("train", "--dataset", "blobs", "--model", m.toString(), "--epochs", "1", "--backend", "reference", "--run", dir).exit());
        Path x = tmp.resolve("x.npy");
        NpyFiles.write(x, new NpyArray(new int[] {3, 5}, new float[15]));
        expectBadInput("does not fit", "predict", "--run", dir, "--input", x.toString(), "--output", run("y.npy"));
        float[] bad = new float[6];
        bad[3] = Float.NaN;
        NpyFiles.write(x, new NpyArray(new int[] {3, 2}, bad));
        expectBadInput("non-finite", "predict", "--run", dir, "--input", x.toString(), "--output", run("y.npy"));
        assertFalse(Files.exists(tmp.resolve("y.npy")));
        expectBadInput("no checkpoint 'step-999'", "predict", "--run", dir, "--checkpoint", "step-999", "--input", x.toString(), "--output", run("y.npy"));
        expectBadInput("no run", "predict", "--run", run("none"), "--input", x.toString(), "--output", run("y.npy"));
    }

    @Test
    void existingRunIsNotOverwritten() throws IOException {
        Path m = tmp.resolve("tiny.json");
        Files.writeString(m, "{\"layers\": [{\"type\": \"dense\", \"units\": 4}]}");
        String dir = run("twice");
        assertEquals(0, CliRunner.run("train", "--dataset", "blobs", "--model", m.toString(), "--epochs", "1", "--backend", "reference", "--run", dir).exit());
        expectBadInput("already holds a run", "train", "--dataset", "blobs", "--model", m.toString(), "--run", dir);
    }

    private static void writeGz(Path p, byte[] bytes) throws IOException {
        try (var out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(bytes);
        }
    }
}
