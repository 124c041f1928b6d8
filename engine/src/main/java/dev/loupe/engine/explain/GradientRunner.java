package dev.loupe.engine.explain;

import dev.loupe.engine.Backend;
import dev.loupe.engine.nn.Layer;
import dev.loupe.engine.nn.Network;
import java.util.function.IntUnaryOperator;
import java.util.function.LongConsumer;

/**
 * Streams many input rows (interpolation steps, noisy copies, occluded images) through a network
 * in internal batches of its compiled batch size: fills the batch on the host, runs forward and,
 * when a target is given, backward from a one-hot of the target logit, and hands every row's
 * logits, input gradient and (optionally) one layer's activations and gradients to a sink.
 * Rows are always visited in order, so a sink that accumulates sees the same sequence whatever
 * the batch size.
 */
public final class GradientRunner {
    /** Writes input row {@code row} into {@code dst[off .. off+inputSize)}. */
    @FunctionalInterface
    public interface Filler {
        void fill(int row, float[] dst, int off);
    }

    /** Receives row {@code row}, found at index {@code i} of the chunk arrays in {@code c}. */
    @FunctionalInterface
    public interface Sink {
        void accept(int row, Chunk c, int i);
    }

    /** Host copies of one internal batch; row {@code i} starts at {@code i·size} in each array. */
    public static final class Chunk {
        public final float[] inputs, grads, logits, acts, actGrads;
        public final int inputSize, classes, actSize;

        Chunk(int batch, int inputSize, int classes, int actSize) {
            this.inputSize = inputSize;
            this.classes = classes;
            this.actSize = actSize;
            inputs = new float[batch * inputSize];
            grads = new float[batch * inputSize];
            logits = new float[batch * classes];
            acts = new float[batch * actSize];
            actGrads = new float[batch * actSize];
        }
    }

    private final Network net;
    private final Backend backend;
    private final int batch;
    private final LongConsumer progress;
    private long done;

    /** {@code progress} (may be null) receives the number of rows evaluated so far. */
    public GradientRunner(Network net, LongConsumer progress) {
        this.net = net;
        this.backend = net.backend();
        this.batch = net.batchSize();
        this.progress = progress;
    }

    public Network network() {
        return net;
    }

    /** Forward only: each row's logits. */
    public void forward(int rows, Filler filler, Sink sink) {
        run(rows, filler, null, null, sink);
    }

    /** Forward and backward of logit {@code target(row)}: logits and input gradients. */
    public void gradients(int rows, Filler filler, IntUnaryOperator target, Sink sink) {
        run(rows, filler, target, null, sink);
    }

    /** Like {@link #gradients}, also reading {@code layer}'s output and output gradient. */
    public void layerGradients(int rows, Filler filler, IntUnaryOperator target, Layer layer, Sink sink) {
        run(rows, filler, target, layer, sink);
    }

    private void run(int rows, Filler filler, IntUnaryOperator target, Layer layer, Sink sink) {
        int d = net.inputSize(), k = net.outputSize();
        Chunk c = new Chunk(batch, d, k, layer == null ? 0 : layer.outSize());
        float[] oneHot = target == null ? null : new float[batch * k];
        for (int start = 0; start < rows; start += batch) {
            int n = Math.min(batch, rows - start);
            for (int i = 0; i < n; i++) filler.fill(start + i, c.inputs, i * d);
            net.setInput(c.inputs, n);
            net.forward(n, false, 0);
            backend.download(net.output(), 0, c.logits, 0, n * k);
            if (target != null) {
                java.util.Arrays.fill(oneHot, 0, n * k, 0f);
                for (int i = 0; i < n; i++) oneHot[i * k + target.applyAsInt(start + i)] = 1f;
                // the gradient of Σ_i logit_i[t_i]: each row's input gradient is its own target logit's
                backend.upload(oneHot, 0, net.layers().getLast().outputGrad(), 0, n * k);
                net.backward(n, true);
                backend.download(net.inputGrad(), 0, c.grads, 0, n * d);
                if (layer != null) {
                    backend.download(layer.output(), 0, c.acts, 0, n * c.actSize);
                    backend.download(layer.outputGrad(), 0, c.actGrads, 0, n * c.actSize);
                }
            }
            for (int i = 0; i < n; i++) sink.accept(start + i, c, i);
            done += n;
            if (progress != null) progress.accept(done);
        }
    }
}
