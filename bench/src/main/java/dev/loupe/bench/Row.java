package dev.loupe.bench;

import java.util.List;

/** One line of a benchmark report: a measured rate, a ratio between two measured figures, or a sanity check. */
public sealed interface Row {

    /** The workload that produced it. */
    String workload();

    /**
     * A rate measured over timed windows.
     *
     * @param unit    e.g. {@code samples/s}
     * @param batch   samples per step, so a step time can be shown; 0 where a step means nothing
     * @param perWindow the rate of every window, in order
     * @param note    context for the reader (short run, versions, initial loss); may be empty
     */
    record Rate(String workload, String contender, Contender.Kind kind, String unit, int batch, List<Double> perWindow,
                String note) implements Row {
        public Rate {
            perWindow = List.copyOf(perWindow);
        }

        public double median() { return Stats.median(perWindow); }

        public double min() { return perWindow.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN); }

        public double max() { return perWindow.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN); }

        /** Milliseconds per step at the median rate, or NaN without a batch. */
        public double msPerStep() { return batch > 0 ? 1000.0 * batch / median() : Double.NaN; }

        /** (max − min) / median: how much the windows disagreed. */
        public double spread() { return perWindow.size() < 2 ? Double.NaN : (max() - min()) / median(); }
    }

    /**
     * Loupe's figure over a peer's or a baseline's, from the same run, with the bar where there is one.
     *
     * @param loupe         the measured side, e.g. {@code loupe/nd4j} or {@code loupe/nd4j full}
     * @param peer          what it is compared with, e.g. {@code torch} or {@code loupe/nd4j off}
     * @param ratio         {@code loupeValue / peerValue}
     * @param required      the bar, or NaN for an informational ratio
     * @param loupeValue    Loupe's median figure in {@code unit} (NaN when not given)
     * @param peerValue     the peer's median figure in {@code unit} (NaN when not given)
     * @param unit          e.g. {@code samples/s}, {@code ms/step}
     * @param lowerIsBetter true for a cost (a slowdown must stay at or below the bar), false for a
     *                      speed-up (it must reach the bar)
     */
    record Ratio(String workload, String loupe, String peer, double ratio, double required, double loupeValue,
                 double peerValue, String unit, boolean lowerIsBetter) implements Row {

        /** A speed-up without the figures it came from. */
        public Ratio(String workload, String loupe, String peer, double ratio, double required) {
            this(workload, loupe, peer, ratio, required, Double.NaN, Double.NaN, "", false);
        }

        /** Loupe's rate over the peer's (higher is better), with the bar or NaN. */
        public static Ratio speedup(String workload, Rate loupe, Rate peer, double required) {
            return new Ratio(workload, loupe.contender(), peer.contender(), loupe.median() / peer.median(), required,
                    loupe.median(), peer.median(), loupe.unit(), false);
        }

        /** PASS / FAIL against {@link #required}, or {@code -} when there is no target. */
        public String verdict() {
            if (Double.isNaN(required)) return "-";
            return (lowerIsBetter ? ratio <= required : ratio >= required) ? "PASS" : "FAIL";
        }

        /** The bar as text ({@code ≥ 3.0×}, {@code ≤ 1.05×}) or {@code -}. */
        public String bar() {
            if (Double.isNaN(required)) return "-";
            return String.format(java.util.Locale.ROOT, lowerIsBetter ? "≤ %.2f×" : "≥ %.1f×", required);
        }

        /** The ratio as "higher is better" (a cost is inverted), for charts. */
        public double speedup() { return lowerIsBetter ? 1 / ratio : ratio; }

        /** {@link #required} as "higher is better", or NaN. */
        public double requiredSpeedup() { return lowerIsBetter ? 1 / required : required; }
    }

    /** A yes/no sanity check made while measuring (e.g. two contenders compute the same initial loss). */
    record Check(String workload, String what, String detail, boolean ok) implements Row {}

    /** Medians of small samples. */
    final class Stats {
        private Stats() {}

        static double median(List<Double> xs) {
            if (xs.isEmpty()) return Double.NaN;
            double[] s = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }
    }
}
