package dev.loupe.engine.nn;

import dev.loupe.engine.Activation;

/** The closed set of layer kinds a Sequential model is built from; each is a plain description. */
public sealed interface LayerSpec {

    /** The layer's type as written in model JSON. */
    String type();

    /** Fully connected: {@code y = x·W + b} with {@code W} of shape [in, units]. */
    record Dense(int units) implements LayerSpec {
        public String type() { return "dense"; }
    }

    /** 2-D convolution with {@code filters} square kernels of side {@code kernel}, NHWC. */
    record Conv2d(int filters, int kernel, int stride, int padding) implements LayerSpec {
        public String type() { return "conv2d"; }
    }

    /** Max pooling over square windows. */
    record MaxPool2d(int size, int stride) implements LayerSpec {
        public String type() { return "maxpool2d"; }
    }

    /** Average pooling over square windows. */
    record AvgPool2d(int size, int stride) implements LayerSpec {
        public String type() { return "avgpool2d"; }
    }

    /** Average over the whole image per channel: [H, W, C] → [C]. */
    record GlobalAvgPool() implements LayerSpec {
        public String type() { return "globalavgpool"; }
    }

    /** [H, W, C] → [H·W·C]; free, since activations are stored channels-last. */
    record Flatten() implements LayerSpec {
        public String type() { return "flatten"; }
    }

    /** An elementwise nonlinearity; {@code alpha} is LeakyReLU's negative slope. */
    record Act(Activation fn, float alpha) implements LayerSpec {
        public String type() {
            return switch (fn) {
                case RELU -> "relu";
                case LEAKY_RELU -> "leakyrelu";
                case SIGMOID -> "sigmoid";
                case TANH -> "tanh";
                case GELU -> "gelu";
                case IDENTITY -> "identity";
            };
        }
    }

    /** Inverted dropout with drop probability {@code p} while training; identity otherwise. */
    record Dropout(float p) implements LayerSpec {
        public String type() { return "dropout"; }
    }
}
