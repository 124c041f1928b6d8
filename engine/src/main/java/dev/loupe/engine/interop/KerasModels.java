package dev.loupe.engine.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.datasets.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Imports a Keras Sequential model saved as HDF5 ({@code model.save("m.h5")}, Keras 2 format):
 * DL4J's Keras importer builds a {@link MultiLayerNetwork} (channels_last layers stay NHWC there),
 * which {@link Dl4jModels} then translates; so the same layers are supported and refused.
 */
public final class KerasModels {
    private KerasModels() {}

    /**
     * Reads {@code h5}, translates it and checks Loupe's outputs against DL4J's import of it on
     * {@code samples} random inputs. The input shape comes from the model's {@code batch_input_shape}
     * unless given.
     *
     * @throws BadInputException for a missing or unreadable file, a model that is not Sequential, or
     *     a layer Loupe cannot express
     */
    public static Dl4jModels.Checked importChecked(Path h5, int[] inputShape, int samples, long seed) {
        if (!Files.isRegularFile(h5)) throw new BadInputException("Keras model file not found: " + h5);
        int[] shape = inputShape != null ? inputShape : declaredInputShape(h5);
        MultiLayerNetwork dl4j;
        try {
            dl4j = KerasModelImport.importKerasSequentialModelAndWeights(h5.toString(), false);
        } catch (Exception | UnsatisfiedLinkError e) {
            throw new BadInputException("cannot import Keras model " + h5 + ": " + e.getMessage());
        }
        Dl4jModels.Imported m = Dl4jModels.fromDl4j(dl4j, shape);
        return new Dl4jModels.Checked(m, Dl4jModels.check(dl4j, m, samples, seed), samples);
    }

    /** The first layer's {@code batch_input_shape} without the batch dimension, or null when absent. */
    static int[] declaredInputShape(Path h5) {
        String json;
        try (Hdf5Archive archive = new Hdf5Archive(h5.toString())) {
            json = archive.readAttributeAsJson("model_config");
        } catch (Exception | UnsatisfiedLinkError e) {
            throw new BadInputException(h5 + " is not a Keras HDF5 model (" + e.getMessage() + ")");
        }
        try {
            JsonNode root = new ObjectMapper().readTree(json);
            if (!"Sequential".equals(root.path("class_name").asText())) {
                throw new BadInputException(h5 + " holds a Keras " + root.path("class_name").asText()
                        + " model; only Sequential models can be imported");
            }
            JsonNode cfg = root.path("config");
            JsonNode layers = cfg.isArray() ? cfg : cfg.path("layers");
            for (JsonNode layer : layers) {
                JsonNode s = layer.path("config").path("batch_input_shape");
                if (s.isMissingNode()) s = layer.path("config").path("batch_shape");
                if (!s.isArray()) continue;
                int[] shape = new int[s.size() - 1];
                for (int i = 1; i < s.size(); i++) {
                    if (!s.get(i).canConvertToInt()) return null;
                    shape[i - 1] = s.get(i).asInt();
                }
                return shape;
            }
            return null;
        } catch (java.io.IOException e) {
            throw new BadInputException(h5 + ": unreadable model_config: " + e.getMessage());
        }
    }
}
