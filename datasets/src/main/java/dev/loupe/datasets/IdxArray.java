package dev.loupe.datasets;

/**
 * The content of an IDX file of unsigned bytes (the MNIST family format): its dimensions and its
 * elements in row-major order, each byte read as 0..255 with {@code Byte.toUnsignedInt}.
 */
public record IdxArray(int[] dims, byte[] data) {
    public IdxArray {
        long count = 1;
        for (int d : dims) {
            if (d <= 0) throw new IllegalArgumentException("IDX dimension must be positive: " + d);
            count *= d;
        }
        if (count != data.length) {
            throw new IllegalArgumentException("IDX dims give " + count + " elements but data has " + data.length);
        }
    }

    /** The number of items along the first dimension (images, labels). */
    public int count() {
        return dims[0];
    }

    /** The number of elements in one item (e.g. rows * cols for an image file). */
    public int itemSize() {
        return data.length / dims[0];
    }
}
