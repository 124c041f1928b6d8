package dev.loupe.engine;

/**
 * Geometry of a 2-D pooling window over one NHWC sample of {@code h×w×c}; global average pooling
 * is a window the size of the image.
 */
public record PoolShape(int h, int w, int c, int kh, int kw, int stride, int pad) {
    public PoolShape {
        if (h <= 0 || w <= 0 || c <= 0 || kh <= 0 || kw <= 0 || stride <= 0 || pad < 0) {
            throw new IllegalArgumentException("invalid pool geometry " + this);
        }
    }

    public int outH() { return (h + 2 * pad - kh) / stride + 1; }

    public int outW() { return (w + 2 * pad - kw) / stride + 1; }
}
