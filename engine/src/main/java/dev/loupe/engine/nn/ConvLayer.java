package dev.loupe.engine.nn;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import dev.loupe.engine.ConvShape;
import java.util.List;

/**
 * 2-D convolution as im2col + gemm over NHWC activations: {@code cols[n·OH·OW × KH·KW·C]} times
 * {@code W[KH·KW·C × F]} gives the output directly in NHWC.
 */
public final class ConvLayer extends Layer {
    private final ConvShape shape;
    private final int filters;
    private Param w;
    private Param bias;
    private Buf cols;

    ConvLayer(String name, int[] inShape, ConvShape shape, int filters) {
        super(name, inShape, new int[] {shape.outH(), shape.outW(), filters});
        this.shape = shape;
        this.filters = filters;
    }

    @Override
    public String type() { return "conv2d"; }

    /** The convolution's geometry. */
    public ConvShape geometry() { return shape; }

    @Override
    public List<Param> params() { return List.of(w, bias); }

    @Override
    long paramCount() { return (long) shape.patch() * filters + filters; }

    @Override
    long scratchFloatsPerSample() { return (long) shape.outH() * shape.outW() * shape.patch(); }

    @Override
    void allocate(Backend b, int batch) {
        super.allocate(b, batch);
        // the unfolded input; reused by backward for dW and as dcols (cost: one buffer per conv layer)
        cols = b.alloc(batch * scratchFloatsPerSample());
    }

    @Override
    void bindParams(Buf params, Buf grads, long offset) {
        long wn = (long) shape.patch() * filters;
        w = new Param(name, "W", new int[] {shape.kh(), shape.kw(), shape.c(), filters}, offset, wn, shape.patch(),
                false, params.slice(offset, wn), grads.slice(offset, wn));
        bias = new Param(name, "b", new int[] {filters}, offset + wn, filters, shape.patch(), true,
                params.slice(offset + wn, filters), grads.slice(offset + wn, filters));
    }

    /** Samples per chunk so that a chunk's columns fit the backend's {@link Backend#chunkBytes()}. */
    private int chunk(Backend b, int n) {
        long perSample = scratchFloatsPerSample() * Float.BYTES;
        return (int) Math.max(1, Math.min(n, b.chunkBytes() / perSample));
    }

    @Override
    void forward(Backend b, int n, boolean training, long step) {
        int rows = n * shape.outH() * shape.outW(), pixels = shape.outH() * shape.outW();
        long cs = scratchFloatsPerSample();
        int per = chunk(b, n);
        if (per >= n) {
            b.im2col(shape, n, in, cols);
            b.gemm(false, false, rows, filters, shape.patch(), 1f, cols, w.value(), 0f, out);
        } else { // each chunk's columns are multiplied right after they are written, while in cache
            for (int n0 = 0; n0 < n; n0 += per) {
                int nb = Math.min(per, n - n0);
                Buf c = cols.slice(n0 * cs, nb * cs);
                b.im2col(shape, nb, in.slice((long) n0 * inSize, (long) nb * inSize), c);
                b.gemm(false, false, nb * pixels, filters, shape.patch(), 1f, c, w.value(), 0f,
                        out.slice((long) n0 * outSize, (long) nb * outSize));
            }
        }
        b.addBias(rows, filters, out, bias.value());
    }

    @Override
    void backward(Backend b, int n, boolean inputGrad) {
        int rows = n * shape.outH() * shape.outW();
        if (paramGrads) {
            b.gemm(true, false, shape.patch(), filters, rows, 1f, cols, dOut, 0f, w.grad());
            b.sumRows(rows, filters, dOut, bias.grad());
        }
        if (inputGrad) {
            // cols is dead after dW: reuse it for dcols instead of a second buffer
            int per = chunk(b, n);
            if (per >= n) {
                b.gemm(false, true, rows, shape.patch(), filters, 1f, dOut, w.value(), 0f, cols);
                b.col2im(shape, n, cols, dIn);
                return;
            }
            long cs = scratchFloatsPerSample();
            int pixels = shape.outH() * shape.outW();
            for (int n0 = 0; n0 < n; n0 += per) { // dcols folded back while in cache
                int nb = Math.min(per, n - n0);
                Buf c = cols.slice(n0 * cs, nb * cs);
                b.gemm(false, true, nb * pixels, shape.patch(), filters, 1f,
                        dOut.slice((long) n0 * outSize, (long) nb * outSize), w.value(), 0f, c);
                b.col2im(shape, nb, c, dIn.slice((long) n0 * inSize, (long) nb * inSize));
            }
        }
    }
}
