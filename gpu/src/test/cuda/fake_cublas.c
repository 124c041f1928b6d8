/* A stand-in for libcublas with the six functions Loupe binds through FFM: it records what it
 * was called with, so CublasBindingTest can check the Java side's argument marshalling (types,
 * order, host-pointer scalars) without cuBLAS or a GPU. Built by the test with gcc. */
#include <stdint.h>
#include <stdlib.h>

static int handle_storage;
int64_t fake_stream, fake_math_mode = -1, fake_destroyed, fake_gemm_calls;
int fake_transa, fake_transb, fake_m, fake_n, fake_k, fake_lda, fake_ldb, fake_ldc;
float fake_alpha, fake_beta;
uint64_t fake_a, fake_b, fake_c, fake_workspace, fake_workspace_bytes;

int cublasCreate_v2(void** handle) { *handle = &handle_storage; return 0; }
int cublasDestroy_v2(void* handle) { fake_destroyed = handle == &handle_storage; return 0; }
int cublasSetStream_v2(void* handle, void* stream) { fake_stream = (int64_t)(intptr_t)stream; return handle == &handle_storage ? 0 : 7; }
int cublasSetMathMode(void* handle, int mode) { fake_math_mode = mode; return handle == &handle_storage ? 0 : 7; }
int cublasSetWorkspace_v2(void* handle, void* workspace, size_t bytes) {
    fake_workspace = (uint64_t)(uintptr_t)workspace; fake_workspace_bytes = bytes;
    return handle == &handle_storage ? 0 : 7;
}
int cublasGetVersion_v2(void* handle, int* version) { *version = 130001; return 0; }
int cublasSgemm_v2(void* handle, int transa, int transb, int m, int n, int k, const float* alpha,
                   const float* a, int lda, const float* b, int ldb, const float* beta, float* c, int ldc) {
    fake_gemm_calls++;
    fake_transa = transa; fake_transb = transb; fake_m = m; fake_n = n; fake_k = k;
    fake_alpha = *alpha; fake_beta = *beta;
    fake_a = (uint64_t)(uintptr_t)a; fake_b = (uint64_t)(uintptr_t)b; fake_c = (uint64_t)(uintptr_t)c;
    fake_lda = lda; fake_ldb = ldb; fake_ldc = ldc;
    /* and compute it, column-major, for the fake-driver test (device pointers are host memory there) */
    if (getenv("FAKE_CUBLAS_COMPUTE")) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    float av = transa ? a[p + (long)i * lda] : a[i + (long)p * lda];
                    float bv = transb ? b[j + (long)p * ldb] : b[p + (long)j * ldb];
                    acc += (double)av * bv;
                }
                long ci = i + (long)j * ldc;
                float old = *beta == 0 ? 0 : *beta * c[ci];
                c[ci] = (float)(*alpha * acc) + old;
            }
        }
    }
    return handle == &handle_storage ? 0 : 7;
}
