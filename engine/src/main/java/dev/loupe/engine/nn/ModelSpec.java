package dev.loupe.engine.nn;

import java.util.List;

/**
 * A Sequential model: its layers in order and the input shape they are built for (images
 * {H, W, C} channels-last, vectors {D}), plus the loss that trains it.
 */
public record ModelSpec(String name, int[] inputShape, List<LayerSpec> layers, Loss loss) {

    /** The training objective applied to the last layer's output. */
    public enum Loss {
        /** Fused softmax + cross-entropy over integer class labels. */
        SOFTMAX_CROSS_ENTROPY,
        /** Mean squared error against real-valued targets. */
        MSE
    }

    public ModelSpec {
        inputShape = inputShape.clone();
        layers = List.copyOf(layers);
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    /** The same layers built for another input shape. */
    public ModelSpec withInputShape(int[] shape) {
        return new ModelSpec(name, shape, layers, loss);
    }
}
