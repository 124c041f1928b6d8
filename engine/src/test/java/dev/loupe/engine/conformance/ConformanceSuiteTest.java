package dev.loupe.engine.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Backend;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The suite accepts the reference itself and singles out exactly the op a broken backend gets wrong. */
class ConformanceSuiteTest {

    @Test
    void referenceAgreesWithItselfExactly() {
        List<ConformanceResult> results = ConformanceSuite.run(new ReferenceBackend(), 0);
        assertTrue(results.size() > 200, "suite should cover many cases, got " + results.size());
        for (ConformanceResult r : results) assertEquals(0.0, r.maxError(), r.op() + " " + r.caseName());
    }

    @Test
    void aBackendWithAWrongScaleFailsOnlyScale() {
        ReferenceBackend real = new ReferenceBackend();
        // scale by alpha·(1 + 1e-3): a relative error of 1e-3, far above the tolerance
        Backend broken = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("scale")) args[1] = (float) args[1] * 1.001f;
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        List<ConformanceResult> results = ConformanceSuite.run(broken, 1e-5);
        Set<String> failedOps = results.stream().filter(r -> !r.passed()).map(ConformanceResult::op)
                .collect(Collectors.toSet());
        assertEquals(Set.of("scale"), failedOps);
        double worst = results.stream().filter(r -> r.op().equals("scale")).mapToDouble(ConformanceResult::maxError).max().orElseThrow();
        assertTrue(worst > 5e-4 && worst < 2e-3, "scale error should be about 1e-3, was " + worst);
    }
}
