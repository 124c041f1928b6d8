package dev.loupe.datasets;

/**
 * Per-sample ground-truth regions of an image dataset: for sample i, floats
 * {@code [i*H*W, (i+1)*H*W)} are 1 inside the region that decides the class and 0 elsewhere,
 * so an explanation can be scored by whether its peak falls inside (the pointing game).
 */
public record RegionMasks(int height, int width, float[] train, float[] test) {
    /** True when pixel (row, col) of training sample {@code i} lies inside its region. */
    public boolean inTrainRegion(int i, int row, int col) {
        return train[(i * height + row) * width + col] > 0.5f;
    }

    /** True when pixel (row, col) of test sample {@code i} lies inside its region. */
    public boolean inTestRegion(int i, int row, int col) {
        return test[(i * height + row) * width + col] > 0.5f;
    }
}
