package dev.loupe.engine.backend.reference;

import dev.loupe.engine.Backend;
import dev.loupe.engine.BackendProvider;
import java.util.Optional;

/** Provides the always-available {@link ReferenceBackend}. */
public final class ReferenceProvider implements BackendProvider {
    @Override
    public String name() {
        return "reference";
    }

    @Override
    public int rank() {
        return 100;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }

    @Override
    public Backend create() {
        return new ReferenceBackend();
    }
}
