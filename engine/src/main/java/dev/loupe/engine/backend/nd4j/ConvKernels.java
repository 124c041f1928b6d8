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
    /** Whether to run the Vector API forms ({@link SimdKernels}); false keeps every loop scalar. */
    private final boolean simd;

    ConvKernels(Workers w, boolean simd) {
        this.w = w;
        this.simd = simd;
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

    void im2col(ConvShape s, int batch, MemorySegment x, MemorySegment cols) {
        int oh = s.outH(), ow = s.outW(), patch = s.patch(), h = s.h(), wd = s.w(), c = s.c();
        int kh = s.kh(), kw = s.kw(), stride = s.stride(), pad = s.pad(), run = kw * c;
        int rows = batch * oh * ow;
        if (c < 8) {
            im2colFewChannels(s, batch, x, cols);
            return;
        }
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

    /**
     * im2col for inputs with few channels (the first layer: 1 or 3): runs of {@code kw·c} floats are
     * too short to copy one by one, so for each kernel tap a loop walks the whole output row, reading
     * the input row contiguously and writing one strided column of {@code cols}.
     */
    private void im2colFewChannels(ConvShape s, int batch, MemorySegment x, MemorySegment cols) {
        int oh = s.outH(), ow = s.outW(), patch = s.patch(), h = s.h(), wd = s.w(), c = s.c();
        int kh = s.kh(), kw = s.kw(), stride = s.stride(), pad = s.pad();
        w.forEach(batch * oh, Math.max(1, 4096 / (ow * patch)), (chunk, lo, hi) -> {
            for (int r = lo; r < hi; r++) { // output row (n, y)
                int n = r / oh, y = r % oh;
                long rowBase = (long) r * ow * patch;
                for (int ky = 0; ky < kh; ky++) {
                    int iy = y * stride - pad + ky;
                    for (int kx = 0; kx < kw; kx++) {
                        long col = rowBase + (long) (ky * kw + kx) * c;
                        long src = ((long) (n * h + iy) * wd + kx - pad) * c;
                        if (iy < 0 || iy >= h) {
                            strided(null, 0, 0, cols, col, patch, ow, c);
                            continue;
                        }
                        // output columns whose tap lands inside the row: ix = xo·stride − pad + kx ∈ [0, wd)
                        int xoLo = Math.min(ow, Math.max(0, (pad - kx + stride - 1) / stride));
                        int xoHi = Math.max(xoLo, Math.min(ow, (wd - 1 + pad - kx) / stride + 1));
                        strided(null, 0, 0, cols, col, patch, xoLo, c);
                        strided(x, src + (long) xoLo * stride * c, (long) stride * c, cols, col + (long) xoLo * patch,
                                patch, xoHi - xoLo, c);
                        strided(null, 0, 0, cols, col + (long) xoHi * patch, patch, ow - xoHi, c);
                    }
                }
            }
        });
    }

    /** {@code count} runs of {@code c} floats from {@code x} (or zeros when null) to strided places in {@code cols}. */
    private static void strided(MemorySegment x, long src, long srcStride, MemorySegment cols, long dst, long dstStride,
                                int count, int c) {
        if (x == null) {
            for (int i = 0; i < count; i++) for (int k = 0; k < c; k++) cols.setAtIndex(F, dst + i * dstStride + k, 0f);
        } else if (c == 1) {
            for (int i = 0; i < count; i++) cols.setAtIndex(F, dst + i * dstStride, x.getAtIndex(F, src + i * srcStride));
        } else {
            for (int i = 0; i < count; i++) {
                for (int k = 0; k < c; k++) {
                    cols.setAtIndex(F, dst + i * dstStride + k, x.getAtIndex(F, src + i * srcStride + k));
                }
            }
        }
    }

    /**
     * col2im by input rows: each row {@code (n, iy)} of dx is summed in a small accumulator from the
     * im2col entries that came from it, then stored once, so every dx element is written by one
     * thread with no zeroing pass over dx. The reference scatters output pixels in raster order; an
     * input pixel receives them in that order, which is kernel rows from last to first
     * ({@code y = (iy + pad − ky) / stride} grows as {@code ky} falls) and within a row kernel
     * columns from last to first. The accumulator adds in exactly that order, starting from 0 like
     * the reference's zeroed dx: same bits.
     */
    void col2im(ConvShape s, int batch, MemorySegment cols, MemorySegment dx) {
        int oh = s.outH(), ow = s.outW(), patch = s.patch(), h = s.h(), wd = s.w(), c = s.c();
        int kh = s.kh(), kw = s.kw(), stride = s.stride(), pad = s.pad();
        boolean vector = simd && c >= SimdKernels.lanes();
        if (vector) { // whole vectors of channels: the scatter's contiguous runs vectorize
            col2imScatter(s, batch, cols, dx);
            return;
        }
        w.forEach(batch * h, Math.max(1, 8192 / (wd * c * kh)), (chunk, lo, hi) -> {
            float[] acc = new float[wd * c];
            for (int r = lo; r < hi; r++) { // input row (n, iy)
                int n = r / h, iy = r % h;
                java.util.Arrays.fill(acc, 0f);
                for (int ky = kh - 1; ky >= 0; ky--) {
                    int t = iy + pad - ky;
                    if (t < 0 || t % stride != 0 || t / stride >= oh) continue;
                    long rowBase = (long) (n * oh + t / stride) * ow;
                    for (int kx = kw - 1; kx >= 0; kx--) {
                        // output columns whose tap kx lands inside the row: ix = xo·stride − pad + kx ∈ [0, wd)
                        int xoLo = Math.max(0, Math.ceilDiv(pad - kx, stride));
                        int xoHi = Math.min(ow, Math.floorDiv(wd - 1 + pad - kx, stride) + 1);
                        if (xoHi <= xoLo) continue;
                        long src = (rowBase + xoLo) * patch + (long) (ky * kw + kx) * c;
                        int at = (xoLo * stride - pad + kx) * c;
                        accumulate(cols, src, patch, acc, at, stride * c, xoHi - xoLo, c);
                    }
                }
                MemorySegment.copy(acc, 0, dx, F, (long) r * wd * c * Float.BYTES, wd * c);
            }
        });
    }

    /** {@code acc[at + i·accStride + k] += cols[src + i·srcStride + k]} for {@code i < count}, {@code k < c}. */
    private static void accumulate(MemorySegment cols, long src, long srcStride, float[] acc, int at, int accStride,
                                   int count, int c) {
        if (c == 1) { // the first layer's gradient (greyscale): one strided sum per tap
            for (int i = 0; i < count; i++, src += srcStride, at += accStride) acc[at] += cols.getAtIndex(F, src);
            return;
        }
        for (int i = 0; i < count; i++, src += srcStride, at += accStride) {
            for (int k = 0; k < c; k++) acc[at + k] += cols.getAtIndex(F, src + k);
        }
    }

    /**
     * col2im as the reference's scatter, by samples (each sample's dx is written by one thread, in
     * the reference's order: same bits), with the additions as vector loops. The columns stream
     * through once in order while one sample's dx (a few tens of KB) stays in L1; measured on the
     * CNN's conv2 at batch 100: 1.4 ms on one thread (scalar scatter 1.6, a per-pixel gather summing
     * in registers 2.0) and 1.0 ms on two (2.0 and 2.7).
     */
    private void col2imScatter(ConvShape s, int batch, MemorySegment cols, MemorySegment dx) {
        int oh = s.outH(), ow = s.outW(), patch = s.patch(), h = s.h(), wd = s.w(), c = s.c();
        int kh = s.kh(), kw = s.kw(), stride = s.stride(), pad = s.pad();
        int sample = h * wd * c;
        w.forEach(batch, 1, (ch, lo, hi) -> {
            dx.asSlice((long) lo * sample * Float.BYTES, (long) (hi - lo) * sample * Float.BYTES).fill((byte) 0);
            for (int n = lo; n < hi; n++) {
                for (int y = 0; y < oh; y++) {
                    for (int xo = 0; xo < ow; xo++) {
                        long row = ((long) n * oh + y) * ow + xo;
                        int ix0 = xo * stride - pad;
                        boolean fullRow = ix0 >= 0 && ix0 + kw <= wd;
                        for (int ky = 0; ky < kh; ky++) {
                            int iy = y * stride - pad + ky;
                            if (iy < 0 || iy >= h) continue;
                            long src = row * patch + (long) ky * kw * c;
                            long dst = ((long) (n * h + iy) * wd + ix0) * c;
                            if (fullRow) {
                                SimdKernels.add(cols, src, dx, dst, kw * c);
                                continue;
                            }
                            for (int kx = 0; kx < kw; kx++) {
                                int ix = ix0 + kx;
                                if (ix >= 0 && ix < wd) SimdKernels.add(cols, src + (long) kx * c, dx, dst + (long) kx * c, c);
                            }
                        }
                    }
                }
            }
        });
    }

    void maxPool(PoolShape s, int batch, MemorySegment x, MemorySegment y, MemorySegment argmax) {
        if (s.kh() == 2 && s.kw() == 2 && s.stride() == 2 && s.pad() == 0) {
            maxPool2x2(s, batch, x, y, argmax);
            return;
        }
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

    /** The common 2×2/2 window with the four taps in registers; same ties rule (first maximum in window order). */
    private void maxPool2x2(PoolShape s, int batch, MemorySegment x, MemorySegment y, MemorySegment argmax) {
        int oh = s.outH(), ow = s.outW(), h = s.h(), wd = s.w(), c = s.c();
        long in = (long) h * wd * c, rowStride = (long) wd * c;
        if (simd && c >= SimdKernels.lanes()) {
            w.forEach(batch * oh * ow, Math.max(1, 4096 / c), (ch, lo, hi) -> SimdKernels.maxPool2x2(x, y, argmax, lo, hi, oh, ow, wd, c, in));
            return;
        }
        w.forEach(batch * oh * ow, Math.max(1, 4096 / c), (ch, lo, hi) -> {
            for (int row = lo; row < hi; row++) {
                int n = row / (oh * ow), rest = row % (oh * ow), py = rest / ow, px = rest % ow;
                long l0 = ((long) 2 * py * wd + 2L * px) * c, l1 = l0 + c, l2 = l0 + rowStride, l3 = l2 + c;
                long base = n * in, o = (long) row * c;
                window2x2(x, base + l0, base + l1, base + l2, base + l3, (int) l0, (int) l1, (int) l2, (int) l3,
                        y, argmax, o, c);
            }
        });
    }

    /**
     * One output pixel's {@code c} channels of a 2×2 window with taps at {@code s0..s3} (local
     * indices {@code l0..l3}). "v > best" is a coin flip on real data and a mispredicted branch costs
     * more than the compare, so the fast loop has no data-dependent branch: the maximum by
     * {@code Math.max}, the first tap holding it by integer equality of the bits (C2 vectorizes this).
     * That equals the reference's first-maximum rule except where a window holds a NaN or a −0;
     * those pixels are redone with the reference's comparisons.
     */
    private static void window2x2(MemorySegment x, long s0, long s1, long s2, long s3, int l0, int l1, int l2, int l3,
                                  MemorySegment y, MemorySegment argmax, long o, int c) {
        int special = 0;
        for (long k = 0; k < c; k++) {
            float v0 = x.getAtIndex(F, s0 + k), v1 = x.getAtIndex(F, s1 + k);
            float v2 = x.getAtIndex(F, s2 + k), v3 = x.getAtIndex(F, s3 + k);
            float m = Math.max(Math.max(v0, v1), Math.max(v2, v3));
            int b0 = Float.floatToRawIntBits(v0), b1 = Float.floatToRawIntBits(v1);
            int b2 = Float.floatToRawIntBits(v2), b3 = Float.floatToRawIntBits(v3), mb = Float.floatToRawIntBits(m);
            int at = l3;
            at ^= (at ^ l2) & equal(b2, mb);
            at ^= (at ^ l1) & equal(b1, mb);
            at ^= (at ^ l0) & equal(b0, mb);
            special |= special(b0) | special(b1) | special(b2) | special(b3);
            y.setAtIndex(F, o + k, m);
            argmax.setAtIndex(F, o + k, at + (int) k);
        }
        if (special < 0) exactWindow(x, new long[] {s0, s1, s2, s3}, new int[] {l0, l1, l2, l3}, y, argmax, o, c);
    }

    /** −1 when {@code a == b}, else 0. */
    private static int equal(int a, int b) {
        int d = a ^ b;
        return ~((d | -d) >> 31);
    }

    /** Negative when the bits are a NaN or −0, the values where Math.max and "v > best" part ways. */
    private static int special(int bits) {
        int negZero = bits ^ 0x80000000; // 0 only for −0
        return (0x7f800000 - (bits & 0x7fffffff)) | ~(negZero | -negZero);
    }

    /** The reference's rule for one window: the first tap strictly greater than every earlier one wins. */
    private static void exactWindow(MemorySegment x, long[] src, int[] local, MemorySegment y, MemorySegment argmax,
                                    long o, int c) {
        for (int k = 0; k < c; k++) {
            float best = x.getAtIndex(F, src[0] + k);
            int at = local[0];
            for (int t = 1; t < src.length; t++) {
                float v = x.getAtIndex(F, src[t] + k);
                if (v > best) {
                    best = v;
                    at = local[t];
                }
            }
            y.setAtIndex(F, o + k, best);
            argmax.setAtIndex(F, o + k, at + k);
        }
    }

    void maxPoolBackward(PoolShape s, int batch, MemorySegment dy, MemorySegment argmax, MemorySegment dx) {
        if (simd && s.kh() == 2 && s.kw() == 2 && s.stride() == 2 && s.pad() == 0 && s.c() >= SimdKernels.lanes()) {
            int oh = s.outH(), ow = s.outW(), h = s.h(), wd = s.w(), c = s.c();
            w.forEach(batch, 1, (ch, lo, hi) -> SimdKernels.maxPool2x2Backward(dy, argmax, dx, lo, hi, oh, ow, h, wd, c));
            return;
        }
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
