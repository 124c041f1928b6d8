package dev.loupe.engine.explain;

/** Nodes α and weights w on [0, 1] for the integrated-gradients path integral ∫₀¹ g(α) dα ≈ Σ w_j g(α_j). */
public record Quadrature(double[] alphas, double[] weights) {

    /** The rule {@code rule} with {@code n} points. */
    public static Quadrature of(ExplainParams.IgRule rule, int n) {
        return rule == ExplainParams.IgRule.GAUSS_LEGENDRE ? gaussLegendre(n) : trapezoid(n);
    }

    /** {@code n} equally spaced points including both ends; the end weights are halved. */
    public static Quadrature trapezoid(int n) {
        double[] a = new double[n], w = new double[n];
        for (int j = 0; j < n; j++) {
            a[j] = (double) j / (n - 1);
            w[j] = (j == 0 || j == n - 1 ? 0.5 : 1.0) / (n - 1);
        }
        return new Quadrature(a, w);
    }

    /**
     * Gauss–Legendre: the roots of P_n found by Newton's method from Chebyshev guesses, mapped
     * from [−1, 1] to [0, 1] (weights halved). Exact for polynomials of degree ≤ 2n − 1.
     */
    public static Quadrature gaussLegendre(int n) {
        double[] a = new double[n], w = new double[n];
        for (int i = 0; i < n; i++) {
            double x = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double dp = 0;
            for (int iter = 0; iter < 100; iter++) {
                // three-term recurrence gives P_n(x) and P_{n-1}(x)
                double p0 = 1, p1 = x;
                for (int k = 2; k <= n; k++) {
                    double p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                double pn = n == 1 ? x : p1, pm = n == 1 ? 1 : p0;
                dp = n * (x * pn - pm) / (x * x - 1);
                double dx = pn / dp;
                x -= dx;
                if (Math.abs(dx) < 1e-15) break;
            }
            a[n - 1 - i] = (x + 1) / 2;
            w[n - 1 - i] = 1.0 / ((1 - x * x) * dp * dp); // 2/((1−x²)P'²) halved for [0, 1]
        }
        return new Quadrature(a, w);
    }
}
