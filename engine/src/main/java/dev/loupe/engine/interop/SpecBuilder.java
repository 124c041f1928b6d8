package dev.loupe.engine.interop;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.Activation;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds a Loupe {@link ModelSpec} layer by layer while tracking each layer's output shape and
 * where its tensors land in {@code Network.getParams()}, so the matching {@link Dl4jLayout} comes
 * out alongside. Shapes follow {@code Network}'s rules (floor division, square kernels).
 */
final class SpecBuilder {
    private final int[] inputShape;
    private final List<LayerSpec> layers = new ArrayList<>();
    private final List<Dl4jLayout.Binding> bindings = new ArrayList<>();
    private int[] shape;
    /** The image a flatten came from, until a layer that changes the order consumes it. */
    private int[] flattenedFrom;
    private long offset;

    SpecBuilder(int[] inputShape) {
        this.inputShape = inputShape.clone();
        this.shape = inputShape.clone();
    }

    int[] shape() { return shape.clone(); }

    boolean isImage() { return shape.length == 3; }

    int size() {
        return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }

    /** Fully connected layer; {@code bKey} may be null (no bias in DL4J: Loupe's stays zero). */
    void dense(int units, String wKey, String bKey) {
        int in = size();
        int[] hwc = isImage() ? shape : flattenedFrom;
        layers.add(new LayerSpec.Dense(units));
        bindings.add(new Dl4jLayout.Binding(wKey, Dl4jLayout.Kind.DENSE_W, offset, new int[] {in, units}, hwc));
        offset += (long) in * units;
        bindings.add(new Dl4jLayout.Binding(bKey, Dl4jLayout.Kind.BIAS, offset, new int[] {units}, null));
        offset += units;
        shape = new int[] {units};
        flattenedFrom = null;
    }

    void conv(int filters, int kernel, int stride, int pad, String wKey, String bKey) {
        int h = shape[0], w = shape[1], c = shape[2];
        layers.add(new LayerSpec.Conv2d(filters, kernel, stride, pad));
        bindings.add(new Dl4jLayout.Binding(wKey, Dl4jLayout.Kind.CONV_W, offset, new int[] {kernel, kernel, c, filters}, null));
        offset += (long) kernel * kernel * c * filters;
        bindings.add(new Dl4jLayout.Binding(bKey, Dl4jLayout.Kind.BIAS, offset, new int[] {filters}, null));
        offset += filters;
        shape = new int[] {(h + 2 * pad - kernel) / stride + 1, (w + 2 * pad - kernel) / stride + 1, filters};
    }

    void pool(boolean max, int size, int stride) {
        layers.add(max ? new LayerSpec.MaxPool2d(size, stride) : new LayerSpec.AvgPool2d(size, stride));
        shape = new int[] {(shape[0] - size) / stride + 1, (shape[1] - size) / stride + 1, shape[2]};
    }

    void globalAvgPool() {
        layers.add(new LayerSpec.GlobalAvgPool());
        shape = new int[] {shape[2]};
    }

    /** Flatten; {@code channelsMajor} when the other framework flattens (c, h, w), so the next dense layer's rows are permuted. */
    void flatten(boolean channelsMajor) {
        if (isImage() && channelsMajor) flattenedFrom = shape.clone();
        layers.add(new LayerSpec.Flatten());
        shape = new int[] {size()};
    }

    void activation(Activation fn, float alpha) {
        if (fn != Activation.IDENTITY) layers.add(new LayerSpec.Act(fn, alpha));
    }

    void dropout(float p) {
        if (p > 0) layers.add(new LayerSpec.Dropout(p));
    }

    /** Fails unless the current activations are an image, naming the layer that needs one. */
    void requireImage(String layer) {
        if (!isImage()) {
            throw new BadInputException(layer + " needs image input but receives shape " + Arrays.toString(shape));
        }
    }

    ModelSpec spec(String name, ModelSpec.Loss loss) {
        return new ModelSpec(name, inputShape, layers, loss);
    }

    Dl4jLayout layout(Dl4jLayout.InputFormat format) {
        return new Dl4jLayout(bindings, offset, inputShape, format);
    }
}
