// Lets Loupe's CUDA kernels compile as host C++ so tests can run them without a GPU. Each block
// runs its threads as coroutines on one OS thread (ucontext); __syncthreads switches to the
// next thread until all have arrived. __shared__ variables become function statics (blocks run
// one after another, and every kernel initializes its shared memory, as CUDA requires anyway).
// Atomics are plain read-modify-writes: there is no concurrency to guard against. Warp
// intrinsics (shuffles, votes) are deliberately not provided: the kernels do not use them.
#pragma once
#include <math.h>
#include <string.h>

struct dim3 { unsigned x, y, z; };
extern dim3 threadIdx, blockIdx, blockDim, gridDim;
void __syncthreads();

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

inline void __threadfence() {}
inline unsigned int __float_as_uint(float f) { unsigned int u; memcpy(&u, &f, 4); return u; }
inline float atomicAdd(float* p, float v) { float old = *p; *p = old + v; return old; }
inline unsigned int atomicAdd(unsigned int* p, unsigned int v) { unsigned int old = *p; *p = old + v; return old; }
inline int atomicAdd(int* p, int v) { int old = *p; *p = old + v; return old; }
