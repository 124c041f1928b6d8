package dev.loupe.engine.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SymmetricEigenTest {
    @Test
    void decomposesAMatrixBuiltFromKnownEigenpairs() {
        // A = Q diag(5, 2, -1) Qᵀ with Q a rotation about z then x
        double c1 = Math.cos(0.7), s1 = Math.sin(0.7), c2 = Math.cos(-1.1), s2 = Math.sin(-1.1);
        double[][] rz = {{c1, -s1, 0}, {s1, c1, 0}, {0, 0, 1}};
        double[][] rx = {{1, 0, 0}, {0, c2, -s2}, {0, s2, c2}};
        double[][] q = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) q[i][j] += rx[i][k] * rz[k][j];
        double[] lam = {5, 2, -1};
        double[][] a = new double[3][3];
        for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 3; k++) a[i][j] += q[i][k] * lam[k] * q[j][k];
        SymmetricEigen.Result r = SymmetricEigen.decompose(a);
        for (int e = 0; e < 3; e++) {
            assertEquals(lam[e], r.values()[e], 1e-12);
            // A v = λ v
            for (int i = 0; i < 3; i++) {
                double av = 0;
                for (int k = 0; k < 3; k++) av += a[i][k] * r.vectors()[e][k];
                assertEquals(lam[e] * r.vectors()[e][i], av, 1e-12);
            }
        }
    }
}
