package dev.loupe.engine.interop;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.nn.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
