package dev.loupe.engine.nn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.Activation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the model JSON format:
 * {@code {"name": "...", "loss": "softmax_cross_entropy", "input": [28, 28, 1], "layers": [{"type": "conv2d",
 * "filters": 32, "kernel": 3}, {"type": "relu"}, ...]}}; {@code input} and {@code loss} are optional.
 */
public final class ModelJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TYPES = "dense, conv2d, maxpool2d, avgpool2d, globalavgpool, flatten, "
            + "relu, leakyrelu, sigmoid, tanh, gelu, dropout";

    private ModelJson() {}

    /** Parses a model file; every problem is a {@link BadInputException} naming the file. */
    public static ModelSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new BadInputException("cannot read model file " + file + ": " + e.getMessage());
        }
        return parse(text, file.getFileName().toString());
    }

    /** Parses model JSON text; {@code origin} names the text in error messages. */
    public static ModelSpec parse(String text, String origin) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new BadInputException(origin + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new BadInputException(origin + ": expected a JSON object with a \"layers\" array");
        }
        JsonNode layersNode = root.get("layers");
        if (layersNode == null || !layersNode.isArray() || layersNode.isEmpty()) {
            throw new BadInputException(origin + ": \"layers\" must be a non-empty array");
        }
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < layersNode.size(); i++) {
            layers.add(layer(layersNode.get(i), origin + ": layer " + (i + 1)));
        }
        int[] input = new int[0];
        JsonNode in = root.get("input");
        if (in != null) {
            if (!in.isArray() || in.isEmpty() || in.size() > 3) {
                throw new BadInputException(origin + ": \"input\" must be [D] or [H, W, C]");
            }
            input = new int[in.size()];
            for (int i = 0; i < input.length; i++) {
                if (!in.get(i).canConvertToInt() || in.get(i).asInt() <= 0) {
                    throw new BadInputException(origin + ": \"input\" sizes must be positive integers");
                }
                input[i] = in.get(i).asInt();
            }
        }
        ModelSpec.Loss loss = ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY;
        JsonNode lossNode = root.get("loss");
        if (lossNode != null) {
            loss = switch (lossNode.asText()) {
                case "softmax_cross_entropy", "cross_entropy" -> ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY;
                case "mse" -> ModelSpec.Loss.MSE;
                default -> throw new BadInputException(origin + ": unknown loss '" + lossNode.asText()
                        + "' (expected softmax_cross_entropy or mse)");
            };
        }
        String name = root.hasNonNull("name") ? root.get("name").asText() : "model";
        return new ModelSpec(name, input, layers, loss);
    }

    private static LayerSpec layer(JsonNode n, String where) {
        if (n == null || !n.isObject() || !n.hasNonNull("type")) {
            throw new BadInputException(where + ": expected an object with a \"type\"");
        }
        String type = n.get("type").asText();
        return switch (type) {
            case "dense" -> new LayerSpec.Dense(positive(n, "units", -1, where));
            case "conv2d" -> new LayerSpec.Conv2d(positive(n, "filters", -1, where), positive(n, "kernel", -1, where),
                    positive(n, "stride", 1, where), nonNegative(n, "padding", where));
            case "maxpool2d" -> {
                int size = positive(n, "size", 2, where);
                yield new LayerSpec.MaxPool2d(size, positive(n, "stride", size, where));
            }
            case "avgpool2d" -> {
                int size = positive(n, "size", 2, where);
                yield new LayerSpec.AvgPool2d(size, positive(n, "stride", size, where));
            }
            case "globalavgpool" -> new LayerSpec.GlobalAvgPool();
            case "flatten" -> new LayerSpec.Flatten();
            case "relu" -> new LayerSpec.Act(Activation.RELU, 0f);
            case "leakyrelu" -> new LayerSpec.Act(Activation.LEAKY_RELU, (float) number(n, "alpha", 0.01, where));
            case "sigmoid" -> new LayerSpec.Act(Activation.SIGMOID, 0f);
            case "tanh" -> new LayerSpec.Act(Activation.TANH, 0f);
            case "gelu" -> new LayerSpec.Act(Activation.GELU, 0f);
            case "dropout" -> {
                double p = number(n, "p", 0.5, where);
                if (!(p >= 0 && p < 1)) throw new BadInputException(where + ": dropout \"p\" must be in [0, 1)");
                yield new LayerSpec.Dropout((float) p);
            }
            default -> throw new BadInputException(where + ": unknown type '" + type + "' (expected one of " + TYPES + ")");
        };
    }

    private static int positive(JsonNode n, String field, int dflt, String where) {
        JsonNode v = n.get(field);
        if (v == null) {
            if (dflt > 0) return dflt;
            throw new BadInputException(where + " (" + n.get("type").asText() + "): missing \"" + field + "\"");
        }
        if (!v.isIntegralNumber() || v.asInt() <= 0) {
            throw new BadInputException(where + ": \"" + field + "\" must be a positive integer, got " + v);
        }
        return v.asInt();
    }

    private static int nonNegative(JsonNode n, String field, String where) {
        JsonNode v = n.get("padding");
        if (v == null) return 0;
        if (!v.isIntegralNumber() || v.asInt() < 0) {
            throw new BadInputException(where + ": \"" + field + "\" must be a non-negative integer, got " + v);
        }
        return v.asInt();
    }

    private static double number(JsonNode n, String field, double dflt, String where) {
        JsonNode v = n.get(field);
        if (v == null) return dflt;
        if (!v.isNumber()) throw new BadInputException(where + ": \"" + field + "\" must be a number, got " + v);
        return v.asDouble();
    }

    /** The JSON text of a model, as {@link #parse} reads it back. */
    public static String write(ModelSpec spec) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("name", spec.name());
        root.put("loss", spec.loss() == ModelSpec.Loss.MSE ? "mse" : "softmax_cross_entropy");
        ArrayNode input = root.putArray("input");
        for (int d : spec.inputShape()) input.add(d);
        ArrayNode layers = root.putArray("layers");
        for (LayerSpec l : spec.layers()) {
            ObjectNode o = layers.addObject();
            o.put("type", l.type());
            switch (l) {
                case LayerSpec.Dense d -> o.put("units", d.units());
                case LayerSpec.Conv2d c -> o.put("filters", c.filters()).put("kernel", c.kernel())
                        .put("stride", c.stride()).put("padding", c.padding());
                case LayerSpec.MaxPool2d p -> o.put("size", p.size()).put("stride", p.stride());
                case LayerSpec.AvgPool2d p -> o.put("size", p.size()).put("stride", p.stride());
                case LayerSpec.Act a when a.fn() == Activation.LEAKY_RELU -> o.put("alpha", a.alpha());
                case LayerSpec.Dropout d -> o.put("p", d.p());
                default -> { }
            }
        }
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
