package dev.loupe.viz;

import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.tfevents.EventLog;
import dev.loupe.datasets.tfevents.Histogram;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Pictures of what a run recorded ({@code RUN/events/}): loss and accuracy curves, gradient L2 per
 * layer, update:parameter ratio per layer (log axis, 1e-3 reference line), the fraction of zero
 * ReLU outputs per layer, and one histogram-over-time heatmap per layer.
 */
public final class RecordingCharts {
    private RecordingCharts() {}

    private static final Pattern PARAM_TAG = Pattern.compile("layer/([^/]+)/([^/]+)/update_ratio");
    private static final Pattern RELU_ZERO = Pattern.compile("layer/(relu\\d+)/activation/zero_frac");

    /**
     * Writes the recording PNGs of {@code runDir} into {@code reportDir} and returns them; empty
     * when the run recorded nothing. Reader warnings (a torn last record) go to stderr.
     *
     * @throws BadInputException when the run directory is missing or an event file is corrupt
     */
    public static List<Path> render(Path runDir, Path reportDir) {
        if (!Files.isDirectory(runDir)) throw new BadInputException("no run directory " + runDir);
        if (!Files.isDirectory(runDir.resolve("events"))) return List.of();
        EventLog log = EventLog.readRun(runDir);
        log.warnings().forEach(w -> System.err.println("loupe: warning: " + w));
        List<Path> out = new ArrayList<>();
        loss(log, reportDir, out);
        accuracy(log, reportDir, out);
        Map<String, String> weights = weightTensors(log);
        perLayer(log, reportDir, out, "recording-grad-l2.png", "Gradient L2 norm per layer (weights, smoothed)",
                "‖∂loss/∂W‖₂ (log scale, EMA 0.9)", weights, "%s_grad/l2", true, null);
        perLayer(log, reportDir, out, "recording-update-ratio.png", "Update:parameter ratio ‖Δθ‖/‖θ‖ per layer (weights, smoothed)",
                "‖Δθ‖ / ‖θ‖ (log scale, EMA 0.9)", weights, "%s/update_ratio", true, 1e-3);
        Map<String, String> relus = new LinkedHashMap<>();
        for (String t : log.scalars().keySet()) {
            Matcher m = RELU_ZERO.matcher(t);
            if (m.matches()) relus.put(m.group(1), "activation");
        }
        perLayer(log, reportDir, out, "recording-dead-relu.png", "ReLU outputs that are zero, per layer (near 1 = dead units)",
                "fraction of outputs = 0", relus, "%s/zero_frac", false, null);
        heatmaps(log, reportDir, out);
        return out;
    }

    /** Layer → its first non-bias parameter that has an update ratio (in recording order). */
    private static Map<String, String> weightTensors(EventLog log) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : log.scalars().keySet()) {
            Matcher m = PARAM_TAG.matcher(t);
            if (m.matches() && !m.group(2).equals("b")) out.putIfAbsent(m.group(1), m.group(2));
        }
        return out;
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(960).height(540).title(title).xAxisTitle("training step").yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        c.getStyler().setMarkerSize(6);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        c.getStyler().setXAxisDecimalPattern("#");
        return c;
    }

    private static XYSeries line(XYChart c, String name, NavigableMap<Long, Float> s, boolean positiveOnly) {
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        for (var e : s.entrySet()) {
            double v = e.getValue();
            if (!Double.isFinite(v) || (positiveOnly && v <= 0)) continue;
            x.add((double) e.getKey());
            y.add(v);
        }
        if (x.isEmpty()) return null;
        double[][] shown = envelope(x, y, BUCKETS);
        XYSeries ser = c.addSeries(name, shown[0], shown[1]);
        ser.setMarker(SeriesMarkers.NONE);
        return ser;
    }

    /** Horizontal buckets a long series is thinned to: about one per pixel of a 960-pixel chart. */
    static final int BUCKETS = 800;

    /**
     * The points of a line that a chart {@code buckets} wide can show: all of them when there are at
     * most two per bucket, else per bucket of equal x range its lowest and highest point (in x
     * order), plus the first and last point. The drawn envelope, spikes included, is the same as
     * the full series'; drawing and SVG size stop growing with the run's length.
     */
    static double[][] envelope(List<Double> x, List<Double> y, int buckets) {
        int n = x.size();
        if (n <= 2 * buckets) return new double[][] {toArray(x), toArray(y)};
        double x0 = x.getFirst(), span = Math.max(x.getLast() - x0, Double.MIN_NORMAL);
        List<Double> ox = new ArrayList<>(), oy = new ArrayList<>();
        ox.add(x0);
        oy.add(y.getFirst());
        int i = 1;
        while (i < n - 1) {
            int b = (int) Math.min(buckets - 1, (x.get(i) - x0) / span * buckets);
            int lo = i, hi = i;
            int j = i;
            for (; j < n - 1 && (int) Math.min(buckets - 1, (x.get(j) - x0) / span * buckets) == b; j++) {
                if (y.get(j) < y.get(lo)) lo = j;
                if (y.get(j) > y.get(hi)) hi = j;
            }
            int first = Math.min(lo, hi), second = Math.max(lo, hi);
            ox.add(x.get(first));
            oy.add(y.get(first));
            if (second != first) {
                ox.add(x.get(second));
                oy.add(y.get(second));
            }
            i = j;
        }
        ox.add(x.getLast());
        oy.add(y.getLast());
        return new double[][] {toArray(ox), toArray(oy)};
    }

    private static double[] toArray(List<Double> v) {
        double[] a = new double[v.size()];
        for (int i = 0; i < a.length; i++) a[i] = v.get(i);
        return a;
    }

    /** Exponential moving average with smoothing 0.9, TensorBoard-style bias-corrected. */
    private static NavigableMap<Long, Float> smooth(NavigableMap<Long, Float> s) {
        NavigableMap<Long, Float> out = new java.util.TreeMap<>();
        double ema = 0, w = 0;
        for (var e : s.entrySet()) {
            if (!Float.isFinite(e.getValue())) continue;
            ema = 0.9 * ema + 0.1 * e.getValue();
            w = 0.9 * w + 0.1;
            out.put(e.getKey(), (float) (ema / w));
        }
        return out;
    }

    private static void loss(EventLog log, Path dir, List<Path> out) {
        NavigableMap<Long, Float> train = log.scalar("train/loss");
        if (train.isEmpty()) return;
        XYChart c = chart("Loss", "loss");
        XYSeries raw = line(c, "train batch (per step)", train, false);
        if (raw != null) raw.setLineColor(new Color(31, 119, 180, 70));
        XYSeries sm = line(c, "train (smoothed)", smooth(train), false);
        if (sm != null) sm.setLineColor(new Color(31, 119, 180));
        epochMarkers(c, "test (end of epoch)", log.scalar("test/loss"), false);
        save(c, dir, "recording-loss.png", out);
    }

    private static void accuracy(EventLog log, Path dir, List<Path> out) {
        NavigableMap<Long, Float> train = log.scalar("train/accuracy");
        if (train.isEmpty()) return;
        XYChart c = chart("Accuracy", "accuracy");
        XYSeries raw = line(c, "train batch (per step)", train, false);
        if (raw != null) raw.setLineColor(new Color(44, 160, 44, 60));
        XYSeries sm = line(c, "train (smoothed)", smooth(train), false);
        if (sm != null) sm.setLineColor(new Color(44, 160, 44));
        epochMarkers(c, "test (end of epoch)", log.scalar("test/accuracy"), false);
        save(c, dir, "recording-accuracy.png", out);
    }

    private static void epochMarkers(XYChart c, String name, NavigableMap<Long, Float> s, boolean positiveOnly) {
        XYSeries ser = line(c, name, s, positiveOnly);
        if (ser == null) return;
        ser.setMarker(SeriesMarkers.DIAMOND);
        ser.setMarkerColor(new Color(214, 39, 40));
        ser.setLineColor(new Color(214, 39, 40));
        ser.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
    }

    private static void perLayer(EventLog log, Path dir, List<Path> out, String file, String title, String yTitle,
                                 Map<String, String> layers, String suffix, boolean logY, Double reference) {
        XYChart c = chart(title, yTitle);
        c.getStyler().setYAxisLogarithmic(logY);
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        int n = 0;
        for (var l : layers.entrySet()) {
            NavigableMap<Long, Float> s = log.scalar("layer/" + l.getKey() + "/" + String.format(suffix, l.getValue()));
            NavigableMap<Long, Float> shown = logY ? smooth(s) : s;
            if (line(c, l.getKey() + (l.getValue().equals("activation") ? "" : " " + l.getValue()), shown, logY) == null) continue;
            lo = Math.min(lo, s.firstKey());
            hi = Math.max(hi, s.lastKey());
            n++;
        }
        if (n == 0) return;
        if (reference != null) {
            XYSeries ref = c.addSeries("reference " + String.format("%.0e", reference) + " (rule of thumb)", new double[] {lo, Math.max(hi, lo + 1)},
                    new double[] {reference, reference});
            ref.setMarker(SeriesMarkers.NONE);
            ref.setLineColor(Color.BLACK);
            ref.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {8, 5}, 0));
        }
        if (!logY) {
            c.getStyler().setYAxisMin(0.0);
            c.getStyler().setYAxisMax(1.0);
        } else {
            double ymin = Double.POSITIVE_INFINITY, ymax = 0;
            for (XYSeries ser : c.getSeriesMap().values()) {
                for (double y : ser.getYData()) {
                    if (y > 0 && Double.isFinite(y)) {
                        ymin = Math.min(ymin, y);
                        ymax = Math.max(ymax, y);
                    }
                }
            }
            if (ymax > 0) {
                // ticks at every 1..9 × 10^k overlap (0.005 over 0.006, 9E-4 beside 0.001): label
                // decades only, on an axis widened to whole decades so at least two show
                c.getStyler().setYAxisLogarithmicDecadeOnly(true);
                c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(ymin))));
                c.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(ymax) - 1e-9)));
                c.getStyler().setYAxisDecimalPattern("0E0"); // one style: 1E-2, 1E-3, 1E-4 (not 0.01 beside 1E-4)
            }
        }
        save(c, dir, file, out);
    }

    /** One heatmap per layer: its weights' histogram where it has weights, else its output's. */
    private static void heatmaps(EventLog log, Path dir, List<Path> out) {
        Map<String, String> chosen = new LinkedHashMap<>();
        Pattern p = Pattern.compile("layer/([^/]+)/([^/]+)/hist");
        for (String t : log.histograms().keySet()) {
            Matcher m = p.matcher(t);
            if (!m.matches()) continue;
            String layer = m.group(1), tensor = m.group(2);
            String current = chosen.get(layer);
            if (current == null || (current.equals("activation") && tensor.equals("W"))) chosen.put(layer, tensor);
        }
        for (var e : chosen.entrySet()) {
            NavigableMap<Long, Histogram> s = log.histograms().get("layer/" + e.getKey() + "/" + e.getValue() + "/hist");
            String what = e.getValue().equals("activation") ? "output" : "parameter " + e.getValue();
            BufferedImage img = HistogramHeatmap.render("Layer " + e.getKey() + ", " + what + ": distribution of values over training", s);
            Path f = dir.resolve("recording-hist-" + e.getKey() + "-" + e.getValue() + ".png");
            AtomicFiles.write(f, o -> ImageIO.write(img, "png", o));
            out.add(f);
        }
    }

    private static void save(XYChart c, Path dir, String name, List<Path> out) {
        // XChart labels every k-th data point when all x values are equally spaced (0, 11, 22, …);
        // one invisible point off the grid makes it choose round tick values instead
        XYSeries any = c.getSeriesMap().values().iterator().next();
        XYSeries off = c.addSeries(" ", new double[] {any.getXData()[0] + 0.5}, new double[] {any.getYData()[0]});
        off.setShowInLegend(false);
        off.setMarker(SeriesMarkers.NONE);
        off.setLineColor(new Color(0, 0, 0, 0));
        Path f = dir.resolve(name);
        AtomicFiles.write(f, o -> BitmapEncoder.saveBitmap(c, o, BitmapEncoder.BitmapFormat.PNG));
        Svg.write(Svg.beside(f), c);
        out.add(f);
    }
}
