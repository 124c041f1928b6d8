package dev.loupe.viz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Pictures of a run's loss landscape ({@code RUN/landscape/*}): the 1D interpolation curves, the
 * 2D filter-normalized surface, the training trajectory on its PCA plane, the Hessian spectrum,
 * and the linear-regression example's surface with its gradient-descent path.
 */
public final class LandscapeFigures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LandscapeFigures() {}

    /** Draws whatever landscape results {@code runDir} holds into {@code reportDir}; returns the PNGs written. */
    public static List<Path> render(Path runDir, Path reportDir) {
        Path root = runDir.resolve("landscape");
        List<Path> out = new ArrayList<>();
        if (done(root, "interp")) out.add(interp(root.resolve("interp"), reportDir.resolve("landscape-interp.png")));
        if (done(root, "2d")) out.add(surface(root.resolve("2d"), reportDir.resolve("landscape-2d.png")));
        if (done(root, "trajectory")) out.add(trajectory(root.resolve("trajectory"), reportDir.resolve("landscape-trajectory.png")));
        if (done(root, "hessian")) out.add(hessian(root.resolve("hessian"), reportDir.resolve("landscape-hessian.png")));
        if (done(root, "example")) out.add(example(root.resolve("example"), reportDir.resolve("landscape-linear-regression.png")));
        return out;
    }

    private static boolean done(Path root, String mode) {
        return Files.isRegularFile(root.resolve(mode).resolve("meta.json"));
    }

    private static Path interp(Path dir, Path png) {
        JsonNode m = meta(dir);
        double[] a = vec(dir, "alphas.npy"), loss = vec(dir, "loss.npy"), acc = vec(dir, "accuracy.npy");
        boolean classify = !Double.isNaN(acc[0]);
        double lo = Double.POSITIVE_INFINITY, hi = 0;
        for (double v : loss) {
            if (v > 0 && Double.isFinite(v)) lo = Math.min(lo, v);
            if (Double.isFinite(v)) hi = Math.max(hi, v);
        }
        // far from θ₀ the loss can be hundreds of times its value on [0, 1]: a linear axis would flatten
        // everything that matters, so wide ranges get a log axis, and accuracy its own panel below
        boolean wide = hi / lo > 30;
        String title = "Loss along the line from initial (α=0) to final (α=1) parameters";
        String xTitle = "α   (θ = θ₀ + α·(θ_final − θ₀))";
        XYChart c = new XYChartBuilder().width(900).height(wide && classify ? 420 : 560).title(title).xAxisTitle(wide && classify ? "" : xTitle)
                .yAxisTitle(wide ? "loss (log scale)" : "loss").build();
        style(c);
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        if (wide) c.getStyler().setYAxisLogarithmic(true);
        XYSeries ls = c.addSeries("training loss (" + m.path("samples").asInt() + " samples)", a, loss);
        ls.setMarker(SeriesMarkers.NONE);
        ls.setLineColor(new Color(31, 119, 180));
        ls.setLineStyle(new BasicStroke(2.2f));
        XYChart accChart = null;
        if (classify) {
            double[] pct = new double[acc.length];
            for (int i = 0; i < acc.length; i++) pct[i] = 100 * acc[i];
            XYChart target = c;
            if (wide) {
                accChart = new XYChartBuilder().width(900).height(280).xAxisTitle(xTitle).yAxisTitle("accuracy (%)").build();
                style(accChart);
                accChart.getStyler().setLegendVisible(false);
                accChart.getStyler().setYAxisMin(0.0);
                accChart.getStyler().setYAxisMax(100.0);
                target = accChart;
            }
            XYSeries as = target.addSeries("training accuracy, %" + (wide ? "" : " (right axis)"), a, pct);
            as.setMarker(SeriesMarkers.NONE);
            as.setLineColor(new Color(214, 39, 40));
            as.setLineStyle(new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {8, 5}, 0));
            if (!wide) {
                as.setYAxisGroup(1);
                c.setYAxisGroupTitle(1, "accuracy (%)");
                c.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
            }
        }
        for (XYChart chart : accChart == null ? List.of(c) : List.of(c, accChart)) {
            chart.getStyler().setAnnotationLineColor(Color.DARK_GRAY);
            chart.getStyler().setAnnotationLineStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10,
                    new float[] {3, 3}, 0));
            for (double x : new double[] {0, 1}) chart.addAnnotation(new AnnotationLine(x, true, false));
        }
        // the two ends as marked points, their losses in the legend
        int i0 = nearest(a, 0), i1 = nearest(a, 1);
        XYSeries s0 = c.addSeries(String.format(Locale.ROOT, "initial θ₀ (α=0): loss %.3f", loss[i0]), new double[] {a[i0]}, new double[] {loss[i0]});
        s0.setMarker(SeriesMarkers.CIRCLE);
        s0.setMarkerColor(new Color(255, 140, 0));
        s0.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        XYSeries s1 = c.addSeries(String.format(Locale.ROOT, "final θ (α=1): loss %.3f", loss[i1]), new double[] {a[i1]}, new double[] {loss[i1]});
        s1.setMarker(SeriesMarkers.DIAMOND);
        s1.setMarkerColor(new Color(0, 150, 0));
        s1.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(11);
        return accChart == null ? save(c, png) : saveStacked(png, c, accChart);
    }

    /** Charts of one width drawn one under the other into one PNG. */
    private static Path saveStacked(Path png, XYChart... charts) {
        int w = charts[0].getWidth(), h = 0;
        for (XYChart c : charts) h += c.getHeight();
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        int y = 0;
        for (XYChart c : charts) {
            g.drawImage(BitmapEncoder.getBufferedImage(c), 0, y, null);
            y += c.getHeight();
        }
        g.dispose();
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            javax.imageio.ImageIO.write(img, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
        int width = w, height = h;
        Svg.write(Svg.beside(png), width, height, vg -> {
            int top = 0;
            for (XYChart c : charts) {
                java.awt.Graphics2D part = (java.awt.Graphics2D) vg.create(0, top, width, c.getHeight());
                c.paint(part, width, c.getHeight());
                part.dispose();
                top += c.getHeight();
            }
        });
        return png;
    }

    private static Path surface(Path dir, Path png) {
        JsonNode m = meta(dir);
        double[][] z = grid(dir, "loss.npy");
        double[] xs = vec(dir, "alphas.npy"), ys = vec(dir, "betas.npy");
        String title = String.format(Locale.ROOT, "Loss surface around the trained model (filter-normalized directions, seeds %s)",
                m.path("direction_seeds").toString());
        ContourPlot p = new ContourPlot(title, "α  (direction d1)", "β  (direction d2)",
                "training loss, " + m.path("samples").asInt() + " samples", xs, ys, z);
        p.marker(0, 0, Color.WHITE, "trained model");
        p.write(png);
        return png;
    }

    private static Path trajectory(Path dir, Path png) {
        JsonNode m = meta(dir);
        double[][] z = grid(dir, "loss.npy");
        double[] xs = vec(dir, "alphas.npy"), ys = vec(dir, "betas.npy");
        NpyArray path = NpyFiles.read(dir.resolve("path.npy"));
        double[] steps = vec(dir, "path_steps.npy");
        int t = path.shape()[1];
        double[] px = new double[t], py = new double[t];
        for (int i = 0; i < t; i++) {
            px[i] = path.get(0, i);
            py[i] = path.get(1, i);
        }
        ContourPlot p = new ContourPlot("Training trajectory on its top-2 PCA plane, over the loss surface",
                String.format(Locale.ROOT, "PC1  (%.1f%% of the path's variance)", 100 * m.path("explained_variance_1").asDouble()),
                String.format(Locale.ROOT, "PC2  (%.1f%% of the path's variance)", 100 * m.path("explained_variance_2").asDouble()),
                "training loss, " + m.path("samples").asInt() + " samples", xs, ys, z);
        p.path(px, py, new Color(255, 80, 80), "training path (" + t + " snapshots, steps 0–" + (long) steps[t - 1] + ")");
        p.marker(px[0], py[0], new Color(255, 160, 40), "start (step 0)");
        p.marker(px[t - 1], py[t - 1], Color.WHITE, "end (step " + (long) steps[t - 1] + ")");
        p.write(png);
        return png;
    }

    private static Path hessian(Path dir, Path png) {
        JsonNode m = meta(dir);
        double[] ev = vec(dir, "eigenvalues.npy");
        List<String> names = new ArrayList<>();
        List<Double> vals = new ArrayList<>();
        for (int i = 0; i < ev.length; i++) {
            names.add("λ" + (i + 1));
            vals.add(Double.parseDouble(String.format(Locale.ROOT, "%.4g", ev[i]))); // the bar labels show 4 digits
        }
        CategoryChart c = new CategoryChartBuilder().width(800).height(520)
                .title(String.format(Locale.ROOT, "Hessian: top-%d eigenvalues (Lanczos, %d iterations); trace ≈ %.4g ± %.2g (Hutchinson)",
                        ev.length, m.path("lanczos_iterations").asInt(), m.path("trace").asDouble(), m.path("trace_standard_error").asDouble()))
                .xAxisTitle(String.format(Locale.ROOT, "eigenvalues, largest first  (most negative Ritz value found: %.4g)",
                        m.path("smallest_ritz_value").asDouble())).yAxisTitle("eigenvalue of the loss Hessian").build();
        style(c);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setLabelsFontColorAutomaticEnabled(false);
        c.getStyler().setLabelsFontColor(Color.WHITE);
        c.getStyler().setLabelsPosition(0.92);
        c.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 13));
        c.addSeries("eigenvalue", names, vals).setFillColor(new Color(31, 119, 180));
        return save(c, png);
    }

    private static Path example(Path dir, Path png) {
        JsonNode m = meta(dir);
        double[][] z = grid(dir, "surface.npy");
        double[] ws = vec(dir, "ws.npy"), bs = vec(dir, "bs.npy");
        NpyArray path = NpyFiles.read(dir.resolve("path.npy"));
        int t = path.shape()[1];
        // thin the path to at most 200 drawn points; keep the first steps, where it moves most
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < t; i = i < 50 ? i + 1 : i + Math.max(1, t / 150)) pts.add(new double[] {path.get(0, i), path.get(1, i)});
        pts.add(new double[] {path.get(0, t - 1), path.get(1, t - 1)});
        double[] px = pts.stream().mapToDouble(p -> p[0]).toArray(), py = pts.stream().mapToDouble(p -> p[1]).toArray();
        ContourPlot p = new ContourPlot("Linear regression y = w·x + b: MSE surface and the gradient-descent path",
                "w (slope)", "b (intercept)", "mean squared error", ws, bs, z);
        p.path(px, py, new Color(255, 80, 80), String.format(Locale.ROOT, "gradient descent, lr %s, %d steps",
                m.path("lr").asText(), t - 1));
        p.marker(path.get(0, 0), path.get(1, 0), new Color(255, 160, 40), "start (0, 0)");
        p.marker(path.get(0, t - 1), path.get(1, t - 1), Color.WHITE,
                String.format(Locale.ROOT, "end w=%.3f b=%.3f", path.get(0, t - 1), path.get(1, t - 1)));
        p.write(png);
        return png;
    }

    private static int nearest(double[] a, double v) {
        int best = 0;
        for (int i = 1; i < a.length; i++) if (Math.abs(a[i] - v) < Math.abs(a[best] - v)) best = i;
        return best;
    }

    private static void style(org.knowm.xchart.internal.chartpart.Chart<?, ?> c) {
        org.knowm.xchart.style.AxesChartStyler s = (org.knowm.xchart.style.AxesChartStyler) c.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        s.setChartTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.BOLD, 15));
        s.setAxisTitleFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 14));
    }

    private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> c, Path png) {
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(c, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
        Svg.write(Svg.beside(png), c);
        return png;
    }

    private static JsonNode meta(Path dir) {
        try {
            return JSON.readTree(dir.resolve("meta.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + dir.resolve("meta.json"), e);
        }
    }

    private static double[] vec(Path dir, String name) {
        float[] f = NpyFiles.read(dir.resolve(name)).data();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static double[][] grid(Path dir, String name) {
        NpyArray a = NpyFiles.read(dir.resolve(name));
        int rows = a.shape()[0], cols = a.shape()[1];
        double[][] z = new double[rows][cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) z[r][c] = a.data()[r * cols + c];
        return z;
    }
}
