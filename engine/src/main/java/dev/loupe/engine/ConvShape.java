package dev.loupe.engine;

/**
 * Geometry of a 2-D convolution over one NHWC sample: input {@code h×w×c}, a {@code kh×kw}
 * kernel, stride and zero padding; output {@code outH×outW}.
 */
public record ConvShape(int h, int w, int c, int kh, int kw, int stride, int pad) {
    public ConvShape {
        if (h <= 0 || w <= 0 || c <= 0 || kh <= 0 || kw <= 0 || stride <= 0 || pad < 0) {
            throw new IllegalArgumentException("invalid conv geometry " + this);
        }
    }

    public int outH() { return (h + 2 * pad - kh) / stride + 1; }

    public int outW() { return (w + 2 * pad - kw) / stride + 1; }

    /** Columns of the im2col matrix: kernel taps times input channels. */
    public int patch() { return kh * kw * c; }
}
