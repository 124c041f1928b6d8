package dev.loupe.datasets.tfevents;

/**
 * TensorBoard's {@code HistogramProto}: bucket {@code i} counts the values in
 * {@code (bucketLimit[i-1], bucketLimit[i]]}, the first bucket starting at {@code min}.
 *
 * @param bucketLimit upper edge of each bucket, increasing
 * @param bucket      count in each bucket
 */
public record Histogram(double min, double max, double num, double sum, double sumSquares,
                        double[] bucketLimit, double[] bucket) {
    public Histogram {
        if (bucketLimit.length != bucket.length) {
            throw new IllegalArgumentException(bucketLimit.length + " bucket limits but " + bucket.length + " buckets");
        }
    }

    /**
     * A histogram of {@code counts.length} equal-width bins over [lo, hi] (Loupe's stats op layout).
     * When {@code hi <= lo} all values are equal and one bucket ending at {@code hi} holds them.
     */
    public static Histogram equalWidth(double lo, double hi, float[] counts, double sum, double sumSquares) {
        double num = 0;
        for (float c : counts) num += c;
        if (!(hi > lo)) return new Histogram(lo, hi, num, sum, sumSquares, new double[] {hi}, new double[] {num});
        int bins = counts.length;
        double[] limits = new double[bins], bucket = new double[bins];
        for (int i = 0; i < bins; i++) {
            limits[i] = i == bins - 1 ? hi : lo + (hi - lo) * (i + 1) / bins;
            bucket[i] = counts[i];
        }
        return new Histogram(lo, hi, num, sum, sumSquares, limits, bucket);
    }

    /** Lower edge of bucket {@code i}. */
    public double lowerEdge(int i) {
        return i == 0 ? Math.min(min, bucketLimit[0]) : bucketLimit[i - 1];
    }
}
