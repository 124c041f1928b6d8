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
 * The bar chart of Loupe ÷ peer speed-ups (one group per workload and peer, one bar per Loupe
 * backend, then the target in grey), with parity (1×) as a dashed line.
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
            loupes.add(q.loupe());
        }
        List<String> x = new ArrayList<>(groups);
        CategoryChart chart = new CategoryChartBuilder().width(900).height(520)
                .title("Loupe training throughput ÷ peer (" + report.suite() + " suite, same run)")
                .xAxisTitle("workload ÷ peer   (dashed line: parity, 1×)").yAxisTitle("speed-up (×), higher is better for Loupe").build();
        var s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setChartBackgroundColor(Color.WHITE);
        s.setLabelsVisible(true);
        s.setDecimalPattern("0.00'×'");
        s.setYAxisMin(0.0);
        double top = 1.0; // keep parity and every target in view
        for (Row.Ratio q : ratios) top = Math.max(top, Double.isNaN(q.required()) ? q.ratio() : Math.max(q.ratio(), q.required()));
        s.setYAxisMax(top * 1.12);
        s.setAnnotationLineColor(Color.DARK_GRAY);
        s.setAnnotationLineStroke(new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
        for (String loupe : loupes) {
            Map<String, Double> byGroup = new LinkedHashMap<>();
            for (Row.Ratio q : ratios) if (q.loupe().equals(loupe)) byGroup.put(group(q), q.ratio());
            List<Double> y = new ArrayList<>();
            for (String g : x) y.add(byGroup.get(g)); // null: no bar
            String label = loupe + (BenchContext.shortRunOnly(loupe.substring("loupe/".length())) ? " (short run)" : "");
            chart.addSeries(label, x, y);
        }
        Map<String, Double> targets = new LinkedHashMap<>();
        for (Row.Ratio q : ratios) if (!Double.isNaN(q.required())) targets.put(group(q), q.required());
        if (!targets.isEmpty()) {
            List<Double> y = new ArrayList<>();
            for (String g : x) y.add(targets.getOrDefault(g, null));
            CategorySeries t = chart.addSeries("target", x, y);
            t.setFillColor(new Color(0xBBBBBB));
        }
        chart.addAnnotation(new AnnotationLine(1.0, false, false)); // parity: 1×
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }

    private static String group(Row.Ratio q) {
        return q.workload().replace("train-", "") + " ÷ " + q.peer();
    }
}
