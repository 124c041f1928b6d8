package dev.loupe.engine.nn;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.Activation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The built-in architectures and the lookup behind {@code --model mlp|cnn|FILE.json}. */
public final class Models {
    private Models() {}

    private static final LayerSpec RELU = new LayerSpec.Act(Activation.RELU, 0f);

    /** MLP 784-512-256-classes with ReLU (input flattened). */
    public static ModelSpec mlp(int[] inputShape, int classes) {
        return new ModelSpec("mlp", inputShape, List.of(new LayerSpec.Flatten(),
                new LayerSpec.Dense(512), RELU, new LayerSpec.Dense(256), RELU, new LayerSpec.Dense(classes)),
                ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
    }

    /** conv 32 3×3 → ReLU → maxpool 2 → conv 64 3×3 → ReLU → maxpool 2 → dense 128 → ReLU → dense classes. */
    public static ModelSpec cnn(int[] inputShape, int classes) {
        return new ModelSpec("cnn", inputShape, List.of(
                new LayerSpec.Conv2d(32, 3, 1, 0), RELU, new LayerSpec.MaxPool2d(2, 2),
                new LayerSpec.Conv2d(64, 3, 1, 0), RELU, new LayerSpec.MaxPool2d(2, 2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(128), RELU, new LayerSpec.Dense(classes)),
                ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
    }

    /**
     * One dense layer with no nonlinearity, trained with MSE: the linear-regression example. On a
     * classification dataset {@link #resolve} trains it with softmax cross-entropy instead (a linear
     * classifier, i.e. multinomial logistic regression).
     */
    public static ModelSpec linear(int inputs, int outputs) {
        return new ModelSpec("linear", new int[] {inputs}, List.of(new LayerSpec.Dense(outputs)), ModelSpec.Loss.MSE);
    }

    /**
     * Resolves {@code mlp}, {@code cnn}, {@code linear} or a JSON file for a dataset's input
     * shape and class count. The loss follows the data: 0 classes means regression with one output
     * and MSE for any model; on a classification set {@code linear} becomes a linear softmax
     * classifier, and a model file that asks for MSE is refused (MSE cannot be fitted to class
     * labels).
     */
    public static ModelSpec resolve(String nameOrFile, int[] inputShape, int classes) {
        int outputs = classes == 0 ? 1 : classes;
        ModelSpec spec = switch (nameOrFile) {
            case "mlp" -> mlp(inputShape, outputs);
            case "cnn" -> {
                if (inputShape.length != 3) {
                    throw new BadInputException("model cnn needs image input [H, W, C]; this dataset has shape "
                            + java.util.Arrays.toString(inputShape) + " (use --model mlp)");
                }
                yield cnn(inputShape, outputs);
            }
            case "linear" -> linear(java.util.Arrays.stream(inputShape).reduce(1, (a, b) -> a * b), outputs);
            default -> {
                if (!nameOrFile.endsWith(".json") && !Files.exists(Path.of(nameOrFile))) {
                    throw new BadInputException("unknown model '" + nameOrFile + "' (expected mlp, cnn, linear or a model .json file)");
                }
                if (!Files.isRegularFile(Path.of(nameOrFile))) {
                    throw new BadInputException("model file not found: " + nameOrFile);
                }
                ModelSpec fromFile = ModelJson.read(Path.of(nameOrFile));
                if (fromFile.inputShape().length > 0 && !java.util.Arrays.equals(fromFile.inputShape(), inputShape)) {
                    throw new BadInputException(nameOrFile + ": model input " + java.util.Arrays.toString(fromFile.inputShape())
                            + " does not match the data's shape " + java.util.Arrays.toString(inputShape));
                }
                yield fromFile.withInputShape(inputShape);
            }
        };
        if (classes == 0 && spec.loss() != ModelSpec.Loss.MSE) {
            spec = new ModelSpec(spec.name(), spec.inputShape(), spec.layers(), ModelSpec.Loss.MSE);
        } else if (classes > 0 && spec.loss() == ModelSpec.Loss.MSE) {
            if (!nameOrFile.equals("linear")) {
                throw new BadInputException(nameOrFile + ": the model's loss is mse (regression) but the dataset has " + classes
                        + " classes; use \"loss\": \"softmax_cross_entropy\" or a regression dataset (e.g. --dataset linear)");
            }
            spec = new ModelSpec(spec.name(), spec.inputShape(), spec.layers(), ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY);
        }
        return spec;
    }
}
