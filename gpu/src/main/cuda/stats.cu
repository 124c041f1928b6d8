// The per-tensor statistics op (TensorStats layout): four launches, no floating-point atomics
// (and a batched form of the first two, for many tensors without histograms; see below).
//   1. loupe_stats_partial   each block summarizes its grid-stride share of x into 7 doubles
//   2. loupe_stats_finalize  one block combines the partials in a fixed order, writes the header
//   3. loupe_stats_hist      integer bin counts over [min, max] of the finite elements
//   4. loupe_stats_hist_out  counts → floats after the header
// Counts are integers, so the atomics in step 3 give the same result in any order.
#include "common.cuh"

// TensorStats offsets
#define ST_COUNT 0
#define ST_MEAN 1
#define ST_STD 2
#define ST_MIN 3
#define ST_MAX 4
#define ST_L2 5
#define ST_ZERO_FRAC 6
#define ST_NON_FINITE 7
#define ST_HEADER 8

// Per block: finite, zeros, non-finite, sum, sum of squares, min, max (as doubles).
#define ST_PARTIAL 7
// Bins counted in shared memory first; larger histograms count straight into global memory.
#define ST_SHARED_BINS 2048

// Block `block` of `blocks` summarizes its grid-stride share of x[0..n) into 7 doubles at p.
__device__ void stats_partial(i64 n, const float* x, double* p, i64 block, i64 blocks) {
    __shared__ double s[LOUPE_THREADS];
    double finite = 0, zeros = 0, non_finite = 0, sum = 0, sum_sq = 0, lo = INFINITY, hi = -INFINITY;
    for (i64 i = block * blockDim.x + threadIdx.x; i < n; i += blocks * blockDim.x) {
        float v = x[i];
        if (!is_finite(v)) {
            non_finite += 1;
            continue;
        }
        if (v == 0.f) zeros += 1;
        finite += 1;
        sum += v;
        sum_sq += (double)v * v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    double r;
    r = block_reduce(finite, s, SumOp());     if (threadIdx.x == 0) p[0] = r;
    r = block_reduce(zeros, s, SumOp());      if (threadIdx.x == 0) p[1] = r;
    r = block_reduce(non_finite, s, SumOp()); if (threadIdx.x == 0) p[2] = r;
    r = block_reduce(sum, s, SumOp());        if (threadIdx.x == 0) p[3] = r;
    r = block_reduce(sum_sq, s, SumOp());     if (threadIdx.x == 0) p[4] = r;
    r = block_reduce(lo, s, MinOp());         if (threadIdx.x == 0) p[5] = r;
    r = block_reduce(hi, s, MaxOp());         if (threadIdx.x == 0) p[6] = r;
}

extern "C" __global__ void loupe_stats_partial(i64 n, const float* x, double* partial) {
    stats_partial(n, x, partial + (i64)blockIdx.x * ST_PARTIAL, blockIdx.x, gridDim.x);
}

// One block combines `blocks` partials in a fixed order and writes the header exactly as
// ReferenceBackend.stats computes it from the totals; returns the number of finite elements.
__device__ double stats_finalize(int blocks, i64 n, const double* partial, float* out) {
    __shared__ double s[LOUPE_THREADS];
    double acc[ST_PARTIAL] = {0, 0, 0, 0, 0, INFINITY, -INFINITY};
    for (int b = threadIdx.x; b < blocks; b += LOUPE_THREADS) {
        const double* p = partial + (i64)b * ST_PARTIAL;
        for (int k = 0; k < 5; k++) acc[k] += p[k];
        acc[5] = p[5] < acc[5] ? p[5] : acc[5];
        acc[6] = p[6] > acc[6] ? p[6] : acc[6];
    }
    double finite = block_reduce(acc[0], s, SumOp());
    double zeros = block_reduce(acc[1], s, SumOp());
    double non_finite = block_reduce(acc[2], s, SumOp());
    double sum = block_reduce(acc[3], s, SumOp());
    double sum_sq = block_reduce(acc[4], s, SumOp());
    double lo = block_reduce(acc[5], s, MinOp());
    double hi = block_reduce(acc[6], s, MaxOp());
    if (threadIdx.x == 0) {
        double mean = finite == 0 ? 0 : sum / finite;
        double var = finite == 0 ? 0 : sum_sq / finite - mean * mean;
        if (var < 0) var = 0;
        out[ST_COUNT] = (float)n;
        out[ST_MEAN] = (float)mean;
        out[ST_STD] = (float)sqrt(var);
        out[ST_MIN] = finite == 0 ? 0.f : (float)lo;
        out[ST_MAX] = finite == 0 ? 0.f : (float)hi;
        out[ST_L2] = (float)sqrt(sum_sq);
        out[ST_ZERO_FRAC] = n == 0 ? 0.f : (float)zeros / (float)n;
        out[ST_NON_FINITE] = (float)non_finite;
    }
    return finite;
}

// One block; meta[0] = number of finite elements (read by the histogram pass).
extern "C" __global__ void loupe_stats_finalize(int blocks, i64 n, const double* partial, float* out, double* meta) {
    double finite = stats_finalize(blocks, n, partial, out);
    if (threadIdx.x == 0) meta[0] = finite;
}

// The statistics of up to ST_BATCH tensors in two launches instead of two per tensor (and their
// histograms in two more plus a memset, instead of three per tensor): the cuda backend gathers
// consecutive stats calls into one batch. Tensor k gets blocks [first[k], first[k+1]) of the
// partial and histogram launches, split exactly as loupe_stats_partial splits it alone, block k
// of the finalize and output launches, and counts [count_first[k], count_first[k+1]) of the
// shared count buffer; so each header and histogram is bitwise what the per-tensor launches write.
#define ST_BATCH 48
struct StatsBatch {
    const float* x[ST_BATCH];
    float* out[ST_BATCH];
    i64 n[ST_BATCH];
    int first[ST_BATCH + 1];
    int count;
    int bins[ST_BATCH];
    int count_first[ST_BATCH + 1];
};

__device__ __forceinline__ int batch_tensor(const StatsBatch& b, int g) {
    int k = 0;
    while (k + 1 < b.count && g >= b.first[k + 1]) k++;
    return k;
}

extern "C" __global__ void loupe_stats_partial_batch(StatsBatch b, double* partial) {
    int g = blockIdx.x, k = batch_tensor(b, g);
    stats_partial(b.n[k], b.x[k], partial + (i64)g * ST_PARTIAL, g - b.first[k], b.first[k + 1] - b.first[k]);
}

// meta[k] = number of finite elements of tensor k (read by the histogram pass).
extern "C" __global__ void loupe_stats_finalize_batch(StatsBatch b, const double* partial, double* meta) {
    int k = blockIdx.x;
    double finite = stats_finalize(b.first[k + 1] - b.first[k], b.n[k], partial + (i64)b.first[k] * ST_PARTIAL, b.out[k]);
    if (threadIdx.x == 0) meta[k] = finite;
}

// ReferenceBackend.histogramBin: equal-width bins on [lo, hi], hi in the last bin; a constant
// tensor (hi == lo) lands in the middle bin. The offset is multiplied by binScale, bins / (hi - lo)
// in float (IEEE division: the kernels are built without fast math); the cast takes NaN to 0.
__device__ __forceinline__ int histogram_bin(float v, float lo, float hi, int bins) {
    if (!(hi > lo)) return bins / 2;
    int b = (int)((v - lo) * ((float)bins / (hi - lo)));
    return imin(bins - 1, imax(0, b));
}

// Block `block` of `blocks` counts its grid-stride share of the finite x into counts[0..bins)
// over [out[ST_MIN], out[ST_MAX]]; counts must be zero before the first block runs.
__device__ void stats_hist(i64 n, int bins, const float* x, const float* out, double finite,
                           unsigned int* counts, i64 block, i64 blocks) {
    __shared__ unsigned int local[ST_SHARED_BINS];
    if (bins == 0 || finite == 0) return;  // uniform across the block
    float lo = out[ST_MIN], hi = out[ST_MAX];
    i64 start = block * blockDim.x + threadIdx.x, stride = blocks * blockDim.x;
    if (bins <= ST_SHARED_BINS) {
        for (int b = threadIdx.x; b < bins; b += LOUPE_THREADS) local[b] = 0;
        __syncthreads();
        for (i64 i = start; i < n; i += stride) {
            float v = x[i];
            if (is_finite(v)) atomicAdd(&local[histogram_bin(v, lo, hi, bins)], 1u);
        }
        __syncthreads();
        for (int b = threadIdx.x; b < bins; b += LOUPE_THREADS) {
            if (local[b] != 0) atomicAdd(&counts[b], local[b]);
        }
    } else {
        for (i64 i = start; i < n; i += stride) {
            float v = x[i];
            if (is_finite(v)) atomicAdd(&counts[histogram_bin(v, lo, hi, bins)], 1u);
        }
    }
}

// counts[0..bins) must be zero before the launch.
extern "C" __global__ void loupe_stats_hist(i64 n, int bins, const float* x, const float* out,
                                            const double* meta, unsigned int* counts) {
    stats_hist(n, bins, x, out, meta[0], counts, blockIdx.x, gridDim.x);
}

// The batch's counts must be zero before the launch.
extern "C" __global__ void loupe_stats_hist_batch(StatsBatch b, const double* meta, unsigned int* counts) {
    int g = blockIdx.x, k = batch_tensor(b, g);
    stats_hist(b.n[k], b.bins[k], b.x[k], b.out[k], meta[k], counts + b.count_first[k], g - b.first[k],
               b.first[k + 1] - b.first[k]);
}

extern "C" __global__ void loupe_stats_hist_out_batch(StatsBatch b, const unsigned int* counts) {
    int k = blockIdx.x;
    const unsigned int* c = counts + b.count_first[k];
    for (int i = threadIdx.x; i < b.bins[k]; i += LOUPE_THREADS) b.out[k][ST_HEADER + i] = (float)c[i];
}

extern "C" __global__ void loupe_stats_hist_out(int bins, const unsigned int* counts, float* out) {
    GRID_STRIDE(b, bins) out[ST_HEADER + b] = (float)counts[b];
}
