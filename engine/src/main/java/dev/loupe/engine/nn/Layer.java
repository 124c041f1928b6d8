package dev.loupe.engine.nn;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import java.util.Arrays;
import java.util.List;

/**
 * A compiled layer: its shapes and the buffers it reads and writes, allocated once for the
 * network's batch size. {@code in}/{@code dIn} are the previous layer's output and output
 * gradient (or the network's input and input gradient); {@code out}/{@code dOut} are its own.
 */
public abstract sealed class Layer
        permits DenseLayer, ConvLayer, PoolLayer, ActivationLayer, DropoutLayer, FlattenLayer {
    protected final String name;
    protected final int[] inShape;
    protected final int[] outShape;
    protected final int inSize;
    protected final int outSize;
    protected Buf in;
    protected Buf dIn;
    protected Buf out;
    protected Buf dOut;
    /** False while only input gradients are wanted (explanations): layers with parameters skip dW and db. */
    boolean paramGrads = true;

    protected Layer(String name, int[] inShape, int[] outShape) {
        this.name = name;
        this.inShape = inShape.clone();
        this.outShape = outShape.clone();
        this.inSize = Arrays.stream(inShape).reduce(1, (a, b) -> a * b);
        this.outSize = Arrays.stream(outShape).reduce(1, (a, b) -> a * b);
    }

    /** Unique name within the network, e.g. {@code conv1}, {@code relu2}, {@code dense3}. */
    public String name() { return name; }

    /** The layer's kind as in model JSON. */
    public abstract String type();

    public int[] inShape() { return inShape.clone(); }

    public int[] outShape() { return outShape.clone(); }

    /** Floats per sample of the output. */
    public int outSize() { return outSize; }

    /** Floats per sample of the input. */
    public int inSize() { return inSize; }

    /** Output activations, {@code [batch, outSize]}. */
    public Buf output() { return out; }

    /** Gradient of the loss with respect to the output, written by the backward pass. */
    public Buf outputGrad() { return dOut; }

    /** Trainable tensors (empty for parameter-free layers). */
    public List<Param> params() { return List.of(); }

    /** Allocates this layer's own buffers for {@code batch} samples; {@code in} is set by the network. */
    void allocate(Backend b, int batch) {
        out = b.alloc((long) batch * outSize);
        dOut = b.alloc((long) batch * outSize);
    }

    void connect(Buf in, Buf dIn) {
        this.in = in;
        this.dIn = dIn;
    }

    /** Bytes of working memory beyond out/dOut per sample (for memory planning). */
    long scratchFloatsPerSample() { return 0; }

    /** Computes {@code out} for the first {@code n} samples; {@code step} seeds dropout. */
    abstract void forward(Backend b, int n, boolean training, long step);

    /** Computes parameter gradients and, when {@code inputGrad}, {@code dIn} from {@code dOut}. */
    abstract void backward(Backend b, int n, boolean inputGrad);

    /** Binds parameter windows of the flat vectors, in {@link #params()} order. */
    void bindParams(Buf params, Buf grads, long offset) {}

    /** Number of trainable floats. */
    long paramCount() { return 0; }
}
