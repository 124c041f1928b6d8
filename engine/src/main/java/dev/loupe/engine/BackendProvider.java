package dev.loupe.engine;

import java.util.Optional;

/**
 * A way to make a {@link Backend}, found through {@link java.util.ServiceLoader}. A provider that
 * cannot run here (no GPU, missing native library) says why instead of failing.
 */
public interface BackendProvider {
    /** Name used with {@code --backend}. */
    String name();

    /** Higher wins for {@code --backend auto}: cuda 300, nd4j 200, reference 100. */
    int rank();

    /** Empty when this provider can create a backend here; otherwise the reason it cannot. */
    Optional<String> unavailableReason();

    /** Creates a backend; only called when {@link #unavailableReason()} is empty. */
    Backend create();
}
