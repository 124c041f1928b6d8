package dev.loupe.engine.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.nn.Network;
import dev.loupe.engine.train.StepEvent;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotKeeperTest {
    @TempDir
    Path tmp;

    @Test
    void keepsABoundedEvenlyThinnedRecordWithTheStartAndTheEnd() {
        Network net = Fixtures.mlp(2);
        int p = (int) net.paramCount();
        SnapshotKeeper keeper = new SnapshotKeeper(tmp, 8);
        float[] v = new float[p];
        net.setParams(v);
        keeper.save(0, net);
        for (long step = 0; step < 100; step++) {
            Arrays.fill(v, step + 1); // the parameters after step `step` are all step+1
            net.setParams(v);
            keeper.onStep(new StepEvent(step, 0, (int) step, 100, 2, 1f, 0, 0.1f, 0), net, null);
            List<Long> kept = Snapshots.steps(tmp.resolve("snapshots"));
            assertTrue(kept.size() <= 8, "after step " + step + ": " + kept);
            assertEquals(0L, kept.getFirst());
        }
        keeper.onEnd(net);
        List<Long> kept = Snapshots.steps(tmp.resolve("snapshots"));
        // stride 16 after 100 steps with at most 8 kept: 0, 16, ..., 96, plus the final step 100
        assertEquals(List.of(0L, 16L, 32L, 48L, 64L, 80L, 96L, 100L), kept);
        for (long s : kept) assertEquals((float) s, Snapshots.read(tmp, s, p)[p - 1]);

        // a resumed run continues the same schedule
        assertEquals(16, new SnapshotKeeper(tmp, 8).stride());
    }
}
