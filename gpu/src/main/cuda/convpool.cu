// im2col/col2im and pooling over NHWC images. Backward passes gather (one thread per input
// element, summing its contributions in the reference's order) instead of scattering with
// atomics: no races, bitwise deterministic, and the same float sums as the reference.
#include "common.cuh"

// Geometry shared by these kernels: input h×w×c, window kh×kw, stride, pad, output oh×ow.
#define GEOMETRY int h, int w, int c, int kh, int kw, int stride, int pad, int oh, int ow

// First output row/column whose window covers input coordinate `i` (clipped to 0), and the last
// one (clipped to out-1): windows start at o*stride - pad and span k taps.
__device__ __forceinline__ int first_window(int i, int k, int stride, int pad) {
    int a = i + pad - k + 1;
    return a <= 0 ? 0 : (a + stride - 1) / stride;
}
__device__ __forceinline__ int last_window(int i, int stride, int pad, int out) {
    return imin(out - 1, (i + pad) / stride);
}

// cols[(n, oy, ox), (ky, kx, ch)] = x[n, oy*stride - pad + ky, ox*stride - pad + kx, ch] or 0.
extern "C" __global__ void loupe_im2col(GEOMETRY, int batch, const float* x, float* cols) {
    int patch = kh * kw * c;
    GRID_STRIDE(i, (i64)batch * oh * ow * patch) {
        i64 row = i / patch;
        int col = (int)(i - row * patch);
        int ch = col % c, kx = (col / c) % kw, ky = col / (c * kw);
        int ox = (int)(row % ow);
        int oy = (int)((row / ow) % oh);
        i64 n = row / ((i64)ow * oh);
        int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
        float v = 0;
        if (iy >= 0 && iy < h && ix >= 0 && ix < w) v = x[((n * h + iy) * w + ix) * c + ch];
        cols[i] = v;
    }
}

// The adjoint of im2col: dx[n, iy, ix, ch] = sum of every cols entry that im2col read from it,
// in increasing cols-row order (the reference's scatter order).
extern "C" __global__ void loupe_col2im(GEOMETRY, int batch, const float* cols, float* dx) {
    int patch = kh * kw * c;
    GRID_STRIDE(i, (i64)batch * h * w * c) {
        int ch = (int)(i % c);
        int ix = (int)((i / c) % w);
        int iy = (int)((i / ((i64)c * w)) % h);
        i64 n = i / ((i64)c * w * h);
        float acc = 0;
        int y1 = last_window(iy, stride, pad, oh), x1 = last_window(ix, stride, pad, ow);
        int x0 = first_window(ix, kw, stride, pad);
        for (int oy = first_window(iy, kh, stride, pad); oy <= y1; oy++) {
            int ky = iy + pad - oy * stride;
            if (ky < 0 || ky >= kh) continue;
            for (int ox = x0; ox <= x1; ox++) {
                int kx = ix + pad - ox * stride;
                if (kx < 0 || kx >= kw) continue;
                i64 row = (n * oh + oy) * ow + ox;
                acc += cols[row * patch + (ky * kw + kx) * c + ch];
            }
        }
        dx[i] = acc;
    }
}

// Max pooling; argmax gets the flat index within the sample (first maximum in window order).
extern "C" __global__ void loupe_max_pool(GEOMETRY, int batch, const float* x, float* y, float* argmax) {
    i64 in = (i64)h * w * c;
    GRID_STRIDE(o, (i64)batch * oh * ow * c) {
        int ch = (int)(o % c);
        int px = (int)((o / c) % ow);
        int py = (int)((o / ((i64)c * ow)) % oh);
        i64 n = o / ((i64)c * ow * oh);
        float best = -INFINITY;
        i64 best_at = -1;
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int iy = py * stride - pad + ky, ix = px * stride - pad + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                i64 local = ((i64)iy * w + ix) * c + ch;
                float v = x[n * in + local];
                if (best_at < 0 || v > best) {
                    best = v;
                    best_at = local;
                }
            }
        }
        y[o] = best;
        argmax[o] = (float)best_at;
    }
}

// dx[n, iy, ix, ch] = sum of dy[o] over the outputs o whose argmax is this element, in o order.
extern "C" __global__ void loupe_max_pool_backward(GEOMETRY, int batch, const float* dy,
                                                   const float* argmax, float* dx) {
    GRID_STRIDE(i, (i64)batch * h * w * c) {
        int ch = (int)(i % c);
        int ix = (int)((i / c) % w);
        int iy = (int)((i / ((i64)c * w)) % h);
        i64 n = i / ((i64)c * w * h);
        i64 local = ((i64)iy * w + ix) * c + ch;
        float acc = 0;
        int y1 = last_window(iy, stride, pad, oh), x1 = last_window(ix, stride, pad, ow);
        int x0 = first_window(ix, kw, stride, pad);
        for (int py = first_window(iy, kh, stride, pad); py <= y1; py++) {
            for (int px = x0; px <= x1; px++) {
                i64 o = ((n * oh + py) * ow + px) * c + ch;
                if ((i64)argmax[o] == local) acc += dy[o];
            }
        }
        dx[i] = acc;
    }
}

// Average pooling: padding taps count toward the divisor; the sum runs in double like the reference.
extern "C" __global__ void loupe_avg_pool(GEOMETRY, int batch, const float* x, float* y) {
    float inv = 1.f / (float)(kh * kw);
    GRID_STRIDE(o, (i64)batch * oh * ow * c) {
        int ch = (int)(o % c);
        int px = (int)((o / c) % ow);
        int py = (int)((o / ((i64)c * ow)) % oh);
        i64 n = o / ((i64)c * ow * oh);
        double sum = 0;
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                int iy = py * stride - pad + ky, ix = px * stride - pad + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                sum += x[((n * h + iy) * w + ix) * c + ch];
            }
        }
        y[o] = (float)sum * inv;
    }
}

extern "C" __global__ void loupe_avg_pool_backward(GEOMETRY, int batch, const float* dy, float* dx) {
    float inv = 1.f / (float)(kh * kw);
    GRID_STRIDE(i, (i64)batch * h * w * c) {
        int ch = (int)(i % c);
        int ix = (int)((i / c) % w);
        int iy = (int)((i / ((i64)c * w)) % h);
        i64 n = i / ((i64)c * w * h);
        float acc = 0;
        int y1 = last_window(iy, stride, pad, oh), x1 = last_window(ix, stride, pad, ow);
        int x0 = first_window(ix, kw, stride, pad);
        for (int py = first_window(iy, kh, stride, pad); py <= y1; py++) {
            for (int px = x0; px <= x1; px++) {
                acc += dy[((n * oh + py) * ow + px) * c + ch] * inv;
            }
        }
        dx[i] = acc;
    }
}
