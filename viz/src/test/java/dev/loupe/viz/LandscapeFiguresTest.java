package dev.loupe.viz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

class LandscapeFiguresTest {
    @TempDir
    Path run;

    private static void npy(Path f, int[] shape, float[] data) {
        NpyFiles.write(f, new NpyArray(shape, data));
    }

    private static float[] axis(int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * i / (n - 1);
        return a;
    }

    /** A bowl z = 0.1 + x² + 4y² on [-1,1]² (minimum at the centre). */
    private static float[] bowl(float[] xs, float[] ys) {
        float[] z = new float[xs.length * ys.length];
        for (int r = 0; r < ys.length; r++) for (int c = 0; c < xs.length; c++) z[r * xs.length + c] = 0.1f + xs[c] * xs[c] + 4 * ys[r] * ys[r];
        return z;
    }

    private void write(String mode, String meta) throws Exception {
        Files.createDirectories(run.resolve("landscape").resolve(mode));
        Files.writeString(run.resolve("landscape").resolve(mode).resolve("meta.json"), meta);
    }

    @Test
    void drawsEveryModeAndColoursTheSurfaceByLoss() throws Exception {
        writeEveryMode();
        Path report = run.resolve("report");
        List<Path> pngs = LandscapeFigures.render(run, report);
        assertEquals(List.of("landscape-interp.png", "landscape-2d.png", "landscape-trajectory.png", "landscape-hessian.png",
                "landscape-linear-regression.png"), pngs.stream().map(p -> p.getFileName().toString()).toList());
        for (Path p : pngs) assertTrue(ImageIO.read(p.toFile()).getWidth() > 500, p + " is an image");
        for (Path p : pngs) assertFalse(Files.exists(Svg.beside(p)), "no SVG unless the report asks for it");

        // the surface's colours: dark (low loss) near the centre, bright (high loss) in the corners
        BufferedImage img = ImageIO.read(report.resolve("landscape-2d.png").toFile());
        Color corner = new Color(img.getRGB(95, 65)), nearCentre = new Color(img.getRGB(90 + 680 / 2 + 40, 60 + 620 / 2 + 30));
        assertTrue(brightness(corner) > brightness(nearCentre) + 0.3,
                "corner " + corner + " should be brighter than near the minimum " + nearCentre);
    }

    @Test
    void aReportWithSvgWritesAVectorCopyOfEachPlotAndLinksIt() throws Exception {
        writeEveryMode();
        Files.writeString(run.resolve("run.json"), "{\"model\": {\"name\": \"m\"}}");
        Path index = Reports.standard().svg(true).write(run, run.resolve("report"));
        String html = Files.readString(index);
        for (String name : List.of("landscape-interp", "landscape-2d", "landscape-trajectory", "landscape-hessian", "landscape-linear-regression")) {
            Path svg = run.resolve("report").resolve(name + ".svg");
            var xml = javax.xml.parsers.DocumentBuilderFactory.newInstance();
            xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false); // no network
            var doc = xml.newDocumentBuilder().parse(svg.toFile());
            assertEquals("svg", doc.getDocumentElement().getTagName(), name);
            assertTrue(html.contains("href=\"" + name + ".svg\""), name + " linked from the page");
        }
        String surface = Files.readString(run.resolve("report/landscape-2d.svg"));
        assertTrue(surface.contains("<image"), "the heatmap stays an image");
        assertTrue(surface.contains("<text") && surface.contains("trained model"), "labels stay text");
        assertTrue(surface.contains("<line"), "contours are line segments");
    }

    private void writeEveryMode() throws Exception {
        Path l = run.resolve("landscape");
        write("interp", "{\"samples\": 100, \"loss_at_0\": 2.3, \"loss_at_1\": 0.4}");
        float[] a = axis(9, -0.5f, 1.5f);
        float[] loss = new float[9], acc = new float[9];
        for (int i = 0; i < 9; i++) { loss[i] = 0.4f + (a[i] - 1) * (a[i] - 1); acc[i] = 0.9f - 0.2f * Math.abs(a[i] - 1); }
        npy(l.resolve("interp/alphas.npy"), new int[] {9}, a);
        npy(l.resolve("interp/loss.npy"), new int[] {9}, loss);
        npy(l.resolve("interp/accuracy.npy"), new int[] {9}, acc);

        float[] xs = axis(11, -1, 1), ys = axis(11, -1, 1);
        write("2d", "{\"samples\": 100, \"direction_seeds\": [0, 1]}");
        npy(l.resolve("2d/alphas.npy"), new int[] {11}, xs);
        npy(l.resolve("2d/betas.npy"), new int[] {11}, ys);
        npy(l.resolve("2d/loss.npy"), new int[] {11, 11}, bowl(xs, ys));

        write("trajectory", "{\"samples\": 100, \"explained_variance_1\": 0.8, \"explained_variance_2\": 0.15}");
        npy(l.resolve("trajectory/alphas.npy"), new int[] {11}, xs);
        npy(l.resolve("trajectory/betas.npy"), new int[] {11}, ys);
        npy(l.resolve("trajectory/loss.npy"), new int[] {11, 11}, bowl(xs, ys));
        npy(l.resolve("trajectory/path.npy"), new int[] {2, 3}, new float[] {-0.8f, -0.3f, 0, 0.7f, 0.2f, 0});
        npy(l.resolve("trajectory/path_steps.npy"), new int[] {3}, new float[] {0, 10, 20});

        write("hessian", "{\"lanczos_iterations\": 10, \"trace\": 12.5, \"trace_standard_error\": 0.5}");
        npy(l.resolve("hessian/eigenvalues.npy"), new int[] {3}, new float[] {5, 2, 1});

        write("example", "{\"lr\": 0.5}");
        npy(l.resolve("example/ws.npy"), new int[] {11}, xs);
        npy(l.resolve("example/bs.npy"), new int[] {11}, ys);
        npy(l.resolve("example/surface.npy"), new int[] {11, 11}, bowl(xs, ys));
        npy(l.resolve("example/path.npy"), new int[] {3, 2}, new float[] {-0.9f, 0, 0.8f, 0, 3, 0.1f});
    }

    private static double brightness(Color c) {
        return (0.299 * c.getRed() + 0.587 * c.getGreen() + 0.114 * c.getBlue()) / 255;
    }

    @Test
    void aRunWithoutLandscapesGivesNoPictures() {
        assertEquals(List.of(), LandscapeFigures.render(run, run.resolve("report")));
    }
}
