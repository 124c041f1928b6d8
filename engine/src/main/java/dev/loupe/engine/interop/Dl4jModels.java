package dev.loupe.engine.interop;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * Converts between DL4J {@link MultiLayerNetwork}s and Loupe models: import of a trained DL4J
 * network (configuration + weights) and construction of the equivalent DL4J network for a Loupe
 * model, which serves as parity oracle and benchmark peer.
 */
public final class Dl4jModels {
    private Dl4jModels() {}

    /** A DL4J network as a Loupe model: inputs NHWC, {@code params} in {@code Network.getParams()} layout. */
    public record Imported(ModelSpec spec, float[] params, Dl4jLayout layout) {}

    /** An imported model and how closely Loupe reproduced DL4J's outputs on random inputs. */
    public record Checked(Imported model, double maxAbsDiff, int samples) {}

    /** The DL4J network equivalent to a Loupe model, and how their tensors correspond. */
    public record Peer(MultiLayerNetwork net, Dl4jLayout layout) {}

    /**
     * Translates {@code net}; {@code inputShape} ({H, W, C} or {D}) is needed only for a network
     * whose first layer is convolutional without {@code InputType.convolutionalFlat} (DL4J does not
     * record image sizes then), and is checked against the network otherwise.
     *
     * @throws BadInputException naming the first layer, activation or setting Loupe cannot express
     */
    public static Imported fromDl4j(MultiLayerNetwork net, int[] inputShape) {
        Dl4jImport.Result r = Dl4jImport.convert(net, inputShape, "dl4j-import");
        return new Imported(r.spec(), r.layout().params(net), r.layout());
    }

    /** Reads a {@code ModelSerializer} zip and translates it as {@link #fromDl4j}. */
    public static Imported load(Path zip, int[] inputShape) {
        return fromDl4j(restore(zip), inputShape);
    }

    /**
     * Reads a {@code ModelSerializer} zip, translates it, and runs DL4J and Loupe (reference
     * backend, evaluation mode) on {@code samples} seeded uniform [0, 1) inputs: the largest
     * difference between DL4J's outputs and Loupe's (softmax of its logits for classifiers).
     */
    public static Checked importChecked(Path zip, int[] inputShape, int samples, long seed) {
        MultiLayerNetwork dl4j = restore(zip);
        Imported m = fromDl4j(dl4j, inputShape);
        return new Checked(m, check(dl4j, m, samples, seed), samples);
    }

    /** Largest |DL4J output − Loupe output| (softmax of Loupe's logits for classifiers) on seeded uniform [0, 1) inputs. */
    static double check(MultiLayerNetwork dl4j, Imported m, int samples, long seed) {
        int d = 1;
        for (int s : m.spec().inputShape()) d *= s;
        float[] x = new float[samples * d];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
        double[] theirs = dl4j.output(m.layout().input(x, samples, dl4j.params().dataType()), false)
                .castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double worst = 0;
        try (ReferenceBackend b = new ReferenceBackend()) {
            Network net = new Network(b, m.spec(), samples, 0);
            net.setParams(m.params());
            net.setInput(x, samples);
            net.forward(samples, false, 0);
            int k = net.outputSize();
            float[] out = new float[samples * k];
            b.download(net.output(), 0, out, 0, out.length);
            if (theirs.length != out.length) {
                throw new IllegalStateException("DL4J produced " + theirs.length + " outputs, Loupe " + out.length);
            }
            boolean softmax = m.spec().loss() == ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY;
            for (int row = 0; row < samples; row++) {
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (int c = 0; c < k; c++) max = Math.max(max, out[row * k + c]);
                for (int c = 0; c < k; c++) z += Math.exp(out[row * k + c] - max);
                for (int c = 0; c < k; c++) {
                    double mine = softmax ? Math.exp(out[row * k + c] - max) / z : out[row * k + c];
                    worst = Math.max(worst, Math.abs(mine - theirs[row * k + c]));
                }
            }
        }
        return worst;
    }

    /**
     * Restores a DL4J {@code MultiLayerNetwork} zip (without updater state).
     *
     * @throws BadInputException for a missing file, a file that is not a zip, or a zip that is not a
     *     DL4J MultiLayerNetwork (a ComputationGraph is named as such)
     */
    public static MultiLayerNetwork restore(Path zip) {
        if (!Files.isRegularFile(zip)) throw new BadInputException("DL4J model file not found: " + zip);
        String config;
        try (ZipFile z = new ZipFile(zip.toFile())) {
            ZipEntry e = z.getEntry("configuration.json");
            if (e == null || z.getEntry("coefficients.bin") == null) {
                throw new BadInputException(zip + " is a zip but not a DL4J model (no configuration.json/coefficients.bin)");
            }
            try (InputStream in = z.getInputStream(e)) {
                config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (ZipException e) {
            throw new BadInputException(zip + " is not a DL4J model zip (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException("cannot read " + zip + ": " + e.getMessage());
        }
        if (config.contains("\"vertices\"")) {
            throw new BadInputException(zip + " holds a DL4J ComputationGraph; only MultiLayerNetwork (sequential) models can be imported");
        }
        try {
            return ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
        } catch (IOException | RuntimeException e) {
            throw new BadInputException("cannot restore DL4J network from " + zip + ": " + e.getMessage());
        }
    }

    /** The DL4J network for {@code spec} holding {@code params} (or DL4J's own init when null); no updater. */
    public static Peer toDl4j(ModelSpec spec, float[] params, DataType type) {
        return toDl4j(spec, params, type, new NoOp());
    }

    /** As {@link #toDl4j(ModelSpec, float[], DataType)}, trained with {@code updater} (for benchmarks). */
    public static Peer toDl4j(ModelSpec spec, float[] params, DataType type, IUpdater updater) {
        return Dl4jExport.build(spec, params, type, updater);
    }
}
