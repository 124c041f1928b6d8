package dev.loupe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The suite's files say what was measured: medians, ratios, verdicts, machine lines, a readable chart. */
class ReportFilesTest {
    @TempDir
    Path tmp;

    static Report sample() {
        return new Report("quick", "2026-11-25T19:00:00Z", List.of(
                new Row.Rate("train-mlp", "loupe/nd4j", Contender.Kind.LOUPE, "samples/s", 10, List.of(30.0, 10.0, 20.0), ""),
                new Row.Rate("train-mlp", "loupe/reference", Contender.Kind.LOUPE, "samples/s", 10, List.of(1.0), "short run"),
                new Row.Rate("train-mlp", "dl4j", Contender.Kind.PEER, "samples/s", 11, List.of(4.0, 5.0, 6.0, 7.0), ""),
                new Row.Rate("train-mlp", "torch", Contender.Kind.PEER, "samples/s", 0, List.of(), "skipped: no torch"),
                new Row.Ratio("train-mlp", "loupe/nd4j", "dl4j", 20.0 / 5.5, 3.0, 20.0, 5.5, "samples/s", false),
                new Row.Ratio("train-mlp", "loupe/reference", "dl4j", 1.0 / 5.5, Double.NaN),
                new Row.Ratio("train-cnn", "loupe/nd4j", "torch", 1.2, 1.5),
                new Row.Check("train-mlp", "initial loss", "2.3 vs 2.3", true),
                new Row.Check("ig-cnn", "attributions", "max |diff| 1e-3", true),
                new Row.Ratio("record-cnn", "loupe/nd4j full", "loupe/nd4j off", 106.0 / 100.0, 1.05, 106.0, 100.0, "ms/step", true),
                new Row.Ratio("record-cnn", "loupe/nd4j stats", "loupe/nd4j off", 1.02, Double.NaN, 102.0, 100.0, "ms/step", true)),
                Map.of("cpu", "test cpu", "jdk", "25"));
    }

    @Test
    void statisticsAreMediansAndSpreads() {
        Row.Rate nd4j = (Row.Rate) sample().rows().get(0);
        assertEquals(20.0, nd4j.median());
        assertEquals(1.0, nd4j.spread(), 1e-12); // (30 - 10) / 20
        Row.Rate dl4j = (Row.Rate) sample().rows().get(2);
        assertEquals(5.5, dl4j.median()); // even count: mean of the middle two
    }

    @Test
    void verdictComparesRatioWithTarget() {
        List<Row.Ratio> failed = sample().failures();
        assertEquals(List.of("train-cnn", "record-cnn"), failed.stream().map(Row.Ratio::workload).toList());
        // a cost passes at or below its bar, fails above it
        assertEquals("PASS", new Row.Ratio("r", "a", "b", 1.05, 1.05, 1.05, 1, "ms/step", true).verdict());
        assertEquals(1 / 1.06, failed.getLast().speedup(), 1e-12);
        assertEquals("-", ((Row.Ratio) sample().rows().get(5)).verdict());
        assertEquals("PASS", ((Row.Ratio) sample().rows().get(4)).verdict());
    }

    @Test
    void writesJsonMarkdownAndChart() throws Exception {
        List<Path> files = SuiteRunner.write(sample(), tmp.resolve("out"));
        assertEquals(List.of("results.json", "results.md", "ratios.png"),
                files.stream().map(p -> p.getFileName().toString()).toList());

        JsonNode json = new ObjectMapper().readTree(tmp.resolve("out/results.json").toFile());
        assertEquals(20.0, json.at("/rates/0/median").asDouble());
        assertEquals(500.0, json.at("/rates/0/ms_per_step").asDouble(), 1e-9); // 10 samples at 20 samples/s
        assertTrue(json.at("/rates/3/median").isNull(), "a skipped peer has no median, not NaN");
        assertEquals("FAIL", json.at("/ratios/2/verdict").asText());
        assertTrue(json.at("/ratios/1/required").isNull());
        assertEquals("test cpu", json.at("/machine/cpu").asText());

        String md = Files.readString(tmp.resolve("out/results.md"));
        assertTrue(md.contains("| train-mlp | loupe/nd4j | 20.0 | dl4j | 5.50 | samples/s | 3.64× | ≥ 3.0× | PASS |"), md);
        assertTrue(md.contains("| record-cnn | loupe/nd4j full | 106 | loupe/nd4j off | 100 | ms/step | 1.06× | ≤ 1.05× | FAIL |"), md);
        assertTrue(md.contains("| train-mlp | torch | skipped | samples/s |"), md);
        assertTrue(md.contains("| train-mlp | dl4j | 5.50 | samples/s | 4.00–7.00 | 55% | 2000.0 | 4 |"), md);
        assertTrue(md.contains("recording: full ≤ 1.05× off"), md);
        assertTrue(md.contains("| ig-cnn | attributions | max \\|diff\\| 1e-3 | ok |"), "a '|' inside a cell is escaped:\n" + md);
        assertTrue(md.contains("| cpu | test cpu |"), md);

        BufferedImage png = ImageIO.read(tmp.resolve("out/ratios.png").toFile());
        assertEquals(1200, png.getWidth());
        Files.copy(tmp.resolve("out/ratios.png"), Path.of("target/sample-ratios.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
