package dev.loupe.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;

/**
 * The bar chart of Loupe's speed over a peer's or a baseline's (one group per workload and
 * comparison: the main Loupe backend, the bar to reach in grey, then any short-run backend), with parity (1×) as a
 * dashed line. Costs (recording's time per step) are drawn inverted, as speed, so that higher is
 * always better.
 */
final class RatioChart {
    private RatioChart() {}

    /** PNG bytes of the chart, or null when the report has no Loupe ÷ peer ratio. */
    static byte[] png(Report report) throws IOException {
        List<Row.Ratio> ratios = report.rows().stream()
                .filter(r -> r instanceof Row.Ratio q && !q.peer().startsWith("gemm-floor"))
                .map(r -> (Row.Ratio) r).toList();
        if (ratios.isEmpty()) return null;
        Set<String> groups = new LinkedHashSet<>();
        Set<String> loupes = new LinkedHashSet<>();
        for (Row.Ratio q : ratios) {
            groups.add(group(q));
            loupes.add(backend(q));
        }
        List<String> x = new ArrayList<>(groups);
        CategoryChart chart = new CategoryChartBuilder().width(1200).height(800)
                .title("Loupe's speed ÷ peer's or baseline's (" + report.suite() + " suite, all from the same run)")
                .xAxisTitle("workload: Loupe ÷ peer or baseline   (dashed line: parity, 1×; grey: the bar to reach)")
                .yAxisTitle("speed ratio (×), higher is better for Loupe").build();
        var s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setChartBackgroundColor(Color.WHITE);
        s.setLabelsVisible(true);
        s.setLabelsRotation(90); // narrow bars: vertical values fit inside them
        s.setLabelsFontColorAutomaticEnabled(false);
        s.setLabelsFontColor(Color.BLACK);
        s.setDecimalPattern("0.00'×'");
        s.setXAxisLabelRotation(90); // vertical: each label sits right under its group
        s.setYAxisLogarithmic(true); // ratios span 0.02× (reference) to 20×+: on a log axis every bar stays readable
        double bottom = 1.0;
        for (Row.Ratio q : ratios) bottom = Math.min(bottom, q.speedup());
        s.setYAxisMin(bottom / 1.5);
        double top = 1.0; // keep parity and every target in view
        for (Row.Ratio q : ratios) {
            top = Math.max(top, Double.isNaN(q.required()) ? q.speedup() : Math.max(q.speedup(), q.requiredSpeedup()));
        }
        s.setYAxisMax(top * 1.5);
        s.setAnnotationLineColor(Color.DARK_GRAY);
        s.setAnnotationLineStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        // series order: the first fully measured backend, the bar to reach, then the others, so that
        // in groups where only the first has a bar (recording, IG, landscape) the grey target stands
        // right beside it, centred on the group's label
        List<String> order = new ArrayList<>(loupes);
        String first = order.stream().filter(l -> !BenchContext.shortRunOnly(l.substring("loupe/".length()))).findFirst()
                .orElse(order.getFirst());
        order.remove(first);
        addLoupe(chart, ratios, x, first);
        Map<String, Double> targets = new LinkedHashMap<>();
        for (Row.Ratio q : ratios) if (!Double.isNaN(q.required())) targets.put(group(q), q.requiredSpeedup());
        if (!targets.isEmpty()) {
            List<Double> y = new ArrayList<>();
            for (String g : x) y.add(targets.getOrDefault(g, null));
            CategorySeries t = chart.addSeries("bar to reach", x, y);
            t.setFillColor(new Color(0xBBBBBB));
        }
        for (String loupe : order) addLoupe(chart, ratios, x, loupe);
        chart.addAnnotation(new AnnotationLine(1.0, false, false)); // parity: 1×
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    /** One Loupe backend's bars (null where it has no ratio in a group). */
    private static void addLoupe(CategoryChart chart, List<Row.Ratio> ratios, List<String> x, String loupe) {
        Map<String, Double> byGroup = new LinkedHashMap<>();
        for (Row.Ratio q : ratios) if (backend(q).equals(loupe)) byGroup.put(group(q), q.speedup());
        List<Double> y = new ArrayList<>();
        for (String g : x) y.add(byGroup.get(g)); // null: no bar
        String label = loupe + (BenchContext.shortRunOnly(loupe.substring("loupe/".length())) ? " (short run)" : "");
        chart.addSeries(label, x, y);
    }

    /** The Loupe backend a ratio belongs to: the first word of its Loupe side ({@code loupe/nd4j full} → {@code loupe/nd4j}). */
    private static String backend(Row.Ratio q) {
        int space = q.loupe().indexOf(' ');
        return space < 0 ? q.loupe() : q.loupe().substring(0, space);
    }

    /** The x label: workload, then what is compared, without the backend (the series says it). */
    private static String group(Row.Ratio q) {
        String b = backend(q);
        String left = q.loupe().substring(b.length()).strip(), right = q.peer().startsWith(b + " ") ? q.peer().substring(b.length() + 1) : q.peer();
        return q.workload() + ": " + (left.isEmpty() ? "Loupe" : left) + " ÷ " + right;
    }
}
