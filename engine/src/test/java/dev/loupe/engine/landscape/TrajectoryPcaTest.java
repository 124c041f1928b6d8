package dev.loupe.engine.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrajectoryPcaTest {
    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    @Test
    void directionsAreOrthonormalAndTheFinalPointIsTheOrigin() {
        int p = 500;
        float[] fin = Fixtures.gaussian(p, 1, 1);
        List<float[]> path = new ArrayList<>();
        for (int t = 0; t < 20; t++) {
            float[] noise = Fixtures.gaussian(p, 100 + t, 0.05 * (20 - t));
            float[] th = new float[p];
            for (int i = 0; i < p; i++) th[i] = fin[i] + noise[i];
            path.add(th);
        }
        path.add(fin.clone());
        TrajectoryPca pca = TrajectoryPca.of(path, fin);
        assertEquals(1, dot(pca.d1(), pca.d1()), 1e-5);
        assertEquals(1, dot(pca.d2(), pca.d2()), 1e-5);
        assertEquals(0, dot(pca.d1(), pca.d2()), 1e-5);
        assertEquals(0, pca.xs()[20], 0);
        assertEquals(0, pca.ys()[20], 0);
        assertTrue(pca.explained()[0] >= pca.explained()[1] && pca.explained()[0] + pca.explained()[1] <= 1 + 1e-9);
    }

    @Test
    void aPathInAPlaneIsRecoveredExactly() {
        int p = 300;
        float[] fin = Fixtures.gaussian(p, 2, 1);
        float[] u = Fixtures.gaussian(p, 3, 1), v = Fixtures.gaussian(p, 4, 1);
        List<float[]> path = new ArrayList<>();
        double[][] coords = {{3, 1}, {2, 2}, {1, -0.5}, {0.5, 0.2}, {0, 0}};
        for (double[] c : coords) {
            float[] th = new float[p];
            for (int i = 0; i < p; i++) th[i] = (float) (fin[i] + c[0] * u[i] + c[1] * v[i]);
            path.add(th);
        }
        TrajectoryPca pca = TrajectoryPca.of(path, fin);
        assertEquals(1, pca.explained()[0] + pca.explained()[1], 1e-6);
        // distances in the plane are preserved by an orthonormal projection
        for (int t = 0; t < coords.length; t++) {
            double want = 0;
            for (int i = 0; i < p; i++) {
                double d = path.get(t)[i] - fin[i];
                want += d * d;
            }
            double got = pca.xs()[t] * pca.xs()[t] + pca.ys()[t] * pca.ys()[t];
            assertEquals(want, got, 1e-4 * Math.max(1, want), "|θ_t − θ_final|² at t=" + t);
        }
    }
}
