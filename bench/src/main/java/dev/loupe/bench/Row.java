package dev.loupe.bench;

import java.util.List;

/** One line of a benchmark report: a measured rate, or a ratio between two measured rates. */
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
     * Loupe's median rate divided by a peer's, from the same run, with the target where there is one.
     *
     * @param required the ratio Loupe must reach, or NaN for an informational ratio
     */
    record Ratio(String workload, String loupe, String peer, double ratio, double required) implements Row {
        /** PASS / FAIL against {@link #required}, or {@code -} when there is no target. */
        public String verdict() {
            if (Double.isNaN(required)) return "-";
            return ratio >= required ? "PASS" : "FAIL";
        }
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
