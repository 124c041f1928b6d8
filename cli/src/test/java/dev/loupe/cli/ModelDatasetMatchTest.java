package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.DataSources;
import dev.loupe.datasets.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loss follows the dataset: {@code --model linear} on class labels is a linear softmax
 * classifier (it used to crash, feeding class labels to MSE), and a model file that insists on MSE
 * for class labels is bad input.
 */
class ModelDatasetMatchTest {
    @TempDir
    Path tmp;

    @Test
    void linearModelOnBlobsTrainsAsALinearClassifier() throws Exception {
        String run = tmp.resolve("lin").toString();
        CliRunner.Outcome o = CliRunner.run("train", "--dataset", "blobs", "--model", "linear", "--epochs", "5",
                "--batch", "50", "--lr", "0.1", "--backend", "reference", "--run", run);
        assertEquals(0, o.exit(), () -> "stdout: " + o.out() + "\nstderr: " + o.err());
        Matcher m = Pattern.compile("test_accuracy=([0-9.]+)").matcher(o.out());
        assertTrue(m.find(), o.out());
        double acc = Double.parseDouble(m.group(1));
        // independent yardstick: nearest class mean on the same (isotropic Gaussian) blobs is a linear rule close to Bayes
        double centroid = nearestCentroidAccuracy(DataSources.load("blobs", null, 42));
        assertTrue(centroid > 0.5, "the yardstick itself should beat chance (0.25): " + centroid);
        assertTrue(acc >= centroid - 0.05, "linear classifier " + acc + " vs nearest centroid " + centroid);
        String model = Files.readString(Path.of(run, "run.json")) + Files.walk(Path.of(run)).filter(p -> p.endsWith("model.json"))
                .findFirst().map(p -> { try { return Files.readString(p); } catch (Exception e) { return ""; } }).orElse("");
        assertTrue(model.contains("softmax_cross_entropy"), "the saved model must say which loss it was trained with:\n" + model);
    }

    @Test
    void modelFileAskingForMseOnClassLabelsIsBadInput() throws Exception {
        Path m = Files.writeString(tmp.resolve("reg.json"),
                "{\"name\": \"reg\", \"loss\": \"mse\", \"layers\": [{\"type\": \"dense\", \"units\": 4}]}");
        CliRunner.Outcome o = CliRunner.run("train", "--dataset", "blobs", "--model", m.toString(), "--epochs", "1",
                "--backend", "reference", "--run", tmp.resolve("r").toString());
        assertEquals(2, o.exit(), () -> "stdout: " + o.out() + "\nstderr: " + o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().startsWith("loupe: ") && o.err().contains("mse") && o.err().contains("4 classes"), o.err());
        assertFalse(Files.exists(tmp.resolve("r/run.json")));
    }

    private static double nearestCentroidAccuracy(Dataset d) {
        int k = d.numClasses(), dim = d.inputSize();
        double[][] mean = new double[k][dim];
        int[] count = new int[k];
        for (int i = 0; i < d.trainCount(); i++) {
            int c = (int) d.trainTargets()[i];
            count[c]++;
            for (int j = 0; j < dim; j++) mean[c][j] += d.trainInputs()[i * dim + j];
        }
        for (int c = 0; c < k; c++) for (int j = 0; j < dim; j++) mean[c][j] /= count[c];
        int right = 0;
        for (int i = 0; i < d.testCount(); i++) {
            int best = -1;
            double bestDist = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int j = 0; j < dim; j++) {
                    double e = d.testInputs()[i * dim + j] - mean[c][j];
                    s += e * e;
                }
                if (s < bestDist) {
                    bestDist = s;
                    best = c;
                }
            }
            if (best == (int) d.testTargets()[i]) right++;
        }
        return right / (double) d.testCount();
    }
}
