package dev.loupe.engine.landscape;

import java.util.List;

/**
 * The plane that best fits the training path around its end: the top two principal directions of
 * the differences {@code θ_t − θ_final} (uncentred, so the plane passes through {@code θ_final}),
 * from the eigenvectors of their {@code T×T} Gram matrix — cheap because there are few snapshots
 * and many parameters. The path's coordinates are the projections on the two unit directions, so
 * the final point sits at (0, 0).
 *
 * @param d1        first direction (unit norm)
 * @param d2        second direction (unit norm, orthogonal to d1)
 * @param explained fraction of Σ‖θ_t − θ_final‖² along d1 and d2
 * @param xs        path coordinates along d1, one per snapshot
 * @param ys        path coordinates along d2
 */
public record TrajectoryPca(float[] d1, float[] d2, double[] explained, double[] xs, double[] ys) {

    /** PCA of {@code snapshots} (in training order) around {@code fin}. */
    public static TrajectoryPca of(List<float[]> snapshots, float[] fin) {
        int t = snapshots.size(), p = fin.length;
        double[][] gram = new double[t][t];
        for (int i = 0; i < t; i++) {
            float[] a = snapshots.get(i);
            for (int j = 0; j <= i; j++) {
                float[] b = snapshots.get(j);
                double s = 0;
                for (int k = 0; k < p; k++) s += ((double) a[k] - fin[k]) * ((double) b[k] - fin[k]);
                gram[i][j] = gram[j][i] = s;
            }
        }
        SymmetricEigen.Result e = SymmetricEigen.decompose(gram);
        double total = 0;
        for (int i = 0; i < t; i++) total += gram[i][i];
        if (t < 2 || e.values()[1] <= 1e-12 * total) {
            throw new dev.loupe.datasets.BadInputException("the training path spans fewer than two directions ("
                    + t + " snapshots); train for more steps to draw a trajectory");
        }
        float[][] dirs = new float[2][];
        for (int c = 0; c < 2; c++) {
            // d = Mᵀu / √λ is the unit right singular vector belonging to the Gram eigenvector u
            double[] u = e.vectors()[c];
            double[] d = new double[p];
            for (int i = 0; i < t; i++) {
                float[] a = snapshots.get(i);
                for (int k = 0; k < p; k++) d[k] += u[i] * ((double) a[k] - fin[k]);
            }
            double inv = 1 / Math.sqrt(e.values()[c]);
            dirs[c] = new float[p];
            for (int k = 0; k < p; k++) dirs[c][k] = (float) (d[k] * inv);
        }
        double[] xs = new double[t], ys = new double[t];
        for (int i = 0; i < t; i++) {
            float[] a = snapshots.get(i);
            double x = 0, y = 0;
            for (int k = 0; k < p; k++) {
                double diff = (double) a[k] - fin[k];
                x += diff * dirs[0][k];
                y += diff * dirs[1][k];
            }
            xs[i] = x;
            ys[i] = y;
        }
        return new TrajectoryPca(dirs[0], dirs[1], new double[] {e.values()[0] / total, e.values()[1] / total}, xs, ys);
    }
}
