package dev.loupe.engine.landscape;

import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Evaluates a grid row by row and keeps each finished row on disk ({@code rows/row-NNNN.npy},
 * written atomically), so an interrupted run continues from the rows it already has. When every
 * row is there the rows are assembled into {@code loss.npy} and {@code accuracy.npy}
 * ({@code [rows, cols]}, or {@code [cols]} for a line) and the row files are removed.
 */
public final class GridRunner {
    private GridRunner() {}

    /** Told after each row: how many rows are done (including resumed ones) of how many. */
    @FunctionalInterface
    public interface RowListener {
        void rowDone(int row, int done, int total, boolean resumed);
    }

    /** The assembled grid: {@code loss[row][col]}, {@code accuracy[row][col]}, and rows evaluated now. */
    public record Grid(double[][] loss, double[][] accuracy, int rowsComputed) {}

    /**
     * Evaluates the points {@code (xs[c], ys[r])}; {@code ys == null} means a line (one row, β unused).
     * Rows already present under {@code dir/rows} are read back instead of evaluated.
     */
    public static Grid run(Path dir, double[] xs, double[] ys, PlaneEvaluator ev, RowListener listener) {
        int rows = ys == null ? 1 : ys.length, cols = xs.length;
        Path rowDir = dir.resolve("rows");
        double[][] loss = new double[rows][], acc = new double[rows][];
        int done = 0, computed = 0;
        for (int r = 0; r < rows; r++) {
            Path f = rowDir.resolve(String.format("row-%04d.npy", r));
            if (Files.isRegularFile(f)) {
                NpyArray a = NpyFiles.read(f);
                if (a.shape().length == 2 && a.shape()[0] == 2 && a.shape()[1] == cols) {
                    loss[r] = new double[cols];
                    acc[r] = new double[cols];
                    for (int c = 0; c < cols; c++) {
                        loss[r][c] = a.data()[c];
                        acc[r][c] = a.data()[cols + c];
                    }
                    listener.rowDone(r, ++done, rows, true);
                    continue;
                }
            }
            double[] beta = new double[cols];
            if (ys != null) java.util.Arrays.fill(beta, ys[r]);
            PlaneEvaluator.Values v = ev.evaluate(xs, beta);
            loss[r] = v.loss();
            acc[r] = v.accuracy();
            float[] packed = new float[2 * cols];
            for (int c = 0; c < cols; c++) {
                packed[c] = (float) loss[r][c];
                packed[cols + c] = (float) acc[r][c];
            }
            writeNpy(f, new NpyArray(new int[] {2, cols}, packed));
            computed++;
            listener.rowDone(r, ++done, rows, false);
        }
        int[] shape = ys == null ? new int[] {cols} : new int[] {rows, cols};
        writeNpy(dir.resolve("loss.npy"), new NpyArray(shape, flatten(loss)));
        writeNpy(dir.resolve("accuracy.npy"), new NpyArray(shape, flatten(acc)));
        deleteTree(rowDir);
        return new Grid(loss, acc, computed);
    }

    static float[] flatten(double[][] m) {
        int cols = m[0].length;
        float[] out = new float[m.length * cols];
        for (int r = 0; r < m.length; r++) for (int c = 0; c < cols; c++) out[r * cols + c] = (float) m[r][c];
        return out;
    }

    /** NPY write; {@link NpyFiles#write(Path, NpyArray)} is atomic (temp + fsync + rename). */
    static void writeNpy(Path file, NpyArray a) {
        NpyFiles.write(file, a);
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
