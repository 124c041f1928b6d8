package dev.loupe.engine;

/**
 * The summary {@link Backend#stats} writes: a fixed header of statistics followed by histogram
 * counts. Immutable once read back from a backend.
 *
 * @param count     number of elements summarized
 * @param mean      mean of the finite elements
 * @param std       population standard deviation of the finite elements
 * @param min       smallest finite element
 * @param max       largest finite element
 * @param l2        L2 norm of the finite elements
 * @param zeroFrac  fraction of all elements exactly equal to 0
 * @param nonFinite number of NaN or infinite elements
 * @param histogram counts per equal-width bin over [min, max]
 */
public record TensorStats(long count, double mean, double std, double min, double max, double l2,
                          double zeroFrac, long nonFinite, float[] histogram) {
    /** Offsets in the output buffer of {@link Backend#stats}. */
    public static final int COUNT = 0, MEAN = 1, STD = 2, MIN = 3, MAX = 4, L2 = 5, ZERO_FRAC = 6,
            NON_FINITE = 7, HEADER = 8;

    /** Decodes the floats a {@link Backend#stats} op wrote. */
    public static TensorStats of(float[] raw, int bins) {
        float[] hist = new float[bins];
        System.arraycopy(raw, HEADER, hist, 0, bins);
        return new TensorStats((long) raw[COUNT], raw[MEAN], raw[STD], raw[MIN], raw[MAX], raw[L2],
                raw[ZERO_FRAC], (long) raw[NON_FINITE], hist);
    }

    /** Floats the backend writes for a histogram of {@code bins} bins. */
    public static int length(int bins) {
        return HEADER + bins;
    }
}
