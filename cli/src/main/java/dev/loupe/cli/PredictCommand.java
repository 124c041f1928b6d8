package dev.loupe.cli;

import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.NpyFiles;
import dev.loupe.datasets.NpyArray;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.nn.Network;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe predict}: runs a trained model on an NPY array and writes its logits. */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Write a trained model's outputs (logits) for inputs in an .npy file.")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run directory")
    Path run;

    @Option(names = "--checkpoint", description = "checkpoint name, e.g. step-1200 (default: the newest)")
    String checkpoint;

    @Option(names = "--input", required = true, description = ".npy of shape [N, H, W, C] or [N, D] (float32)")
    Path input;

    @Option(names = "--output", required = true, description = ".npy to write, shape [N, outputs]")
    Path output;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, reference, nd4j or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--batch", defaultValue = "256", description = "samples per pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Override
    public Integer call() {
        NpyArray x = NpyFiles.read(input);
        try (Backend b = Backends.open(backend)) {
            Network net = TrainedModel.load(run, checkpoint, b, batch);
            int d = net.inputSize();
            int[] shape = x.shape();
            if (shape.length < 2 || x.data().length % d != 0 || x.data().length / shape[0] != d) {
                throw new BadInputException(input + ": shape " + Arrays.toString(shape) + " does not fit the model's input "
                        + Arrays.toString(net.spec().inputShape()) + " (expected [N, " + d + "] or [N, "
                        + String.join(", ", Arrays.stream(net.spec().inputShape()).mapToObj(Integer::toString).toList()) + "])");
            }
            for (int i = 0; i < x.data().length; i++) {
                if (!Float.isFinite(x.data()[i])) throw new BadInputException(input + ": non-finite value " + x.data()[i] + " at index " + i);
            }
            int n = shape[0], k = net.outputSize();
            float[] out = new float[n * k];
            float[] chunk = new float[net.batchSize() * d];
            for (int s = 0; s < n; s += net.batchSize()) {
                int rows = Math.min(net.batchSize(), n - s);
                System.arraycopy(x.data(), s * d, chunk, 0, rows * d);
                net.setInput(chunk, rows);
                net.forward(rows, false, 0);
                b.download(net.output(), 0, out, s * k, rows * k);
            }
            NpyFiles.write(output, new NpyArray(new int[] {n, k}, out));
            System.out.println("wrote " + output + " [" + n + ", " + k + "]");
        }
        return 0;
    }
}
