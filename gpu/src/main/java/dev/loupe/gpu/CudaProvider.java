package dev.loupe.gpu;

import dev.loupe.engine.Backend;
import dev.loupe.engine.BackendProvider;
import java.util.Optional;

/**
 * Provides {@link CudaBackend} (rank 300, so {@code --backend auto} prefers it) where a CUDA GPU,
 * its driver and cuBLAS are present; elsewhere it says which of the three is missing.
 * {@code -Dloupe.cuda.tf32=true} lets cuBLAS use TF32 tensor cores for GEMM (FP32 by default).
 */
public final class CudaProvider implements BackendProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int rank() {
        return 300;
    }

    @Override
    public Optional<String> unavailableReason() {
        return CudaProbe.result().reason();
    }

    @Override
    public Backend create() {
        CudaProbe.Result r = CudaProbe.result();
        if (r.unavailable() != null) throw new IllegalStateException("cuda backend unavailable: " + r.unavailable());
        return new CudaBackend(new CudaDevice(r.cublasLibrary(), Boolean.getBoolean("loupe.cuda.tf32")));
    }
}
