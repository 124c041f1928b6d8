package dev.loupe.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.Backend;
import dev.loupe.engine.BackendProvider;
import dev.loupe.engine.Backends;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Where CUDA cannot run, the provider says why in one sentence and {@code auto} falls back. */
class CudaProviderTest {
    static boolean driverPresent() {
        try (Arena a = Arena.ofConfined()) {
            SymbolLookup.libraryLookup("libcuda.so.1", a);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void isFoundThroughServiceLoaderAndRankedFirst() {
        BackendProvider first = Backends.providers().getFirst();
        assertEquals("cuda", first.name());
        assertEquals(300, first.rank());
        assertTrue(first instanceof CudaProvider);
    }

    @Test
    void withoutTheDriverTheReasonNamesLibcuda() {
        Assumptions.assumeFalse(driverPresent(), "this machine has an NVIDIA driver");
        var why = new CudaProvider().unavailableReason();
        assertTrue(why.isPresent());
        assertTrue(why.get().contains("libcuda.so.1"), why.get());
        assertEquals(1, why.get().lines().count(), "one line");
        assertTrue(why.get().endsWith("."), "a sentence");
    }

    @Test
    void autoFallsBackAndExplicitCudaIsBadInput() {
        Assumptions.assumeTrue(new CudaProvider().unavailableReason().isPresent(), "CUDA is available here");
        try (Backend b = Backends.open("auto")) {
            assertNotEquals("cuda", b.name());
        }
        BadInputException e = assertThrows(BadInputException.class, () -> Backends.open("cuda"));
        assertTrue(e.getMessage().startsWith("backend cuda is not available: "), e.getMessage());
    }
}
