package dev.loupe.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The explanation renderer reads a run's explain folders and draws grids whose colours follow the attributions. */
class ExplainFiguresTest {
    @TempDir
    Path tmp;

    private void method(Path run, String name, boolean signed, float[] attr, int n) throws Exception {
        Path d = Files.createDirectories(run.resolve("explain").resolve(name));
        int[] shape = {n, 4, 4, 1};
        NpyFiles.write(d.resolve("attributions.npy"), new NpyArray(shape, attr));
        NpyFiles.write(d.resolve("inputs.npy"), new NpyArray(shape, new float[n * 16]));
        Files.writeString(d.resolve("meta.json"), "{\"method\":\"" + name + "\",\"signed\":" + signed
                + ",\"parameters\":{},\"targets\":[1,0],\"predicted\":[1,0],\"labels\":[1,1],\"class_names\":[\"Coat\",\"Bag\"]}");
    }

    @Test
    void drawsOneGridPerMethodAndAComparisonSheet() throws Exception {
        Path run = tmp.resolve("run");
        float[] signed = new float[32];
        signed[5] = 2f;   // sample 0: one strongly positive pixel
        signed[16 + 10] = -2f; // sample 1: one strongly negative pixel
        method(run, "ig", true, signed, 2);
        method(run, "saliency", false, new float[32], 2);
        List<Path> pngs = ExplainFigures.render(run, tmp.resolve("report"));
        assertEquals(3, pngs.size());
        for (Path p : pngs) {
            BufferedImage img = ImageIO.read(p.toFile());
            assertTrue(img.getWidth() >= 640 && img.getHeight() > 100, p + " has a usable size");
        }
        assertTrue(pngs.stream().anyMatch(p -> p.getFileName().toString().equals("explain-comparison.png")));
    }

    @Test
    void signedMapsAreRedForPositiveBlueForNegativeAndWhiteAtZero() {
        float[] a = {2f, -2f, 0f, 0f};
        BufferedImage img = ExplainFigures.heatmap(a, 2, 2, ExplainFigures.percentileAbs(a, 0.99), true);
        Color pos = new Color(img.getRGB(0, 0)), neg = new Color(img.getRGB(1, 0)), zero = new Color(img.getRGB(0, 1));
        assertTrue(pos.getRed() > 2 * pos.getBlue(), "positive is red: " + pos);
        assertTrue(neg.getBlue() > 2 * neg.getRed(), "negative is blue: " + neg);
        assertTrue(zero.getRed() > 240 && zero.getGreen() > 240 && zero.getBlue() > 240, "zero is white: " + zero);
    }

    @Test
    void clippingUsesThe99thPercentileSoOneOutlierDoesNotWashOutTheMap() {
        float[] a = new float[1000];
        for (int i = 0; i < a.length; i++) a[i] = i < 999 ? (i % 10) / 10f : 1000f;
        assertEquals(0.9f, ExplainFigures.percentileAbs(a, 0.99), 1e-6);
        assertEquals(1f, ExplainFigures.percentileAbs(new float[4], 0.99), "an all-zero map keeps a non-zero scale");
    }

    @Test
    void aRunWithoutExplanationsYieldsNoPictures() {
        assertTrue(ExplainFigures.render(tmp.resolve("empty"), tmp.resolve("report")).isEmpty());
    }
}
