package dev.loupe.engine.backend.nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.conformance.ConformanceResult;
import dev.loupe.engine.conformance.ConformanceSuite;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The nd4j backend agrees with the reference on every op of the conformance suite within 1e-5. */
class Nd4jConformanceTest {

    @Test
    void everyOpMatchesTheReference() {
        assertEquals(java.util.Optional.empty(), new Nd4jProvider().unavailableReason());
        try (Backend b = Nd4jBackend.create()) {
            List<ConformanceResult> results = ConformanceSuite.run(b, 1e-5);
            String failed = results.stream().filter(r -> !r.passed())
                    .map(r -> r.op() + " " + r.caseName() + ": " + r.maxError()).collect(Collectors.joining("\n"));
            assertTrue(failed.isEmpty(), "cases outside 1e-5:\n" + failed);
            assertTrue(results.size() > 200);
        }
    }

    @Test
    void singleThreadedBackendAlsoConforms() {
        try (Backend b = new Nd4jBackend(OpenBlas.get(), 1)) {
            List<ConformanceResult> results = ConformanceSuite.run(b, 1e-5);
            assertTrue(results.stream().allMatch(ConformanceResult::passed),
                    () -> results.stream().filter(r -> !r.passed()).toList().toString());
        }
    }

    @Test
    void scalarLoopsAlsoConform() {
        // the Vector API forms are the default where the module is present; the scalar ones must hold too
        try (Backend b = new Nd4jBackend(OpenBlas.get(), 2, false)) {
            List<ConformanceResult> results = ConformanceSuite.run(b, 1e-5);
            assertTrue(results.stream().allMatch(ConformanceResult::passed),
                    () -> results.stream().filter(r -> !r.passed()).toList().toString());
        }
    }

    @Test
    void autoPicksNd4jOverReference() {
        try (Backend b = Backends.open("auto")) {
            assertEquals("nd4j", b.name());
        }
    }
}
