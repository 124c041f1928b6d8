package dev.loupe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.backend.reference.ReferenceBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The peers train the same model: from Loupe's weights and batches, DL4J and PyTorch give Loupe's initial loss. */
class PeersTest {

    @Test
    void dl4jMlpStartsFromLoupesWeights() {
        assertSameInitialLoss(Arch.MLP);
    }

    @Test
    void dl4jCnnStartsFromLoupesWeightsDespiteLayoutChanges() {
        // conv kernels [kh,kw,c,f] → [f,c,kh,kw] and the flatten order NHWC → NCHW must both be right
        assertSameInitialLoss(Arch.CNN);
    }

    private static void assertSameInitialLoss(Arch arch) {
        SyntheticBatches data = new SyntheticBatches(arch.batch(), arch.inputSize(), Arch.CLASSES, 3);
        try (LoupeContender loupe = new LoupeContender(new ReferenceBackend(), arch, data, 5);
             Dl4jContender dl4j = new Dl4jContender(arch, data, loupe.network())) {
            assertTrue(loupe.initialLoss() > 0.5, "a random 10-class model has a loss well above 0");
            assertEquals(loupe.initialLoss(), dl4j.initialLoss(), 1e-4 * loupe.initialLoss());
            assertTrue(dl4j.run(0).steps() >= 1);
        }
    }

    @Test
    void torchMlpStartsFromLoupesWeightsAndRunsWindows() throws Exception {
        assertTorchMatches(Arch.MLP);
    }

    @Test
    void torchCnnStartsFromLoupesWeightsDespiteLayoutChanges() throws Exception {
        assertTorchMatches(Arch.CNN);
    }

    private static void assertTorchMatches(Arch arch) throws Exception {
        Assumptions.assumeTrue(TorchContender.unavailableReason().isEmpty(), "PyTorch is not importable here");
        SyntheticBatches data = new SyntheticBatches(arch.batch(), arch.inputSize(), Arch.CLASSES, 3);
        try (LoupeContender loupe = new LoupeContender(new ReferenceBackend(), arch, data, 5);
             TorchContender torch = new TorchContender(arch, 1, data, loupe.network().getParams())) {
            assertEquals(loupe.initialLoss(), torch.initialLoss(), 1e-4 * loupe.initialLoss());
            Contender.Window w = torch.run(0.2);
            assertTrue(w.steps() >= 1);
            assertTrue(w.nanos() >= 200_000_000L, "a window lasts at least the time asked for");
            assertTrue(torch.version().matches("\\d+\\.\\d+.*"), torch.version());
        }
    }
}
