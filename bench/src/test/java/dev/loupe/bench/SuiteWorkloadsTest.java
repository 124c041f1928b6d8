package dev.loupe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The recording, IG and landscape workloads end to end with tiny sizes on nd4j: the rows say what
 * was measured, ratios are computed from the medians beside them, the bars are the documented bars,
 * and the reference backend is named as skipped rather than silently left out.
 */
class SuiteWorkloadsTest {
    private static final Suite TINY = new Suite("tiny", 0.05, 2, 0.05, 0.01);

    private static BenchContext ctx(Set<Peer> peers) {
        return BenchContext.of(TINY, List.of("nd4j", "reference"), peers, 1, ProgressSink.NONE);
    }

    private static <T extends Row> List<T> of(List<Row> rows, Class<T> type) {
        return rows.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Test
    void recordingWorkloadComparesEachModeWithOff() throws Exception {
        var s = new RecordingOverheadWorkload.Settings(16, 2, 1, false);
        List<Row> rows = new RecordingOverheadWorkload(Arch.MLP, s).run(ctx(Set.of()));
        List<Row.Rate> rates = of(rows, Row.Rate.class);
        assertEquals(List.of("loupe/reference", "loupe/nd4j off", "loupe/nd4j stats", "loupe/nd4j full"),
                rates.stream().map(Row.Rate::contender).toList());
        assertTrue(rates.getFirst().perWindow().isEmpty() && rates.getFirst().note().startsWith("skipped"));
        for (Row.Rate r : rates.subList(1, rates.size())) assertEquals(2, r.perWindow().size(), r.toString());

        List<Row.Ratio> ratios = of(rows, Row.Ratio.class);
        assertEquals(2, ratios.size());
        Row.Ratio full = ratios.getLast();
        assertEquals("loupe/nd4j full", full.loupe());
        assertEquals("loupe/nd4j off", full.peer());
        assertTrue(full.lowerIsBetter());
        assertEquals(RecordingOverheadWorkload.BAR, full.required());
        // ms/step medians: the inverse of the samples/s medians at the same batch
        assertEquals(1000.0 * 16 / rates.get(3).median(), full.loupeValue(), 1e-9 * full.loupeValue());
        assertEquals(1000.0 * 16 / rates.get(1).median(), full.peerValue(), 1e-9 * full.peerValue());
        // the ratio is the median of per-round time ratios (off's rate ÷ full's rate in the same round); of 2 rounds, their mean
        List<Double> off = rates.get(1).perWindow(), fullRates = rates.get(3).perWindow();
        double expected = (off.get(0) / fullRates.get(0) + off.get(1) / fullRates.get(1)) / 2;
        assertEquals(expected, full.ratio(), 1e-9 * expected);
        assertTrue(Double.isNaN(ratios.getFirst().required()), "stats vs off is informational");
    }

    @Test
    void landscapeWorkloadComparesBatchedWithOnePointAndChecksTheyAgree() throws Exception {
        var s = new LandscapeWorkload.Settings(20, 2, 3, 3);
        List<Row> rows = new LandscapeWorkload(Arch.MLP, s).run(ctx(Set.of()));
        List<Row.Rate> rates = of(rows, Row.Rate.class);
        assertEquals(List.of("loupe/reference", "loupe/nd4j batched", "loupe/nd4j one-point"),
                rates.stream().map(Row.Rate::contender).toList());
        Row.Ratio q = of(rows, Row.Ratio.class).getFirst();
        // the median of per-repeat ratios (the grids of one repeat run back to back)
        List<Double> perRepeat = new java.util.ArrayList<>();
        for (int r = 0; r < 3; r++) perRepeat.add(rates.get(1).perWindow().get(r) / rates.get(2).perWindow().get(r));
        assertEquals(Row.Stats.median(perRepeat), q.ratio(), 1e-12);
        assertEquals(rates.get(1).median(), q.loupeValue(), 1e-12);
        assertEquals(LandscapeWorkload.BAR, q.required());
        Row.Check same = of(rows, Row.Check.class).getFirst();
        assertTrue(same.ok(), same.toString());
    }

    @Test
    void igWorkloadWithoutPeerMeasuresLoupeOnly() throws Exception {
        var s = new IgWorkload.Settings(2, 4, 8, 2, null);
        List<Row> rows = new IgWorkload(s).run(ctx(Set.of()));
        List<Row.Rate> rates = of(rows, Row.Rate.class);
        assertEquals(List.of("loupe/reference", "loupe/nd4j"), rates.stream().map(Row.Rate::contender).toList());
        assertEquals(2, rates.getLast().perWindow().size());
        assertTrue(rates.getLast().median() > 0, rates.toString());
        assertTrue(of(rows, Row.Ratio.class).isEmpty(), "no peer, no ratio");
    }

    @Test
    void theSuiteRunsEveryWorkload() {
        assertEquals(List.of("train-mlp", "train-cnn", "record-mlp", "record-cnn", "ig-cnn", "landscape-mlp", "landscape-cnn"),
                SuiteRunner.workloads().stream().map(Workload::name).toList());
    }
}
