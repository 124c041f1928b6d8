package dev.loupe.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one suite run measured, with the machine it ran on; renders itself as the table
 * printed to the terminal and as Markdown.
 */
public record Report(String suite, String started, List<Row> rows, Map<String, String> machine) {

    /** The bars every suite is held to, as stated in the report. */
    public static final String BARS = "training: MLP ≥ 3× DL4J and ≥ 3× PyTorch, CNN ≥ 1.5× PyTorch (samples/s); "
            + "recording: full ≤ 1.05× off (time per step, nd4j); IG: ≥ 1× PyTorch (attributions/s, CNN, 50 steps); "
            + "landscape: batched ≥ 3× one point at a time (points/s).";

    public Report {
        rows = List.copyOf(rows);
        machine = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(machine));
    }

    /** The Markdown report: rates, ratios with targets, checks, then the machine. */
    public String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# Loupe benchmark (").append(suite).append(" suite, ").append(started).append(")\n\n");
        sb.append("Every figure below is a median measured in this one run, beside the peer's or baseline's from the same run"
                + " (training windows of all contenders are interleaved; the other workloads alternate their contenders;"
                + " a recording ratio is the median of per-round ratios, each round running every mode back to back).\n\n");
        sb.append("Bars: ").append(BARS).append("\n\n");
        sb.append("## Loupe vs peer or baseline\n\n");
        sb.append("Loupe ÷ gemm-floor is the share of the GEMM-only throughput a full Loupe step reaches (at most about 1).\n\n");
        sb.append(ratioTable(true));
        sb.append("\n## Measurements\n\n");
        sb.append(table(true));
        List<Row.Check> checks = rows.stream().filter(r -> r instanceof Row.Check).map(r -> (Row.Check) r).toList();
        if (!checks.isEmpty()) {
            sb.append("\n## Checks\n\n| workload | check | values | result |\n|---|---|---|---|\n");
            for (Row.Check c : checks) {
                sb.append(String.format("| %s | %s | %s | %s |%n", cell(c.workload()), cell(c.what()), cell(c.detail()), c.ok() ? "ok" : "MISMATCH"));
            }
        }
        sb.append("\n## Machine\n\n| | |\n|---|---|\n");
        machine.forEach((k, v) -> sb.append("| ").append(k).append(" | ").append(v).append(" |\n"));
        return sb.toString();
    }

    /** The rates as a Markdown table ({@code md}) or aligned plain text. */
    public String table(boolean md) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"workload", "contender", "median", "unit", "min–max", "spread", "ms/step", "windows", "note"});
        for (Row r : rows) {
            if (!(r instanceof Row.Rate rate)) continue;
            boolean none = rate.perWindow().isEmpty();
            cells.add(new String[] {rate.workload(), rate.contender(), none ? "skipped" : fmt(rate.median()), rate.unit(),
                    none ? "" : fmt(rate.min()) + "–" + fmt(rate.max()),
                    Double.isNaN(rate.spread()) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * rate.spread()),
                    Double.isNaN(rate.msPerStep()) ? "" : String.format(Locale.ROOT, "%.1f", rate.msPerStep()),
                    Integer.toString(rate.perWindow().size()), rate.note()});
        }
        return render(cells, md);
    }

    /** Loupe's figure beside the peer's or baseline's, the ratio, the bar and the verdict. */
    public String ratioTable(boolean md) {
        List<String[]> cells = new ArrayList<>();
        cells.add(new String[] {"workload", "Loupe", "figure", "peer / baseline", "figure", "unit", "ratio", "bar", "result"});
        for (Row r : rows) {
            if (!(r instanceof Row.Ratio q)) continue;
            cells.add(new String[] {q.workload(), q.loupe(), fmt(q.loupeValue()), q.peer(), fmt(q.peerValue()), q.unit(),
                    String.format(Locale.ROOT, "%.2f×", q.ratio()), q.bar(), q.verdict()});
        }
        return render(cells, md);
    }

    /** Rows with a target that were missed. */
    public List<Row.Ratio> failures() {
        return rows.stream().filter(r -> r instanceof Row.Ratio q && q.verdict().equals("FAIL")).map(r -> (Row.Ratio) r).toList();
    }

    /** Three significant digits at least, no decimals from 100 up; empty for NaN. */
    static String fmt(double v) {
        if (Double.isNaN(v)) return "";
        double a = Math.abs(v);
        String f = a >= 100 ? "%,.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, f, v);
    }

    /** A Markdown table cell: a '|' in the text (e.g. "max |diff|") would end the cell, so it is escaped. */
    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static String render(List<String[]> cells, boolean md) {
        int cols = cells.getFirst().length;
        StringBuilder sb = new StringBuilder();
        if (md) {
            for (int i = 0; i < cells.size(); i++) {
                sb.append("| ").append(String.join(" | ", java.util.Arrays.stream(cells.get(i)).map(Report::cell).toList())).append(" |\n");
                if (i == 0) sb.append("|").append("---|".repeat(cols)).append("\n");
            }
            return sb.toString();
        }
        int[] width = new int[cols];
        for (String[] row : cells) for (int c = 0; c < cols; c++) width[c] = Math.max(width[c], row[c].length());
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                line.append(row[c]).append(" ".repeat(width[c] - row[c].length() + (c == cols - 1 ? 0 : 2)));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
