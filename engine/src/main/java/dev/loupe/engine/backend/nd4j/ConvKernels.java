package dev.loupe.engine.backend.nd4j;

import static dev.loupe.engine.backend.nd4j.Nd4jBackend.F;

import dev.loupe.engine.ConvShape;
import dev.loupe.engine.PoolShape;
import java.lang.foreign.MemorySegment;

/**
 * im2col/col2im and pooling over NHWC buffers. Work is split by rows of the im2col matrix or by
 * samples; every output element is written by one thread, and sums into one element happen in the
 * reference's order, so results do not depend on the thread count.
 */
final class ConvKernels {
    private final Workers w;

    ConvKernels(Workers w) {
        this.w = w;
    }

    /** Copies {@code len} floats; short runs (a few channels) loop, long ones use a bulk copy. */
    private static void copy(MemorySegment src, long from, MemorySegment dst, long to, long len) {
        if (len >= 32) {
            MemorySegment.copy(src, from * Float.BYTES, dst, to * Float.BYTES, len * Float.BYTES);
        } else {
            for (long i = 0; i < len; i++) dst.setAtIndex(F, to + i, src.getAtIndex(F, from + i));
        }
    }

    private static void zero(MemorySegment dst, long to, long len) {
        for (long i = 0; i < len; i++) dst.setAtIndex(F, to + i, 0f);
    }

    private static void add(MemorySegment src, long from, MemorySegment dst, long to, long len) {
        for (long i = 0; i < len; i++) dst.setAtIndex(F, to + i, dst.getAtIndex(F, to + i) + src.getAtIndex(F, from + i));
    }

    void im2col(ConvShape s, int batch, MemorySegment x, MemorySegment cols) {
        int oh = s.outH(), ow = s.outW(), patch = s.patch(), h = s.h(), wd = s.w(), c = s.c();
        int kh = s.kh(), kw = s.kw(), stride = s.stride(), pad = s.pad(), run = kw * c;
        int rows = batch * oh * ow;
        w.forEach(rows, Math.max(1, 16_384 / patch), (ch, lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int n = row / (oh * ow), rest = row % (oh * ow), y = rest / ow, xo = rest % ow;
                int dst = row * patch;
                int ix0 = xo * stride - pad;
                boolean fullRow = ix0 >= 0 && ix0 + kw <= wd;
                for (int ky = 0; ky < kh; ky++, dst += run) {
                    int iy = y * stride - pad + ky;
                    if (iy < 0 || iy >= h) {
                        zero(cols, dst, run);
                        continue;
                    }
                    int src = ((n * h + iy) * wd + ix0) * c;
                    if (fullRow) {
                        copy(x, src, cols, dst, run);
                        continue;
                    }
                    for (int kx = 0; kx < kw; kx++) {
                        int ix = ix0 + kx;
                        if (ix >= 0 && ix < wd) copy(x, src + kx * c, cols, dst + kx * c, c);
                        else zero(cols, dst + kx * c, c);
                    }
                }
            }
        });
    }

    void col2im(ConvShape s, int batch, MemorySegment cols, MemorySegment dx) {
        int oh = s.outH(), ow = s.outW(), patch = s.patch(), h = s.h(), wd = s.w(), c = s.c();
        int kh = s.kh(), kw = s.kw(), stride = s.stride(), pad = s.pad();
        int sample = h * wd * c;
        // by samples: each sample's dx is written by one thread, in the reference's order
        w.forEach(batch, 1, (ch, lo, hi) -> {
            dx.asSlice((long) lo * sample * Float.BYTES, (long) (hi - lo) * sample * Float.BYTES).fill((byte) 0);
            for (int n = lo; n < hi; n++) {
                for (int y = 0; y < oh; y++) {
                    for (int xo = 0; xo < ow; xo++) {
                        int row = (n * oh + y) * ow + xo;
                        int ix0 = xo * stride - pad;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = y * stride - pad + ky;
                            if (iy < 0 || iy >= h) continue;
                            int src = row * patch + ky * kw * c;
                            int dst = ((n * h + iy) * wd + ix0) * c;
                            if (ix0 >= 0 && ix0 + kw <= wd) {
                                add(cols, src, dx, dst, kw * c);
                                continue;
                            }
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ix0 + kx;
                                if (ix >= 0 && ix < wd) add(cols, src + kx * c, dx, dst + kx * c, c);
                            }
                        }
                    }
                }
            }
        });
    }

    void maxPool(PoolShape s, int batch, MemorySegment x, MemorySegment y, MemorySegment argmax) {
        int oh = s.outH(), ow = s.outW(), h = s.h(), wd = s.w(), c = s.c();
        int in = h * wd * c;
        int outRows = batch * oh * ow;
        w.forEach(outRows, Math.max(1, 4096 / c), (ch, lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int n = row / (oh * ow), rest = row % (oh * ow), py = rest / ow, px = rest % ow;
                long o = (long) row * c;
                boolean first = true;
                for (int ky = 0; ky < s.kh(); ky++) {
                    int iy = py * s.stride() - s.pad() + ky;
                    if (iy < 0 || iy >= h) continue;
                    for (int kx = 0; kx < s.kw(); kx++) {
                        int ix = px * s.stride() - s.pad() + kx;
                        if (ix < 0 || ix >= wd) continue;
                        int local = (iy * wd + ix) * c;
                        long src = (long) n * in + local;
                        if (first) {
                            for (long k = 0; k < c; k++) {
                                y.setAtIndex(F, o + k, x.getAtIndex(F, src + k));
                                argmax.setAtIndex(F, o + k, local + k);
                            }
                            first = false;
                            continue;
                        }
                        for (long k = 0; k < c; k++) {
                            float v = x.getAtIndex(F, src + k);
                            if (v > y.getAtIndex(F, o + k)) {
                                y.setAtIndex(F, o + k, v);
                                argmax.setAtIndex(F, o + k, local + k);
                            }
                        }
                    }
                }
                if (first) { // a window entirely in the padding: no input element wins
                    for (long k = 0; k < c; k++) {
                        y.setAtIndex(F, o + k, Float.NEGATIVE_INFINITY);
                        argmax.setAtIndex(F, o + k, -1);
                    }
                }
            }
        });
    }

    void maxPoolBackward(PoolShape s, int batch, MemorySegment dy, MemorySegment argmax, MemorySegment dx) {
        int in = s.h() * s.w() * s.c(), out = s.outH() * s.outW() * s.c();
        w.forEach(batch, 1, (ch, lo, hi) -> {
            dx.asSlice((long) lo * in * Float.BYTES, (long) (hi - lo) * in * Float.BYTES).fill((byte) 0);
            for (int n = lo; n < hi; n++) {
                long base = (long) n * in, ob = (long) n * out;
                for (long o = 0; o < out; o++) {
                    long at = base + (int) argmax.getAtIndex(F, ob + o);
                    dx.setAtIndex(F, at, dx.getAtIndex(F, at) + dy.getAtIndex(F, ob + o));
                }
            }
        });
    }

    void avgPool(PoolShape s, int batch, MemorySegment x, MemorySegment y) {
        int oh = s.outH(), ow = s.outW(), h = s.h(), wd = s.w(), c = s.c();
        float inv = 1f / (s.kh() * s.kw());
        w.forEach(batch, 1, (ch, lo, hi) -> {
            for (int n = lo; n < hi; n++)
                for (int py = 0; py < oh; py++)
                    for (int px = 0; px < ow; px++)
                        for (int k = 0; k < c; k++) {
                            double sum = 0;
                            for (int ky = 0; ky < s.kh(); ky++)
                                for (int kx = 0; kx < s.kw(); kx++) {
                                    int iy = py * s.stride() - s.pad() + ky, ix = px * s.stride() - s.pad() + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    sum += x.getAtIndex(F, ((n * h + iy) * wd + ix) * c + k);
                                }
                            y.setAtIndex(F, ((n * oh + py) * ow + px) * c + k, (float) sum * inv);
                        }
        });
    }

    void avgPoolBackward(PoolShape s, int batch, MemorySegment dy, MemorySegment dx) {
        int oh = s.outH(), ow = s.outW(), h = s.h(), wd = s.w(), c = s.c();
        int in = h * wd * c;
        float inv = 1f / (s.kh() * s.kw());
        w.forEach(batch, 1, (ch, lo, hi) -> {
            dx.asSlice((long) lo * in * Float.BYTES, (long) (hi - lo) * in * Float.BYTES).fill((byte) 0);
            for (int n = lo; n < hi; n++)
                for (int py = 0; py < oh; py++)
                    for (int px = 0; px < ow; px++)
                        for (int k = 0; k < c; k++) {
                            float g = dy.getAtIndex(F, ((n * oh + py) * ow + px) * c + k) * inv;
                            for (int ky = 0; ky < s.kh(); ky++)
                                for (int kx = 0; kx < s.kw(); kx++) {
                                    int iy = py * s.stride() - s.pad() + ky, ix = px * s.stride() - s.pad() + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                                    int xi = ((n * h + iy) * wd + ix) * c + k;
                                    dx.setAtIndex(F, xi, dx.getAtIndex(F, xi) + g);
                                }
                        }
        });
    }
}
