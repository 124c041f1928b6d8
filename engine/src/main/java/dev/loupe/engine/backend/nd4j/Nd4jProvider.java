package dev.loupe.engine.backend.nd4j;

import dev.loupe.engine.Backend;
import dev.loupe.engine.BackendProvider;
import java.util.Optional;

/** Provides the {@link Nd4jBackend} where ND4J's bundled OpenBLAS loads (linux-x86_64 natives). */
public final class Nd4jProvider implements BackendProvider {
    @Override
    public String name() {
        return "nd4j";
    }

    @Override
    public int rank() {
        return 200;
    }

    @Override
    public Optional<String> unavailableReason() {
        try {
            OpenBlas.get();
            return Optional.empty();
        } catch (RuntimeException | LinkageError e) {
            return Optional.of("ND4J's native OpenBLAS did not load (" + e.getMessage() + ")");
        }
    }

    @Override
    public Backend create() {
        return Nd4jBackend.create();
    }
}
