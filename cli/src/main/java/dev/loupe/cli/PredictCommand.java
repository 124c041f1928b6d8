package dev.loupe.cli;

import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.nn.Network;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe predict}: runs a trained model on an NPY array or on images, prints the predictions and writes the logits. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Run a trained model on inputs (an .npy array, an image or a folder of images) and print its predictions.",
                "With --output, also write its outputs (logits) as an .npy array [N, outputs]."})
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run directory")
    Path run;

    @Option(names = "--checkpoint", description = "checkpoint name, e.g. step-1200 (default: the newest)")
    String checkpoint;

    @Option(names = "--input", required = true, paramLabel = "FILE|DIR", description = "an .npy array [N, H, W, C] or [N, D] (float32), "
            + "an image (png, jpg, gif, bmp; resized to the model's input, grey or RGB, scaled to [0, 1]) or a folder of images")
    Path input;

    @Option(names = "--invert", description = "with image --input: use 1 − v, for dark-on-light pictures and a model trained on "
            + "light-on-dark images (Fashion-MNIST)")
    boolean invert;

    @Option(names = "--output", description = ".npy to write the outputs to, shape [N, outputs]")
    Path output;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, reference, nd4j or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--batch", defaultValue = "256", description = "samples per pass (default: ${DEFAULT-VALUE})")
    int batch;

    /** Most prediction lines printed; the rest are summarized. */
    static final int MAX_LINES = 50;

    @Override
    public Integer call() {
        RunManifest manifest = RunManifest.read(run);
        TrainOptions o = manifest.optionsIfTrained(); // null for an imported model
        try (Backend b = Backends.open(backend)) {
            Network net = TrainedModel.load(run, checkpoint, b, batch);
            ModelInputs.Loaded in = ModelInputs.read(input, net.spec().inputShape(), invert);
            int d = net.inputSize(), n = in.n(), k = net.outputSize();
            float[] out = new float[n * k];
            float[] chunk = new float[net.batchSize() * d];
            for (int s = 0; s < n; s += net.batchSize()) {
                int rows = Math.min(net.batchSize(), n - s);
                System.arraycopy(in.x(), s * d, chunk, 0, rows * d);
                net.setInput(chunk, rows);
                net.forward(rows, false, 0);
                b.download(net.output(), 0, out, s * k, rows * k);
            }
            if (output != null) NpyFiles.write(output, new NpyArray(new int[] {n, k}, out));
            System.out.println("predictions of " + run.getFileName() + " for " + in.description());
            boolean classify = net.spec().loss() != dev.loupe.engine.nn.ModelSpec.Loss.MSE;
            List<String> names = ExplainSetup.classNames(o == null ? null : o.dataset, o == null ? null : o.dataDir, classify ? k : 0);
            for (int i = 0; i < Math.min(n, MAX_LINES); i++) {
                String who = in.files().isEmpty() ? "input " + i : in.files().get(i);
                System.out.println("  " + who + ": " + (classify ? top(out, i * k, k, names) : String.format(Locale.ROOT, "%.6g", out[i * k])));
            }
            if (n > MAX_LINES) System.out.println("  … and " + (n - MAX_LINES) + " more" + (output == null ? " (write them all with --output)" : ""));
            if (output != null) System.out.println("wrote " + output + " [" + n + ", " + k + "]");
        }
        return 0;
    }

    /** "class (probability)" of the largest logit, by softmax. */
    private static String top(float[] logits, int off, int k, List<String> names) {
        int best = 0;
        for (int j = 1; j < k; j++) if (logits[off + j] > logits[off + best]) best = j;
        double sum = 0;
        for (int j = 0; j < k; j++) sum += Math.exp(logits[off + j] - logits[off + best]);
        return String.format(Locale.ROOT, "%s (p = %.3f)", className(names, best), 1 / sum);
    }

    /** The class's name where the dataset has names, else its index. */
    static String className(List<String> names, int k) {
        return names != null && k < names.size() ? names.get(k) : "class " + k;
    }
}
