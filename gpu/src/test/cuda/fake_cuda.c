/* A stand-in for the NVIDIA driver (libcuda.so.1, soname included) with the driver calls Loupe
 * makes through JCuda: "device" memory is host memory, every copy is a memcpy, and cuLaunchKernel
 * runs the kernel on the host emulation (emu_launch). With it, CudaDeviceFakeDriverTest runs the
 * whole Java side — probe, JCuda marshalling, pinned staging, launches, cuBLAS via FFM — with
 * only the GPU itself replaced. Nothing here is asynchronous. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int emu_launch(const char* kernel, int gx, int gy, int bx, int by, void** args);
int emu_has(const char* kernel);

typedef unsigned long long CUdeviceptr;
enum { OK = 0, NOT_FOUND = 500, INVALID_VALUE = 1 };

int64_t fake_live_allocs, fake_launches, fake_host_allocs;
static int ctx_storage, stream_storage, event_storage, module_storage;

int cuInit(unsigned flags) { return OK; }
int cuDriverGetVersion(int* v) { *v = 13000; return OK; }
int cuDeviceGetCount(int* n) { *n = 1; return OK; }
int cuDeviceGet(int* dev, int ordinal) { *dev = ordinal; return ordinal == 0 ? OK : INVALID_VALUE; }
int cuDeviceGetAttribute(int* v, int attr, int dev) {
    *v = attr == 75 ? 9 : attr == 76 ? 0 : 1;  /* compute capability 9.0 */
    return OK;
}
int cuDeviceGetName(char* name, int len, int dev) { strncpy(name, "Fake GPU (host emulation)", len); return OK; }
int cuDeviceTotalMem_v2(size_t* bytes, int dev) { *bytes = (size_t)80 << 30; return OK; }
int cuMemGetInfo_v2(size_t* free_bytes, size_t* total) { *free_bytes = (size_t)79 << 30; *total = (size_t)80 << 30; return OK; }
int cuDevicePrimaryCtxRetain(void** ctx, int dev) { *ctx = &ctx_storage; return OK; }
int cuDevicePrimaryCtxRelease_v2(int dev) { return OK; }
int cuCtxSetCurrent(void* ctx) { return ctx == &ctx_storage ? OK : INVALID_VALUE; }
int cuStreamCreate(void** s, unsigned flags) { *s = &stream_storage; return OK; }
int cuStreamDestroy_v2(void* s) { return OK; }
int cuStreamSynchronize(void* s) { return OK; }
int cuEventCreate(void** e, unsigned flags) { *e = &event_storage; return OK; }
int cuEventDestroy_v2(void* e) { return OK; }
int cuEventRecord(void* e, void* s) { return OK; }
int cuEventSynchronize(void* e) { return OK; }
int cuMemAllocHost_v2(void** p, size_t bytes) { *p = malloc(bytes); fake_host_allocs++; return *p ? OK : 2; }
int cuMemFreeHost(void* p) { free(p); fake_host_allocs--; return OK; }
int cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
    void* m = aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (!m) return 2;
    memset(m, 0x7f, bytes);  /* not zeroed: the backend must zero what it allocates */
    fake_live_allocs++;
    *p = (CUdeviceptr)(uintptr_t)m;
    return OK;
}
int cuMemFree_v2(CUdeviceptr p) { free((void*)(uintptr_t)p); fake_live_allocs--; return OK; }
int cuMemsetD8Async(CUdeviceptr d, unsigned char v, size_t n, void* s) { memset((void*)(uintptr_t)d, v, n); return OK; }
int cuMemsetD32Async(CUdeviceptr d, unsigned int v, size_t n, void* s) {
    unsigned int* p = (unsigned int*)(uintptr_t)d;
    for (size_t i = 0; i < n; i++) p[i] = v;
    return OK;
}
int cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void* src, size_t n, void* s) { memcpy((void*)(uintptr_t)d, src, n); return OK; }
int cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, void* s) { memcpy(dst, (void*)(uintptr_t)src, n); return OK; }
int cuMemcpyDtoDAsync_v2(CUdeviceptr d, CUdeviceptr src, size_t n, void* s) {
    memmove((void*)(uintptr_t)d, (void*)(uintptr_t)src, n);
    return OK;
}
int cuModuleLoadData(void** m, const void* image) { *m = &module_storage; return image ? OK : INVALID_VALUE; }
int cuModuleUnload(void* m) { return OK; }
int cuModuleGetFunction(void** f, void* m, const char* name) {
    if (!emu_has(name)) return NOT_FOUND;
    *f = strdup(name);
    return OK;
}
int cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                   unsigned shmem, void* stream, void** params, void** extra) {
    if (gz != 1 || bz != 1 || bx * by > 1024 || gx == 0 || gy == 0) return INVALID_VALUE;
    fake_launches++;
    return emu_launch((const char*)f, (int)gx, (int)gy, (int)bx, (int)by, params) == 0 ? OK : NOT_FOUND;
}
int cuGetErrorName(int e, const char** s) { *s = e == 0 ? "CUDA_SUCCESS" : "CUDA_ERROR_FAKE"; return OK; }
int cuGetErrorString(int e, const char** s) { *s = e == 0 ? "no error" : "fake driver error"; return OK; }
