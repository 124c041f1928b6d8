package dev.loupe.engine.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import org.junit.jupiter.api.Test;

/**
 * A linear model with MSE loss is a quadratic: its Hessian is {@code 2·X̃ᵀX̃/n} with
 * {@code X̃ = [X 1]}. With orthogonal Hadamard feature columns of norms {@code √n·s_j} (rotated,
 * so the Hessian is not diagonal) its eigenvalues are {@code 2·s_j²} and 2 (the bias).
 */
class HessianProbeTest {
    static final int N = 16, D = 7;
    static final double[] S = {3, 2, 1.5, 1.2, 0.7, 0.5, 0.2};

    /** Rows of the design: Sylvester–Hadamard columns 1..D scaled by S, then a Householder reflection. */
    static float[] design() {
        double[][] x = new double[N][D];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < D; j++) x[i][j] = S[j] * (Integer.bitCount(i & (j + 1)) % 2 == 0 ? 1 : -1);
        }
        double[] u = {1, -2, 0.5, 3, -1, 0.25, 2};
        double uu = 0;
        for (double v : u) uu += v * v;
        float[] out = new float[N * D];
        for (int i = 0; i < N; i++) {
            double xu = 0;
            for (int j = 0; j < D; j++) xu += x[i][j] * u[j];
            for (int j = 0; j < D; j++) out[i * D + j] = (float) (x[i][j] - 2 * xu / uu * u[j]);
        }
        return out;
    }

    static HessianProbe probe(int batch) {
        Network net = new Network(new ReferenceBackend(), Models.linear(D, 1), batch, 3);
        float[] x = design();
        float[] y = Fixtures.gaussian(N, 4, 1);
        float[] theta = Fixtures.gaussian(D + 1, 5, 0.5);
        return new HessianProbe(net, new EvalSet(x, y, N, false, "hadamard"), theta);
    }

    @Test
    void hessianVectorProductEqualsTwoXtXOverN() {
        float[] x = design();
        double[] v = new double[D + 1];
        for (int i = 0; i <= D; i++) v[i] = Math.sin(i + 1);
        double[] hv = probe(5).hvp(v); // chunks of 5, 5, 5, 1 samples
        for (int a = 0; a <= D; a++) {
            double want = 0;
            for (int b = 0; b <= D; b++) {
                double h = 0;
                for (int i = 0; i < N; i++) h += (a < D ? x[i * D + a] : 1) * (b < D ? x[i * D + b] : 1);
                want += 2 * h / N * v[b];
            }
            assertEquals(want, hv[a], 1e-3 * Math.max(1, Math.abs(want)), "(Hv)[" + a + "]");
        }
    }

    @Test
    void lanczosRecoversTheKnownSpectrum() {
        HessianProbe.Spectrum s = probe(16).lanczos(D + 1, 11);
        double[] want = {18, 8, 4.5, 2.88, 2, 0.98, 0.5, 0.08};
        assertEquals(want.length, s.ritzValues().length);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], s.ritzValues()[i], 2e-3 * want[i], "eigenvalue " + i);
    }

    @Test
    void lanczosTopEigenvalueConvergesBeforeTheSpaceIsExhausted() {
        HessianProbe.Spectrum s = probe(16).lanczos(5, 12);
        assertEquals(18, s.ritzValues()[0], 0.05);
        assertTrue(s.residuals()[0] < 0.5, "residual bound " + s.residuals()[0]);
    }

    @Test
    void hutchinsonTraceMatchesTheSumOfEigenvalues() {
        double trace = 2;
        for (double s : S) trace += 2 * s * s;
        HessianProbe.Trace t = probe(16).hutchinson(2000, 13);
        assertTrue(Math.abs(t.estimate() - trace) < 4 * t.standardError(),
                "estimate " + t.estimate() + " ± " + t.standardError() + " vs " + trace);
        assertEquals(trace, t.estimate(), 0.05 * trace);
    }
}
