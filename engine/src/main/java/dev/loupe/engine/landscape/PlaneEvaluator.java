package dev.loupe.engine.landscape;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.nn.ConvLayer;
import dev.loupe.engine.nn.Layer;
import dev.loupe.engine.nn.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * Loss and accuracy of a network at points {@code θ(α, β) = θ0 + α·d1 + β·d2} of a plane (or a
 * line when {@code d2} is null), over a fixed set of samples in inference mode.
 *
 * <p>Where the speed comes from ({@link Strategy#SHARED_FIRST_LAYER}): the first layer with
 * parameters (dense or conv) is linear in its parameters and its input does not depend on them,
 * so its output at any point is {@code Z0 + α·Z1 + β·Z2}, where {@code Zi} is that layer applied
 * with {@code θ0}, {@code d1}, {@code d2}. The three products are computed once per sample chunk
 * and shared by every point; each point then costs one combine (Z0 + α·Z1 + β·Z2) plus the layers after the first.
 * For an MLP on images the first layer holds most of the multiply-adds (784·512 of the
 * 784-512-256-10 MLP's 535k per sample, 75%), so points get about 4× cheaper; for the CNN the first
 * conv is about 7% of the work, and combining its large outputs costs more than recomputing
 * them, so {@link Strategy#AUTO} evaluates the CNN one point at a time. The result equals the direct
 * evaluation up to float rounding (and exactly at α = β = 0). {@link Strategy#ONE_POINT} is the
 * direct evaluation: set θ, run every layer.
 */
public final class PlaneEvaluator {
    /** How points are evaluated. */
    public enum Strategy {
        /** {@link #SHARED_FIRST_LAYER} where it pays, else {@link #ONE_POINT}: see {@link #choose}. */
        AUTO,
        SHARED_FIRST_LAYER,
        ONE_POINT
    }

    /**
     * Multiply-adds per output element of the first layer from which sharing its products beats
     * recomputing it. Sharing costs a combine per output element and point (three floats read, one
     * written: memory-bound, 0.14–0.6 ns per element on the 2-core reference machine as the
     * products outgrow the caches); recomputing costs the layer's multiply-adds per element (about
     * 0.015–0.03 ns each at GEMM speed there). The break-even lies between about 5 and 40; the MLP's
     * first layer (784) is far above it, the CNN's 3×3 convolution (9) below.
     */
    public static final int SHARE_MIN_MACS_PER_OUTPUT = 32;

    /** The strategy {@link Strategy#AUTO} resolves to for {@code net}. */
    public static Strategy choose(Network net) {
        Layer fl = firstParametrized(net);
        int macsPerOutput = fl instanceof ConvLayer c ? c.geometry().patch() : fl.inSize();
        return macsPerOutput >= SHARE_MIN_MACS_PER_OUTPUT ? Strategy.SHARED_FIRST_LAYER : Strategy.ONE_POINT;
    }

    private static Layer firstParametrized(Network net) {
        for (Layer l : net.layers()) if (!l.params().isEmpty()) return l;
        throw new BadInputException("model " + net.spec().name() + " has no parameters");
    }

    /** Loss and accuracy (NaN for regression) at each requested point. */
    public record Values(double[] loss, double[] accuracy) {}

    private static final long CACHE_FLOATS = 64L << 20; // 256 MB of cached first-layer products at most

    private final Network net;
    private final Backend b;
    private final EvalSet data;
    private final Strategy strategy;
    private final boolean plane;
    private final Buf origin, dir1, dir2;
    private final int first;          // index of the first layer with parameters
    private final long firstOff, firstLen, tailOff, tailLen;
    private final int firstOut;       // floats per sample of that layer's output
    private final List<Buf[]> cache = new ArrayList<>();
    private final boolean cacheAll;
    private final float[] xChunk, yChunk;
    /** Per-point loss and correct count of a chunk, on the device (grown to the largest call). */
    private Buf slots;

    public PlaneEvaluator(Network net, EvalSet data, float[] origin, float[] d1, float[] d2, Strategy strategy) {
        this.net = net;
        this.b = net.backend();
        this.data = data;
        this.strategy = strategy == Strategy.AUTO ? choose(net) : strategy;
        this.plane = d2 != null;
        long p = net.paramCount();
        if (origin.length != p || d1.length != p || (d2 != null && d2.length != p)) {
            throw new BadInputException("direction length does not match the model's " + p + " parameters");
        }
        this.origin = upload(origin);
        this.dir1 = upload(d1);
        this.dir2 = plane ? upload(d2) : null;
        Layer fl = firstParametrized(net);
        this.first = net.layers().indexOf(fl);
        this.firstOff = fl.params().getFirst().offset();
        this.firstLen = fl.params().stream().mapToLong(q -> q.size()).sum();
        this.tailOff = firstOff + firstLen;
        this.tailLen = p - tailOff;
        this.firstOut = fl.outSize();
        int chunks = (data.count() + net.batchSize() - 1) / net.batchSize();
        long perChunk = (long) (plane ? 3 : 2) * net.batchSize() * firstOut;
        this.cacheAll = perChunk * chunks <= CACHE_FLOATS;
        this.xChunk = new float[net.batchSize() * net.inputSize()];
        this.yChunk = new float[net.batchSize() * (data.targets().length / data.count())];
    }

    /** The strategy in use ({@link Strategy#AUTO} resolved). */
    public Strategy strategy() { return strategy; }

    private Buf upload(float[] host) {
        Buf buf = b.alloc(host.length);
        b.upload(host, 0, buf, 0, host.length);
        return buf;
    }

    /**
     * Evaluates the points {@code (alphas[i], betas[i])}; {@code betas} is ignored on a line. The
     * network's parameters and input buffers are overwritten (they hold the last point's state).
     */
    public Values evaluate(double[] alphas, double[] betas) {
        int points = alphas.length, bs = net.batchSize(), d = net.inputSize();
        int per = data.targets().length / data.count();
        double[] lossSum = new double[points];
        long[] correct = new long[points];
        List<Layer> layers = net.layers();
        // each point's loss and correct count stay on the device until the chunk's points are done:
        // one read per chunk instead of two syncs per point (on a GPU a sync drains the launch queue)
        if (slots == null || slots.length() < 2L * points) slots = b.alloc(2L * Math.max(points, 64));
        Buf losses = slots.slice(0, points), counts = slots.slice(points, points);
        float[] lossHost = new float[points], countHost = new float[points];
        for (int start = 0, chunk = 0; start < data.count(); start += bs, chunk++) {
            int rows = Math.min(bs, data.count() - start);
            System.arraycopy(data.inputs(), start * d, xChunk, 0, rows * d);
            System.arraycopy(data.targets(), start * per, yChunk, 0, rows * per);
            net.setInput(xChunk, rows);
            net.setTarget(yChunk, rows);
            Buf[] z = strategy == Strategy.SHARED_FIRST_LAYER ? products(chunk, rows) : null;
            long zLen = (long) rows * firstOut;
            for (int i = 0; i < points; i++) {
                float a = (float) alphas[i], c = plane ? (float) betas[i] : 0f;
                if (z != null) {
                    setParams(a, c, tailOff, tailLen);
                    b.combine(zLen, z[0], a, z[1], c, plane ? z[2] : null, layers.get(first).output());
                    net.forwardLayers(first + 1, layers.size(), rows, false, 0);
                } else {
                    setParams(a, c, 0, net.paramCount());
                    net.forward(rows, false, 0);
                }
                net.loss(rows);
                b.copy(1, net.lossBuf(), losses.slice(i, 1));
                if (data.classify()) net.countCorrectInto(rows, counts.slice(i, 1));
            }
            b.download(losses, 0, lossHost, 0, points);
            if (data.classify()) b.download(counts, 0, countHost, 0, points);
            for (int i = 0; i < points; i++) {
                lossSum[i] += (double) lossHost[i] * rows;
                correct[i] += (long) countHost[i];
            }
        }
        double[] loss = new double[points], acc = new double[points];
        for (int i = 0; i < points; i++) {
            loss[i] = lossSum[i] / data.count();
            acc[i] = data.classify() ? (double) correct[i] / data.count() : Double.NaN;
        }
        return new Values(loss, acc);
    }

    /** θ(α, β) on the parameter window [off, off+len) of the network. */
    private void setParams(float a, float c, long off, long len) {
        if (len == 0) return;
        b.combine(len, origin.slice(off, len), a, dir1.slice(off, len), c, plane ? dir2.slice(off, len) : null,
                net.paramVector().slice(off, len));
    }

    /** The first layer's outputs for θ0, d1 (and d2) on the loaded chunk, cached when they fit. */
    private Buf[] products(int chunk, int rows) {
        if (cacheAll && chunk < cache.size()) return cache.get(chunk);
        Buf[] z = cacheAll || cache.isEmpty() ? new Buf[plane ? 3 : 2] : cache.getFirst();
        Buf[] sources = plane ? new Buf[] {origin, dir1, dir2} : new Buf[] {origin, dir1};
        long zLen = (long) rows * firstOut;
        Buf firstParams = net.paramVector().slice(firstOff, firstLen);
        for (int k = 0; k < z.length; k++) {
            if (z[k] == null) z[k] = b.alloc((long) net.batchSize() * firstOut);
            // the layer is linear in (W, b): applying it to a direction gives that direction's share
            b.copy(firstLen, sources[k].slice(firstOff, firstLen), firstParams);
            net.forwardLayers(0, first + 1, rows, false, 0);
            b.copy(zLen, net.layers().get(first).output(), z[k]);
        }
        if (cacheAll) cache.add(z);
        else if (cache.isEmpty()) cache.add(z); // one reusable set, recomputed per chunk
        return z;
    }
}
