// Losses and metrics. A mean over rows is two launches: per-block partial sums (in double, a
// fixed grid for a given size) and one block that adds the partials in a fixed order — no
// floating-point atomics, so the loss is the same bits every run.
#include "common.cuh"

// Fixed-order sum of `count` double partials; out[0] = (float)(total / divisor). One block.
extern "C" __global__ void loupe_reduce_partials(int count, const double* partial, double divisor, float* out) {
    __shared__ double s[LOUPE_THREADS];
    double acc = 0;
    for (int i = threadIdx.x; i < count; i += LOUPE_THREADS) acc += partial[i];
    double total = block_reduce(acc, s, SumOp());
    if (threadIdx.x == 0) out[0] = (float)(total / divisor);
}

// One thread per row: softmax cross-entropy of row r (in double, as the reference), the
// gradient (p - onehot) / rows when dlogits is not null, and the block's summed loss in partial.
extern "C" __global__ void loupe_softmax_xent_rows(int rows, int cols, const float* logits, const float* labels,
                                                   float* dlogits, double* partial) {
    __shared__ double s[LOUPE_THREADS];
    int r = blockIdx.x * LOUPE_THREADS + threadIdx.x;
    double loss = 0;
    if (r < rows) {
        const float* row = logits + (i64)r * cols;
        double mx = -INFINITY;
        for (int c = 0; c < cols; c++) {
            double v = row[c];
            if (v != v || v > mx) mx = v;  // Math.max: NaN wins
        }
        double z = 0;
        for (int c = 0; c < cols; c++) z += exp(row[c] - mx);
        int label = (int)labels[r];
        if (label < 0 || label >= cols) {
            loss = NAN;  // the data check upstream should have caught it; make it visible
        } else {
            loss = log(z) + mx - row[label];
        }
        if (dlogits != 0) {
            float* d = dlogits + (i64)r * cols;
            for (int c = 0; c < cols; c++) {
                double p = exp(row[c] - mx) / z;
                d[c] = (float)((p - (c == label ? 1 : 0)) / rows);
            }
        }
    }
    double block = block_reduce(loss, s, SumOp());
    if (threadIdx.x == 0) partial[blockIdx.x] = block;
}

// Squared error partial sums over a grid-stride loop (fixed grid for a given n), and
// dpred = 2 (p - t) / n when dpred is not null.
extern "C" __global__ void loupe_mse_partial(i64 n, const float* pred, const float* target, float* dpred,
                                             double* partial) {
    __shared__ double s[LOUPE_THREADS];
    double acc = 0;
    GRID_STRIDE(i, n) {
        double d = (double)pred[i] - target[i];
        acc += d * d;
        if (dpred != 0) dpred[i] = (float)(2 * d / n);
    }
    double block = block_reduce(acc, s, SumOp());
    if (threadIdx.x == 0) partial[blockIdx.x] = block;
}

// First maximum of row r, by the reference's scan (so a NaN in column 0 wins, NaNs elsewhere lose).
__device__ __forceinline__ int row_argmax(const float* row, int cols) {
    int best = 0;
    for (int c = 1; c < cols; c++) {
        if (row[c] > row[best]) best = c;
    }
    return best;
}

extern "C" __global__ void loupe_argmax(int rows, int cols, const float* x, float* out) {
    GRID_STRIDE(r, rows) out[r] = (float)row_argmax(x + r * cols, cols);
}

// out[0] must be zero before the launch; each block adds its integer count (exact in float
// below 2^24, so the order of the atomic adds cannot change the result).
extern "C" __global__ void loupe_count_correct(int rows, int cols, const float* logits, const float* labels,
                                               float* out) {
    __shared__ int s[LOUPE_THREADS];
    int r = blockIdx.x * LOUPE_THREADS + threadIdx.x;
    int ok = 0;
    if (r < rows) ok = row_argmax(logits + (i64)r * cols, cols) == (int)labels[r] ? 1 : 0;
    int block = block_reduce(ok, s, SumOp());
    if (threadIdx.x == 0 && block != 0) atomicAdd(out, (float)block);
}
