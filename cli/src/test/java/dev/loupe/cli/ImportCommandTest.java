package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.datasets.Dataset;
import dev.loupe.datasets.FashionMnist;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** {@code loupe import --dl4j}: a trained DL4J CNN becomes a run whose {@code predict} output equals DL4J's. */
class ImportCommandTest {
    @TempDir
    Path tmp;

    private static NeuralNetConfiguration.ListBuilder base() {
        return new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT).updater(new Adam(1e-3)).list();
    }

    private static MultiLayerNetwork smallCnn(boolean withBatchNorm) {
        NeuralNetConfiguration.ListBuilder b = base()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.RELU).build());
        if (withBatchNorm) b.layer(new BatchNormalization.Builder().build());
        b.layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(12).padding(1, 1).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1));
        MultiLayerNetwork net = new MultiLayerNetwork(b.build());
        net.init();
        return net;
    }

    private CliRunner.Outcome expectBadInput(String mustMention, String... args) {
        CliRunner.Outcome o = CliRunner.run(args);
        assertEquals(2, o.exit(), () -> "exit code; stdout: " + o.out() + "\nstderr: " + o.err());
        assertEquals(1, o.err().lines().filter(l -> l.startsWith("loupe:")).count(), () -> "one error line, got:\n" + o.err());
        assertTrue(o.err().contains(mustMention), () -> "stderr should mention '" + mustMention + "': " + o.err());
        return o;
    }

    /** Nothing under the run's name, and no temporary sibling left behind. */
    private void assertNothingWritten(Path run) throws IOException {
        assertFalse(Files.exists(run), run + " must not exist");
        try (Stream<Path> s = Files.list(run.getParent())) {
            List<String> leftovers = s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp-")).toList();
            assertEquals(List.of(), leftovers);
        }
    }

    @Test
    void importedTrainedCnnPredictsWhatDl4jPredicts() throws IOException {
        Dataset fm = FashionMnist.loadEmbedded();
        int n = 128;
        MultiLayerNetwork dl4j = smallCnn(false);
        INDArray x = Nd4j.create(Arrays.copyOf(fm.trainInputs(), n * 784), new long[] {n, 784}, 'c');
        float[] labels = Arrays.copyOf(fm.trainTargets(), n);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        for (int i = 0; i < n; i++) y.putScalar(i, (int) labels[i], 1f);
        for (int i = 0; i < 10; i++) dl4j.fit(new DataSet(x, y));
        Path zip = tmp.resolve("fashion-cnn.zip");
        ModelSerializer.writeModel(dl4j, zip.toFile(), false);

        Path run = tmp.resolve("imported");
        CliRunner.Outcome o = CliRunner.run("import", "--dl4j", zip.toString(), "--run", run.toString());
        assertEquals(0, o.exit(), () -> o.out() + o.err());
        JsonNode manifest = new ObjectMapper().readTree(run.resolve("run.json").toFile());
        assertEquals("imported from DL4J " + zip.toAbsolutePath(), manifest.get("source").asText());
        assertTrue(manifest.get("import").get("check_max_abs_diff").asDouble() < 1e-5);
        assertTrue(Files.isRegularFile(run.resolve("checkpoints/step-0/model.json")));

        // test images, NHWC (one channel, so DL4J's flat CHW order is the same floats)
        int m = 50;
        float[] test = Arrays.copyOf(fm.testInputs(), m * 784);
        Path in = tmp.resolve("x.npy"), out = tmp.resolve("logits.npy");
        NpyFiles.write(in, new NpyArray(new int[] {m, 28, 28, 1}, test));
        CliRunner.Outcome p = CliRunner.run("predict", "--run", run.toString(), "--input", in.toString(), "--output", out.toString(),
                "--backend", "reference");
        assertEquals(0, p.exit(), () -> p.out() + p.err());
        NpyArray logits = NpyFiles.read(out);
        assertArrayEquals(new int[] {m, 10}, logits.shape());
        assertTrue(p.out().contains("input 0: class "), p.out());

        // ready to explain: attributions for the same images, and clear errors where it needs a dataset
        CliRunner.Outcome e = CliRunner.run("explain", "--run", run.toString(), "--input", in.toString(), "--method", "saliency,gradcam",
                "--backend", "reference");
        assertEquals(0, e.exit(), () -> e.out() + e.err());
        assertArrayEquals(new int[] {m, 28, 28, 1}, NpyFiles.read(run.resolve("explain/saliency/attributions.npy")).shape());
        CliRunner.Outcome noData = CliRunner.run("explain", "--run", run.toString(), "--samples", "4", "--backend", "reference");
        assertEquals(2, noData.exit(), noData.err());
        assertTrue(noData.err().contains("give the inputs with --input"), noData.err());
        Path few = tmp.resolve("x4.npy");
        NpyFiles.write(few, new NpyArray(new int[] {4, 28, 28, 1}, Arrays.copyOf(test, 4 * 784)));
        for (String cmd : new String[] {"sanity", "faithfulness"}) {
            CliRunner.Outcome c = CliRunner.run(cmd, "--run", run.toString(), "--input", few.toString(), "--method", "saliency",
                    "--backend", "reference");
            assertEquals(0, c.exit(), () -> cmd + ": " + c.out() + c.err());
            assertTrue(Files.isRegularFile(run.resolve("explain").resolve(cmd + ".json")), cmd);
        }

        float[] probs = dl4j.output(Nd4j.create(test, new long[] {m, 784}, 'c'), false).dup('c').data().asFloat();
        double worst = 0;
        for (int r = 0; r < m; r++) {
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int c = 0; c < 10; c++) max = Math.max(max, logits.data()[r * 10 + c]);
            for (int c = 0; c < 10; c++) z += Math.exp(logits.data()[r * 10 + c] - max);
            for (int c = 0; c < 10; c++) {
                worst = Math.max(worst, Math.abs(Math.exp(logits.data()[r * 10 + c] - max) / z - probs[r * 10 + c]));
            }
        }
        System.out.printf("import+predict: max |softmax(loupe logits) - dl4j output| = %.2e over %d test images%n", worst, m);
        assertTrue(worst < 1e-5, "predictions differ by " + worst);

        expectBadInput("no training run to resume", "train", "--resume", "--run", run.toString());
    }

    @Test
    void badInputExitsTwoAndWritesNothing() throws IOException {
        Path run = tmp.resolve("r");
        expectBadInput("not found", "import", "--dl4j", tmp.resolve("missing.zip").toString(), "--run", run.toString());
        assertNothingWritten(run);

        Path text = Files.writeString(tmp.resolve("model.zip"), "not a zip at all");
        expectBadInput("not a DL4J model", "import", "--dl4j", text.toString(), "--run", run.toString());
        assertNothingWritten(run);

        Path bn = tmp.resolve("bn.zip");
        ModelSerializer.writeModel(smallCnn(true), bn.toFile(), false);
        expectBadInput("layer 1 (BatchNormalization)", "import", "--dl4j", bn.toString(), "--run", run.toString());
        assertNothingWritten(run);

        Path good = tmp.resolve("good.zip");
        ModelSerializer.writeModel(smallCnn(false), good.toFile(), false);
        Files.createDirectories(run);
        Files.writeString(run.resolve("keep.txt"), "mine");
        expectBadInput("not empty", "import", "--dl4j", good.toString(), "--run", run.toString());
        assertEquals("mine", Files.readString(run.resolve("keep.txt")));
    }

    @Test
    void kerasModelImportsAndPredictsTheNumpyReference() throws IOException {
        // the fixture the engine's KerasImportTest uses (written by scripts/make_keras_fixture.py)
        Path fixtures = Path.of("../engine/src/test/resources/dev/loupe/engine/interop/keras").toAbsolutePath().normalize();
        Path run = tmp.resolve("keras-run"), out = tmp.resolve("p.npy");
        CliRunner.Outcome o = CliRunner.run("import", "--keras", fixtures.resolve("cnn.h5").toString(), "--run", run.toString());
        assertEquals(0, o.exit(), () -> o.out() + o.err());
        CliRunner.Outcome p = CliRunner.run("predict", "--run", run.toString(), "--input", fixtures.resolve("cnn.x.npy").toString(),
                "--output", out.toString(), "--backend", "reference");
        assertEquals(0, p.exit(), () -> p.out() + p.err());
        float[] logits = NpyFiles.read(out).data(), expected = NpyFiles.read(fixtures.resolve("cnn.p.npy")).data();
        double worst = 0;
        for (int r = 0; r < 5; r++) {
            double max = Double.NEGATIVE_INFINITY, z = 0;
            for (int c = 0; c < 3; c++) max = Math.max(max, logits[r * 3 + c]);
            for (int c = 0; c < 3; c++) z += Math.exp(logits[r * 3 + c] - max);
            for (int c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(Math.exp(logits[r * 3 + c] - max) / z - expected[r * 3 + c]));
        }
        assertTrue(worst < 1e-5, "Keras predictions differ by " + worst);

        Path run2 = tmp.resolve("k2");
        expectBadInput("mutually exclusive", "import", "--keras", "a.h5", "--dl4j", "b.zip", "--run", run2.toString());
        expectBadInput("not found", "import", "--keras", tmp.resolve("none.h5").toString(), "--run", run2.toString());
        assertNothingWritten(run2);
    }

    @Test
    void helpNamesTheOptions() {
        CliRunner.Outcome o = CliRunner.run("import", "--help");
        assertEquals(0, o.exit());
        assertTrue(o.out().contains("--dl4j") && o.out().contains("--keras") && o.out().contains("--input-shape"), o.out());
    }
}
