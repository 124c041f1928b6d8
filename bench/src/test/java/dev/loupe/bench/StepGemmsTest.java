package dev.loupe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.engine.Backend;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.nn.Network;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GEMM floor times exactly the GEMMs a Loupe training step (or forward pass) issues, no more and no fewer. */
class StepGemmsTest {

    /** A reference backend that records every gemm and skips computing it (only shapes matter here). */
    private static Backend recording(List<Arch.Gemm> calls) {
        Backend ref = new ReferenceBackend();
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("gemm")) {
                        calls.add(new Arch.Gemm((boolean) args[0], (boolean) args[1], (int) args[2], (int) args[3], (int) args[4]));
                        return null;
                    }
                    try {
                        return m.invoke(ref, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void assertFloorMatchesStep(Arch arch) {
        List<Arch.Gemm> calls = new ArrayList<>();
        try (Network net = new Network(recording(calls), arch.spec(), arch.batch(), 1)) {
            calls.clear(); // nothing before the step counts
            net.computeGradients(arch.batch(), 0);
        }
        assertEquals(arch.stepGemms(), calls);
    }

    @Test
    void mlpFloorIsTheMlpStepsGemms() {
        assertFloorMatchesStep(Arch.MLP);
        assertEquals(8, Arch.MLP.stepGemms().size()); // 3 forward, 3 dW, 2 dX (no gradient into the input)
    }

    @Test
    void cnnFloorIsTheCnnStepsGemms() {
        assertFloorMatchesStep(Arch.CNN);
    }

    @Test
    void forwardGemmsAreTheForwardPassesGemms() {
        for (Arch arch : Arch.values()) {
            List<Arch.Gemm> calls = new ArrayList<>();
            try (Network net = new Network(recording(calls), arch.spec(), 4, 1)) {
                calls.clear();
                net.forward(4, false, 0);
            }
            assertEquals(arch.forwardGemms(4), calls, arch.id());
        }
    }

    @Test
    void landscapeCeilingFollowsTheFirstLayersShareOfMultiplyAdds() {
        // MLP 784-512-256-10: 401,408 of 535,040 multiply-adds per sample
        assertEquals(784.0 * 512 / (784 * 512 + 512 * 256 + 256 * 10), LandscapeWorkload.firstLayerShare(Arch.MLP), 1e-12);
        // CNN: conv1 26·26·32 outputs × 9 taps of 2,631,040
        assertEquals(26.0 * 26 * 32 * 9 / 2_631_040, LandscapeWorkload.firstLayerShare(Arch.CNN), 1e-12);
    }
}
