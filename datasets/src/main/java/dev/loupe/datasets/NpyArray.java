package dev.loupe.datasets;

import java.util.Arrays;

/** An n-dimensional float array in C (row-major) order, as read from or written to a .npy file. */
public record NpyArray(int[] shape, float[] data) {
    public NpyArray {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative size in shape " + Arrays.toString(shape));
            n *= s;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " elements, data has " + data.length);
        }
    }

    /** Element at the given indices (one per dimension), for tests and small reads. */
    public float get(int... index) {
        if (index.length != shape.length) throw new IllegalArgumentException("need " + shape.length + " indices");
        int flat = 0;
        for (int i = 0; i < index.length; i++) flat = flat * shape[i] + index[i];
        return data[flat];
    }

    @Override
    public String toString() {
        return "NpyArray" + Arrays.toString(shape);
    }
}
