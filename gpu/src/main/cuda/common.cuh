// Shared helpers for Loupe's kernels. Every kernel that reduces is launched with exactly
// LOUPE_THREADS threads per block (the tree reductions below assume a power of two), and every
// reduction runs in a fixed order that depends only on the problem size: results are
// deterministic run to run, as the reference backend's are.
#pragma once

#define LOUPE_THREADS 256

typedef long long i64;
typedef unsigned long long u64;

__device__ __forceinline__ i64 global_thread() { return (i64)blockIdx.x * blockDim.x + threadIdx.x; }
__device__ __forceinline__ i64 global_stride() { return (i64)blockDim.x * gridDim.x; }

// for (i = this thread's first element; i < n; i += all threads)
#define GRID_STRIDE(i, n) for (i64 i = global_thread(); i < (n); i += global_stride())

__device__ __forceinline__ int imin(int a, int b) { return a < b ? a : b; }
__device__ __forceinline__ int imax(int a, int b) { return a > b ? a : b; }

__device__ __forceinline__ bool is_finite(float v) {
    return (__float_as_uint(v) & 0x7f800000u) != 0x7f800000u;
}

struct SumOp { template <typename T> __device__ T operator()(T a, T b) const { return a + b; } };
struct MinOp { __device__ double operator()(double a, double b) const { return b < a ? b : a; } };
struct MaxOp { __device__ double operator()(double a, double b) const { return b > a ? b : a; } };

// Tree reduction over the block in a fixed order; every thread gets the result. `s` is a
// __shared__ scratch array of LOUPE_THREADS elements.
template <typename T, typename Op>
__device__ T block_reduce(T v, T* s, Op op) {
    s[threadIdx.x] = v;
    __syncthreads();
    for (int w = LOUPE_THREADS / 2; w > 0; w >>= 1) {
        if ((int)threadIdx.x < w) s[threadIdx.x] = op(s[threadIdx.x], s[threadIdx.x + w]);
        __syncthreads();
    }
    T r = s[0];
    __syncthreads();
    return r;
}
