package dev.loupe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One MLP workload end to end with tiny windows: the rows it returns say what was measured. */
class TrainingWorkloadTest {

    @Test
    void mlpWorkloadMeasuresLoupeDl4jAndTheFloor() throws Exception {
        Suite tiny = new Suite("tiny", 0.05, 2, 0.05, 0.01);
        BenchContext ctx = BenchContext.of(tiny, List.of("reference"), Set.of(Peer.DL4J), 1, ProgressSink.NONE);
        List<Row> rows = new TrainingWorkload(Arch.MLP).run(ctx);

        List<Row.Rate> rates = rows.stream().filter(r -> r instanceof Row.Rate).map(r -> (Row.Rate) r).toList();
        assertEquals(List.of("loupe/reference", "dl4j", "gemm-floor/nd4j-direct"), rates.stream().map(Row.Rate::contender).toList());
        assertEquals(1, rates.get(0).perWindow().size(), "the reference backend only gets the short run");
        assertEquals(2, rates.get(1).perWindow().size());
        for (Row.Rate r : rates) {
            assertEquals("train-mlp", r.workload());
            assertEquals(256, r.batch());
            assertTrue(r.median() > 0 && Double.isFinite(r.median()), r.toString());
        }

        List<Row.Ratio> ratios = rows.stream().filter(r -> r instanceof Row.Ratio).map(r -> (Row.Ratio) r).toList();
        assertEquals(2, ratios.size());
        Row.Ratio vsDl4j = ratios.getFirst();
        assertEquals("dl4j", vsDl4j.peer());
        assertEquals(rates.get(0).median() / rates.get(1).median(), vsDl4j.ratio(), 1e-12);
        assertEquals("-", vsDl4j.verdict(), "a short run is never held to the target");

        Row.Check check = rows.stream().filter(r -> r instanceof Row.Check).map(r -> (Row.Check) r).findFirst().orElseThrow();
        assertTrue(check.ok(), check.toString());
    }
}
