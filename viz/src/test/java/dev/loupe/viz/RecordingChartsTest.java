package dev.loupe.viz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.tfevents.Histogram;
import dev.loupe.datasets.tfevents.SummaryValue;
import dev.loupe.datasets.tfevents.TfEvent;
import dev.loupe.datasets.tfevents.TfEventWriter;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recording charts: which PNGs a run yields, the heatmap's resampling and pixels, and bad input. */
class RecordingChartsTest {
    @TempDir
    Path tmp;

    @Test
    void longSeriesAreThinnedToTheirEnvelopeAndShortOnesKept() {
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < 100_000; i++) {
            x.add((double) i);
            y.add(Math.exp(-i / 20_000.0) + 0.1 * r.nextGaussian() + (i == 54_321 ? 5 : 0)); // one spike
        }
        double[][] e = RecordingCharts.envelope(x, y, 800);
        assertTrue(e[0].length <= 2 * 800 + 2, e[0].length + " points");
        assertEquals(0.0, e[0][0]);
        assertEquals(99_999.0, e[0][e[0].length - 1]);
        double max = y.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        double min = y.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertEquals(max, java.util.Arrays.stream(e[1]).max().orElseThrow(), 0.0, "the spike survives");
        assertEquals(min, java.util.Arrays.stream(e[1]).min().orElseThrow(), 0.0);
        for (int i = 1; i < e[0].length; i++) assertTrue(e[0][i] > e[0][i - 1], "x increases");
        // every kept point is a point of the series
        for (int i = 0; i < e[0].length; i++) assertEquals(y.get((int) e[0][i]), e[1][i], 0.0);

        List<Double> sx = x.subList(0, 1600), sy = y.subList(0, 1600);
        double[][] kept = RecordingCharts.envelope(sx, sy, 800);
        assertEquals(1600, kept[0].length, "at most two points per bucket: all kept");
    }

    private Path recordedRun(boolean withHistograms) {
        Path run = tmp.resolve("run");
        try (TfEventWriter w = new TfEventWriter(run.resolve("events"))) {
            for (int s = 0; s < 40; s++) {
                List<SummaryValue> v = new ArrayList<>(List.of(
                        new SummaryValue.Scalar("train/loss", (float) (2 * Math.exp(-s / 10.0))),
                        new SummaryValue.Scalar("train/accuracy", s / 40f),
                        new SummaryValue.Scalar("layer/dense1/W/update_ratio", 1e-3f * (1 + s % 3)),
                        new SummaryValue.Scalar("layer/dense1/b/update_ratio", 1e-2f),
                        new SummaryValue.Scalar("layer/dense1/W_grad/l2", 1f / (s + 1)),
                        new SummaryValue.Scalar("layer/relu1/activation/zero_frac", 0.5f)));
                if (withHistograms && s % 10 == 0) {
                    // all values in [s/10, s/10 + 1]: the band moves up by 1 every 10 steps
                    v.add(new SummaryValue.Histo("layer/dense1/W/hist", Histogram.equalWidth(s / 10.0, s / 10.0 + 1, new float[] {5, 5}, 0, 0)));
                    v.add(new SummaryValue.Histo("layer/relu1/activation/hist", Histogram.equalWidth(0, 1, new float[] {9, 1}, 0, 0)));
                }
                w.write(TfEvent.summary(s, s, v));
            }
            w.write(TfEvent.summary(50, 40, List.of(new SummaryValue.Scalar("test/loss", 0.1f), new SummaryValue.Scalar("test/accuracy", 0.9f))));
        }
        return run;
    }

    @Test
    void aRecordedRunYieldsEveryChart() throws Exception {
        Path run = recordedRun(true);
        List<Path> pngs = RecordingCharts.render(run, run.resolve("report"));
        List<String> names = pngs.stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("recording-loss.png", "recording-accuracy.png", "recording-grad-l2.png", "recording-update-ratio.png",
                "recording-dead-relu.png", "recording-hist-dense1-W.png", "recording-hist-relu1-activation.png"), names);
        for (Path p : pngs) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertEquals(960, img.getWidth(), p.toString());
            assertEquals(540, img.getHeight(), p.toString());
        }
    }

    @Test
    void heatmapColoursExactlyTheBandWhereValuesAre() throws Exception {
        Path run = recordedRun(true);
        RecordingCharts.render(run, run.resolve("report"));
        BufferedImage img = ImageIO.read(run.resolve("report/recording-hist-dense1-W.png").toFile());
        // plot area: x in [90, 820), y in [56, 476); values span [0, 4], steps 0..30 (+ one step width)
        int plotTop = 56, plotH = 540 - 56 - 64;
        int xFirstColumn = 90 + 10, yLowBand = plotTop + plotH - plotH / 8, yHighBand = plotTop + plotH / 8;
        assertNotEquals(Color.WHITE.getRGB(), img.getRGB(xFirstColumn, yLowBand), "step 0 has values in [0, 1]");
        assertEquals(Color.WHITE.getRGB(), img.getRGB(xFirstColumn, yHighBand), "step 0 has none in [3, 4]");
        int xLastColumn = 820 - 10;
        assertEquals(Color.WHITE.getRGB(), img.getRGB(xLastColumn, yLowBand), "step 30 has none in [0, 1]");
        assertNotEquals(Color.WHITE.getRGB(), img.getRGB(xLastColumn, yHighBand), "step 30 has values in [3, 4]");
    }

    @Test
    void resamplingKeepsEachStepsMassAndPlacesIt() {
        Histogram h = Histogram.equalWidth(0, 2, new float[] {3, 1}, 0, 0);
        double[] rows = HistogramHeatmap.resample(h, 0, 4);
        double total = 0;
        for (double r : rows) total += r;
        assertEquals(1, total, 1e-9);
        int n = HistogramHeatmap.ROWS;
        assertEquals(0.75 / (n / 4.0), rows[0], 1e-9);
        assertEquals(0.25 / (n / 4.0), rows[n / 4], 1e-9);
        assertEquals(0, rows[n / 2], 0);
        double[] point = HistogramHeatmap.resample(Histogram.equalWidth(1, 1, new float[] {0, 7, 0}, 7, 7), 0, 4);
        assertEquals(1, point[n / 4], 1e-9);
        assertArrayEquals(new double[n], HistogramHeatmap.resample(new Histogram(0, 0, 0, 0, 0, new double[0], new double[0]), 0, 1));
    }

    @Test
    void colourScaleIsLogarithmicAndMonotonic() {
        assertEquals(HistogramHeatmap.colour(HistogramHeatmap.FLOOR), HistogramHeatmap.colour(HistogramHeatmap.FLOOR / 10));
        float prev = -1;
        for (double f = HistogramHeatmap.FLOOR; f <= 1; f *= 10) {
            Color c = HistogramHeatmap.colour(f);
            float brightness = Color.RGBtoHSB(c.getRed(), c.getGreen(), c.getBlue(), null)[2];
            assertTrue(brightness > prev, "brighter with more mass at " + f);
            prev = brightness;
        }
    }

    @Test
    void runWithoutEventsHasNoRecordingCharts() throws Exception {
        Files.createDirectories(tmp.resolve("bare"));
        assertTrue(RecordingCharts.render(tmp.resolve("bare"), tmp.resolve("bare/report")).isEmpty());
        Path run = recordedRun(false);
        List<String> names = RecordingCharts.render(run, run.resolve("report")).stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.stream().noneMatch(n -> n.startsWith("recording-hist")), names.toString());
    }

    @Test
    void missingRunAndCorruptEventsAreBadInput() throws Exception {
        BadInputException e = assertThrows(BadInputException.class, () -> RecordingCharts.render(tmp.resolve("nope"), tmp.resolve("r")));
        assertTrue(e.getMessage().contains("nope"));
        Path run = recordedRun(false);
        Path f = Files.list(run.resolve("events")).findFirst().orElseThrow();
        byte[] b = Files.readAllBytes(f);
        b[40] ^= 0x10;
        Files.write(f, b);
        e = assertThrows(BadInputException.class, () -> RecordingCharts.render(run, run.resolve("report")));
        assertTrue(e.getMessage().contains("corrupt event file"), e.getMessage());
    }
}
