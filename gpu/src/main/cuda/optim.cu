// Optimizer updates, one thread per parameter, with the reference's float/double arithmetic.
#include "common.cuh"

// SGD (PyTorch semantics); velocity may be null when momentum is 0, update may be null.
extern "C" __global__ void loupe_sgd_step(i64 n, float lr, float momentum, int nesterov, float weight_decay,
                                          float* param, const float* grad, float* velocity, float* update) {
    GRID_STRIDE(i, n) {
        float th = param[i];
        float g = grad[i] + weight_decay * th;
        if (momentum != 0) {
            float v = momentum * velocity[i] + g;
            velocity[i] = v;
            g = nesterov ? g + momentum * v : v;
        }
        float d = -lr * g;
        if (update != 0) update[i] = d;
        param[i] = th + d;
    }
}

// Adam / AdamW; bc1 = 1 - beta1^t and bc2 = 1 - beta2^t are computed on the host in double.
extern "C" __global__ void loupe_adam_step(i64 n, float lr, float beta1, float beta2, float eps,
                                           float weight_decay, int decoupled, double bc1, double bc2,
                                           float* param, const float* grad, float* m, float* v, float* update) {
    GRID_STRIDE(i, n) {
        float th = param[i];
        float g = grad[i];
        if (!decoupled) g += weight_decay * th;
        float mi = beta1 * m[i] + (1 - beta1) * g;
        float vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = mi;
        v[i] = vi;
        float d = (float)((double)(-lr) * (mi / bc1) / (sqrt(vi / bc2) + (double)eps));
        if (decoupled) d -= lr * weight_decay * th;
        if (update != 0) update[i] = d;
        param[i] = th + d;
    }
}
