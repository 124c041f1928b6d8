// Elementwise ops, bias, column sums, activations and dropout (see Backend.java for each op's
// definition; ReferenceBackend.java is the arithmetic these reproduce, operation for operation,
// which is why the module is compiled without FMA contraction).
#include "common.cuh"

extern "C" __global__ void loupe_fill(i64 n, float value, float* x) {
    GRID_STRIDE(i, n) x[i] = value;
}

extern "C" __global__ void loupe_axpy(i64 n, float alpha, const float* x, float* y) {
    GRID_STRIDE(i, n) y[i] = y[i] + alpha * x[i];
}

extern "C" __global__ void loupe_scale(i64 n, float alpha, float* x) {
    GRID_STRIDE(i, n) x[i] = alpha * x[i];
}

// out may alias a or b: each element is read before it is written, by the same thread.
extern "C" __global__ void loupe_mul(i64 n, const float* a, const float* b, float* out) {
    GRID_STRIDE(i, n) out[i] = a[i] * b[i];
}

extern "C" __global__ void loupe_add_bias(int rows, int cols, float* x, const float* bias) {
    GRID_STRIDE(i, (i64)rows * cols) x[i] = x[i] + bias[i % cols];
}

// out[c] = sum over rows of x[r, c], accumulated in double like the reference. Block (32, 8):
// 32 adjacent columns (coalesced reads), 8 row stripes summed in a fixed order at the end.
extern "C" __global__ void loupe_sum_rows(int rows, int cols, const float* x, float* out) {
    __shared__ double part[8][33];
    int c = blockIdx.x * 32 + threadIdx.x;
    double acc = 0;
    if (c < cols) {
        for (int r = threadIdx.y; r < rows; r += 8) acc += x[(i64)r * cols + c];
    }
    part[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        double t = 0;
        for (int k = 0; k < 8; k++) t += part[k][threadIdx.x];
        out[c] = (float)t;
    }
}

// The two-pass form for tall inputs. A convolution's bias gradient sums batch×H×W rows of a few
// columns, and one block per 32 columns would leave all but one multiprocessor idle. Block
// (bx, by) sums rows [by*span, (by+1)*span) of its 32 columns, in the same striped order as
// above, into partials[by*cols + c]; loupe_sum_rows_finish adds the parts in order. The split
// depends only on the shape, so the result is the same run after run.
extern "C" __global__ void loupe_sum_rows_part(int rows, int cols, int span, const float* x, double* partials) {
    __shared__ double part[8][33];
    int c = blockIdx.x * 32 + threadIdx.x;
    int r0 = blockIdx.y * span, r1 = imin(rows, r0 + span);
    double acc = 0;
    if (c < cols) {
        for (int r = r0 + threadIdx.y; r < r1; r += 8) acc += x[(i64)r * cols + c];
    }
    part[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        double t = 0;
        for (int k = 0; k < 8; k++) t += part[k][threadIdx.x];
        partials[(i64)blockIdx.y * cols + c] = t;
    }
}

extern "C" __global__ void loupe_sum_rows_finish(int parts, int cols, const double* partials, float* out) {
    GRID_STRIDE(c, cols) {
        double t = 0;
        for (int p = 0; p < parts; p++) t += partials[(i64)p * cols + c];
        out[c] = (float)t;
    }
}

// Activation codes (CudaBackend maps the enum explicitly): 0 ReLU, 1 LeakyReLU, 2 sigmoid,
// 3 tanh, 4 GELU (tanh form), 5 identity. Transcendentals run in double, as in the reference.
#define GELU_K 0.7978845608028654 /* Math.sqrt(2 / Math.PI) */

__device__ __forceinline__ float act_forward(int f, float alpha, float x) {
    switch (f) {
        case 0: return x > 0 ? x : 0.f;
        case 1: return x > 0 ? x : alpha * x;
        case 2: return (float)(1 / (1 + exp(-(double)x)));
        case 3: return (float)tanh((double)x);
        case 4: {
            double xd = x;
            return (float)(0.5 * xd * (1 + tanh(GELU_K * (xd + 0.044715 * xd * xd * xd))));
        }
        default: return x;
    }
}

__device__ __forceinline__ float act_derivative(int f, float alpha, float x, float y) {
    switch (f) {
        case 0: return x > 0 ? 1.f : 0.f;
        case 1: return x > 0 ? 1.f : alpha;
        case 2: return y * (1 - y);
        case 3: return 1 - y * y;
        case 4: {
            double xd = x;
            double u = GELU_K * (xd + 0.044715 * xd * xd * xd);
            double t = tanh(u);
            double du = GELU_K * (1 + 3 * 0.044715 * xd * xd);
            return (float)(0.5 * (1 + t) + 0.5 * xd * (1 - t * t) * du);
        }
        default: return 1.f;
    }
}

extern "C" __global__ void loupe_activation(int f, float alpha, i64 n, const float* x, float* y) {
    GRID_STRIDE(i, n) y[i] = act_forward(f, alpha, x[i]);
}

extern "C" __global__ void loupe_activation_backward(int f, float alpha, i64 n, const float* x,
                                                     const float* y, const float* dy, float* dx) {
    GRID_STRIDE(i, n) dx[i] = act_derivative(f, alpha, x[i], y[i]) * dy[i];
}

// DropoutRng.hash: SplitMix64's finalizer over a combination of (seed, counter, index); 64-bit
// unsigned arithmetic wraps exactly like Java's long.
__device__ __forceinline__ u64 dropout_hash(u64 seed, u64 counter, u64 index) {
    u64 z = seed * 0x9E3779B97F4A7C15ull + counter * 0xC2B2AE3D27D4EB4Full + index * 0x165667B19E3779F9ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

extern "C" __global__ void loupe_dropout(i64 n, float p, u64 seed, u64 counter, const float* x,
                                         float* y, float* mask) {
    float keep_scale = 1.f / (1.f - p);
    GRID_STRIDE(i, n) {
        // top 24 bits as a float in [0, 1): exact, so every backend keeps the same elements
        float u = (float)(dropout_hash(seed, counter, (u64)i) >> 40) * 5.9604644775390625e-08f;
        float m = u >= p ? keep_scale : 0.f;
        mask[i] = m;
        y[i] = x[i] * m;
    }
}
