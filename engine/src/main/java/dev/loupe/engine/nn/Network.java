package dev.loupe.engine.nn;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.ConvShape;
import dev.loupe.engine.PoolShape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A model compiled for one backend and a maximum batch size: every activation, gradient and
 * parameter buffer is allocated here, once, so a training step allocates nothing. Parameters and
 * their gradients live in two flat vectors; each layer's tensors are windows into them.
 */
public final class Network implements AutoCloseable {
    private final Backend backend;
    private final ModelSpec spec;
    private final int batch;
    private final List<Layer> layers;
    private final List<Param> params;
    private final boolean[] needsInputGrad;
    private final long paramCount;
    private final Buf paramVec;
    private final Buf gradVec;
    private final Buf input;
    private final Buf inputGrad;
    private final Buf target;
    private final Buf loss;
    private final Buf scalar;
    private final int inputSize;
    private final int outputSize;
    private final float[] one = new float[1];

    /**
     * Compiles {@code spec} for {@code backend} and batches of up to {@code batch} samples.
     *
     * @throws BadInputException when a layer does not fit the shape it receives
     */
    public Network(Backend backend, ModelSpec spec, int batch, long seed) {
        if (batch <= 0) throw new BadInputException("batch size must be positive, got " + batch);
        this.backend = backend;
        this.spec = spec;
        this.batch = batch;
        this.layers = build(spec, seed);
        this.inputSize = Arrays.stream(spec.inputShape()).reduce(1, (a, b) -> a * b);
        this.outputSize = layers.getLast().outSize();

        long count = 0;
        for (Layer l : layers) count += l.paramCount();
        this.paramCount = count;
        this.paramVec = backend.alloc(Math.max(1, count));
        this.gradVec = backend.alloc(Math.max(1, count));
        List<Param> all = new ArrayList<>();
        long offset = 0;
        for (Layer l : layers) {
            l.bindParams(paramVec, gradVec, offset);
            offset += l.paramCount();
            all.addAll(l.params());
        }
        this.params = Collections.unmodifiableList(all);

        this.input = backend.alloc((long) batch * inputSize);
        this.inputGrad = backend.alloc((long) batch * inputSize);
        Buf prevOut = input, prevGrad = inputGrad;
        needsInputGrad = new boolean[layers.size()];
        boolean trainableBefore = false;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            l.allocate(backend, batch);
            l.connect(prevOut, prevGrad);
            prevOut = l.output();
            prevGrad = l.outputGrad();
            needsInputGrad[i] = trainableBefore;
            trainableBefore |= l.paramCount() > 0;
        }
        this.target = backend.alloc((long) batch * (spec.loss() == ModelSpec.Loss.MSE ? outputSize : 1));
        this.loss = backend.alloc(1);
        this.scalar = backend.alloc(1);
        initParams(seed);
    }

    private static List<Layer> build(ModelSpec spec, long seed) {
        List<Layer> out = new ArrayList<>();
        Map<String, Integer> counters = new HashMap<>();
        int[] shape = spec.inputShape();
        if (shape.length == 0) throw new BadInputException("model " + spec.name() + " has no input shape");
        for (LayerSpec ls : spec.layers()) {
            String kind = switch (ls) {
                case LayerSpec.MaxPool2d p -> "maxpool";
                case LayerSpec.AvgPool2d p -> "avgpool";
                case LayerSpec.GlobalAvgPool p -> "gap";
                default -> ls.type();
            };
            String name = kind + counters.merge(kind, 1, Integer::sum);
            Layer layer = switch (ls) {
                case LayerSpec.Dense d -> new DenseLayer(name, shape, d.units());
                case LayerSpec.Conv2d c -> {
                    requireImage(shape, name);
                    if (shape[0] + 2 * c.padding() < c.kernel() || shape[1] + 2 * c.padding() < c.kernel()) {
                        throw new BadInputException(name + ": kernel " + c.kernel() + " is larger than its input "
                                + shape[0] + "x" + shape[1]);
                    }
                    yield new ConvLayer(name, shape, new ConvShape(shape[0], shape[1], shape[2], c.kernel(), c.kernel(),
                            c.stride(), c.padding()), c.filters());
                }
                case LayerSpec.MaxPool2d p -> pool(name, shape, PoolLayer.Kind.MAX, p.size(), p.stride());
                case LayerSpec.AvgPool2d p -> pool(name, shape, PoolLayer.Kind.AVG, p.size(), p.stride());
                case LayerSpec.GlobalAvgPool g -> {
                    requireImage(shape, name);
                    yield new PoolLayer(name, shape, PoolLayer.Kind.GLOBAL_AVG,
                            new PoolShape(shape[0], shape[1], shape[2], shape[0], shape[1], 1, 0));
                }
                case LayerSpec.Flatten f -> new FlattenLayer(name, shape);
                case LayerSpec.Act a -> new ActivationLayer(name, shape, a.fn(), a.alpha());
                case LayerSpec.Dropout d -> new DropoutLayer(name, shape, d.p(), seed * 31 + out.size());
            };
            out.add(layer);
            shape = layer.outShape();
        }
        return out;
    }

    private static Layer pool(String name, int[] shape, PoolLayer.Kind kind, int size, int stride) {
        requireImage(shape, name);
        if (shape[0] < size || shape[1] < size) {
            throw new BadInputException(name + ": window " + size + " is larger than its input " + shape[0] + "x" + shape[1]);
        }
        return new PoolLayer(name, shape, kind, new PoolShape(shape[0], shape[1], shape[2], size, size, stride, 0));
    }

    private static void requireImage(int[] shape, String name) {
        if (shape.length != 3) {
            throw new BadInputException(name + " needs image input [H, W, C] but receives " + Arrays.toString(shape)
                    + " (is there a flatten or dense layer before it?)");
        }
    }

    /** He-uniform weights (bound √(6/fanIn)) and zero biases, from {@code seed}. */
    public void initParams(long seed) {
        float[] host = new float[(int) paramCount];
        SplittableRandom rng = new SplittableRandom(seed);
        for (Param p : params) {
            if (p.bias()) continue;
            double bound = Math.sqrt(6.0 / p.fanIn());
            for (long i = 0; i < p.size(); i++) {
                host[(int) (p.offset() + i)] = (float) ((rng.nextDouble() * 2 - 1) * bound);
            }
        }
        setParams(host);
    }

    // ---- passes ----

    /** Runs the layers forward on the first {@code n} samples of {@link #input()}. */
    public void forward(int n, boolean training, long step) {
        checkRows(n);
        for (Layer l : layers) l.forward(backend, n, training, step);
    }

    /**
     * Runs layers {@code [from, to)} forward on the first {@code n} samples; each reads the
     * previous layer's output as left by an earlier call (or by the caller writing into it). Lets
     * the loss landscape reuse the outputs of the first layers across grid points.
     */
    public void forwardLayers(int from, int to, int n, boolean training, long step) {
        checkRows(n);
        if (from < 0 || to > layers.size() || from > to) {
            throw new IllegalArgumentException("layer range [" + from + ", " + to + ") outside 0.." + layers.size());
        }
        for (int i = from; i < to; i++) layers.get(i).forward(backend, n, training, step);
    }

    /**
     * Computes the loss of the last forward against {@link #target()} into {@link #lossBuf()} and
     * its gradient into the last layer's output gradient. Nothing is read back (no sync).
     */
    public void loss(int n) {
        Layer last = layers.getLast();
        if (spec.loss() == ModelSpec.Loss.MSE) {
            backend.mse(n, outputSize, last.output(), target, last.outputGrad(), loss);
        } else {
            backend.softmaxCrossEntropy(n, outputSize, last.output(), target, last.outputGrad(), loss);
        }
    }

    /**
     * Backpropagates from the last layer's output gradient (set by {@link #loss} or by the
     * caller) into the parameter gradients, and into {@link #inputGrad()} when asked.
     */
    public void backward(int n, boolean wantInputGrad) {
        checkRows(n);
        for (int i = layers.size() - 1; i >= 0; i--) {
            layers.get(i).backward(backend, n, wantInputGrad || needsInputGrad[i]);
        }
    }

    /**
     * Whether {@link #backward} computes parameter gradients (on by default). Explainers need only
     * the input gradient and switch this off, which saves about a third of the backward work.
     */
    public void setParameterGradients(boolean on) {
        for (Layer l : layers) l.paramGrads = on;
    }

    /** Forward in training mode, loss and backward: the gradient half of a training step. */
    public void computeGradients(int n, long step) {
        forward(n, true, step);
        loss(n);
        backward(n, false);
    }

    /** Reads the last loss back: a sync point. */
    public float readLoss() {
        backend.download(loss, 0, one, 0, 1);
        return one[0];
    }

    /** Counts correct predictions of the last forward against the labels: a sync point. */
    public int countCorrect(int n) {
        countCorrectInto(n, scalar);
        backend.download(scalar, 0, one, 0, 1);
        return (int) one[0];
    }

    /**
     * {@link #countCorrect} without the read: the count (as a float) goes to {@code dst[0]} on the
     * device, so a caller counting many forwards reads them all back at once.
     */
    public void countCorrectInto(int n, Buf dst) {
        backend.countCorrect(n, outputSize, output(), target, dst);
    }

    private void checkRows(int n) {
        if (n <= 0 || n > batch) throw new IllegalArgumentException("rows " + n + " outside 1.." + batch);
    }

    // ---- host transfer ----

    /** Copies {@code n} samples from the host into the input buffer. */
    public void setInput(float[] host, int n) {
        backend.upload(host, 0, input, 0, n * inputSize);
    }

    /** Copies {@code n} targets (class indices, or {@code n × outputs} regression values). */
    public void setTarget(float[] host, int n) {
        backend.upload(host, 0, target, 0, spec.loss() == ModelSpec.Loss.MSE ? n * outputSize : n);
    }

    /** All parameters as one host array (layer order, each tensor row-major). */
    public float[] getParams() {
        float[] host = new float[(int) paramCount];
        backend.download(paramVec, 0, host, 0, host.length);
        return host;
    }

    /** Replaces all parameters from one host array in {@link #getParams()} layout. */
    public void setParams(float[] host) {
        if (host.length != paramCount) {
            throw new BadInputException("parameter vector has " + host.length + " values; model " + spec.name()
                    + " needs " + paramCount);
        }
        if (paramCount > 0) backend.upload(host, 0, paramVec, 0, host.length);
    }

    /** All parameter gradients as one host array. */
    public float[] getGrads() {
        float[] host = new float[(int) paramCount];
        backend.download(gradVec, 0, host, 0, host.length);
        return host;
    }

    // ---- accessors ----

    public Backend backend() { return backend; }

    public ModelSpec spec() { return spec; }

    /** Largest batch the buffers hold. */
    public int batchSize() { return batch; }

    public List<Layer> layers() { return Collections.unmodifiableList(layers); }

    /** Layer by name, or a {@link BadInputException} listing the names. */
    public Layer layer(String name) {
        for (Layer l : layers) if (l.name().equals(name)) return l;
        throw new BadInputException("no layer named '" + name + "' (layers: "
                + String.join(", ", layers.stream().map(Layer::name).toList()) + ")");
    }

    public List<Param> params() { return params; }

    public long paramCount() { return paramCount; }

    /** The flat parameter vector (every {@link Param#value()} is a window of it). */
    public Buf paramVector() { return paramVec; }

    /** The flat gradient vector. */
    public Buf gradVector() { return gradVec; }

    public Buf input() { return input; }

    /** Gradient of the loss (or of whatever was put in the last output gradient) w.r.t. the input. */
    public Buf inputGrad() { return inputGrad; }

    public Buf target() { return target; }

    /** The last layer's output: logits for classifiers. */
    public Buf output() { return layers.getLast().output(); }

    /** Where {@link #loss} writes the mean loss (one float). */
    public Buf lossBuf() { return loss; }

    /** Floats per input sample. */
    public int inputSize() { return inputSize; }

    /** Floats per output sample (classes for classifiers). */
    public int outputSize() { return outputSize; }

    @Override
    public void close() {
        // buffers belong to the backend and are released with it
    }
}
