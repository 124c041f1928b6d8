package dev.loupe.engine.landscape;

import dev.loupe.datasets.SplitMix64;
import dev.loupe.engine.nn.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Curvature of the loss at {@code θ} over a fixed sample set, from Hessian-vector products by
 * central differences of gradients: {@code Hv ≈ (∇L(θ+εv) − ∇L(θ−εv)) / 2ε}. Exact for a quadratic
 * loss up to float rounding; for ReLU networks it is the Hessian of the loss smoothed over a
 * radius ε, which is what the reported numbers mean. Gradients are in inference mode (dropout off)
 * and summed in double.
 *
 * <p>The top eigenvalues come from Lanczos with full reorthogonalization (one product per
 * iteration; the Ritz values of the tridiagonal matrix converge first at both ends of the
 * spectrum), the trace from Hutchinson's estimator {@code E[vᵀHv]} with Rademacher {@code v}.
 */
public final class HessianProbe {
    private final Network net;
    private final EvalSet data;
    private final float[] theta;
    private final double thetaNorm;
    private final float[] shifted;
    private final float[] xChunk, yChunk;
    private int products;
    private IntConsumer onProduct = i -> {};

    /** Lanczos result: the Ritz values (descending), each with its residual bound {@code |β_m·s_m|}. */
    public record Spectrum(double[] ritzValues, double[] residuals, int iterations) {}

    /** Hutchinson's estimate: mean of {@code vᵀHv} over the probes and its standard error. */
    public record Trace(double estimate, double standardError, double[] samples) {}

    public HessianProbe(Network net, EvalSet data, float[] theta) {
        this.net = net;
        this.data = data;
        this.theta = theta.clone();
        this.thetaNorm = norm(theta);
        this.shifted = new float[theta.length];
        this.xChunk = new float[net.batchSize() * net.inputSize()];
        this.yChunk = new float[net.batchSize() * (data.targets().length / data.count())];
    }

    /** Called with the running count after each Hessian-vector product (for a progress bar). */
    public HessianProbe onProduct(IntConsumer listener) {
        this.onProduct = listener;
        return this;
    }

    /** Hessian-vector products computed so far (each costs two gradient passes over the samples). */
    public int products() { return products; }

    /** The finite-difference step used for {@code v}: ∛(float ε)·(1+‖θ‖)/‖v‖, balancing truncation and rounding. */
    public double epsilon(double[] v) {
        return Math.cbrt(Math.ulp(1f)) * (1 + thetaNorm) / norm(v);
    }

    /** Mean gradient of the loss over the samples at {@code at}. */
    public double[] gradient(float[] at) {
        net.setParams(at);
        double[] g = new double[at.length];
        int bs = net.batchSize(), d = net.inputSize(), per = data.targets().length / data.count();
        for (int start = 0; start < data.count(); start += bs) {
            int rows = Math.min(bs, data.count() - start);
            System.arraycopy(data.inputs(), start * d, xChunk, 0, rows * d);
            System.arraycopy(data.targets(), start * per, yChunk, 0, rows * per);
            net.setInput(xChunk, rows);
            net.setTarget(yChunk, rows);
            net.forward(rows, false, 0);
            net.loss(rows);
            net.backward(rows, false);
            float[] chunk = net.getGrads();
            double w = (double) rows / data.count(); // the chunk loss is a mean over its rows
            for (int i = 0; i < g.length; i++) g[i] += w * chunk[i];
        }
        return g;
    }

    /** {@code H·v} by central differences. */
    public double[] hvp(double[] v) {
        double eps = epsilon(v);
        for (int i = 0; i < theta.length; i++) shifted[i] = (float) (theta[i] + eps * v[i]);
        double[] plus = gradient(shifted);
        for (int i = 0; i < theta.length; i++) shifted[i] = (float) (theta[i] - eps * v[i]);
        double[] minus = gradient(shifted);
        for (int i = 0; i < plus.length; i++) plus[i] = (plus[i] - minus[i]) / (2 * eps);
        onProduct.accept(++products);
        return plus;
    }

    /** Lanczos on the Hessian for {@code iterations} steps from a Gaussian start vector drawn from {@code seed}. */
    public Spectrum lanczos(int iterations, long seed) {
        int n = theta.length, m = Math.min(iterations, n);
        SplitMix64 rng = new SplitMix64(seed);
        double[] q = new double[n];
        for (int i = 0; i < n; i++) q[i] = rng.nextGaussian();
        scale(q, 1 / norm(q));
        List<float[]> basis = new ArrayList<>(); // stored as float: m vectors of the model's size
        double[] alpha = new double[m], beta = new double[m];
        double[] prev = null;
        int steps = 0;
        for (int j = 0; j < m; j++) {
            basis.add(toFloat(q));
            double[] w = hvp(q);
            alpha[j] = dot(q, w);
            for (int i = 0; i < n; i++) w[i] -= alpha[j] * q[i] + (prev == null ? 0 : beta[j - 1] * prev[i]);
            // full reorthogonalization (twice is enough): keeps the Ritz values free of ghost copies
            for (int pass = 0; pass < 2; pass++) {
                for (float[] b : basis) {
                    double c = 0;
                    for (int i = 0; i < n; i++) c += b[i] * w[i];
                    for (int i = 0; i < n; i++) w[i] -= c * b[i];
                }
            }
            steps = j + 1;
            beta[j] = norm(w);
            if (beta[j] <= 1e-10 * Math.max(1, Math.abs(alpha[j]))) break; // invariant subspace found: exact
            prev = q;
            q = w;
            scale(q, 1 / beta[j]);
        }
        double[][] t = new double[steps][steps];
        for (int j = 0; j < steps; j++) {
            t[j][j] = alpha[j];
            if (j + 1 < steps) t[j][j + 1] = t[j + 1][j] = beta[j];
        }
        SymmetricEigen.Result e = SymmetricEigen.decompose(t);
        double[] residual = new double[steps];
        for (int i = 0; i < steps; i++) residual[i] = Math.abs(beta[steps - 1] * e.vectors()[i][steps - 1]);
        return new Spectrum(e.values(), residual, steps);
    }

    /** Hutchinson's trace estimate from {@code probes} Rademacher vectors drawn from {@code seed}. */
    public Trace hutchinson(int probes, long seed) {
        SplitMix64 rng = new SplitMix64(seed);
        double[] samples = new double[probes];
        double[] v = new double[theta.length];
        for (int p = 0; p < probes; p++) {
            for (int i = 0; i < v.length; i++) v[i] = (rng.nextLong() & 1) == 0 ? -1 : 1;
            samples[p] = dot(v, hvp(v));
        }
        double mean = 0;
        for (double s : samples) mean += s / probes;
        double var = 0;
        for (double s : samples) var += (s - mean) * (s - mean);
        double se = probes > 1 ? Math.sqrt(var / (probes - 1) / probes) : Double.NaN;
        return new Trace(mean, se, samples);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    static double norm(double[] a) { return Math.sqrt(dot(a, a)); }

    static double norm(float[] a) {
        double s = 0;
        for (float x : a) s += (double) x * x;
        return Math.sqrt(s);
    }

    private static void scale(double[] a, double f) {
        for (int i = 0; i < a.length; i++) a[i] *= f;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
        return f;
    }
}
