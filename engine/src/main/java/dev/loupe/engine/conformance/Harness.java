package dev.loupe.engine.conformance;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Buf;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs one op on the reference and the candidate backend with identical inputs and compares every
 * output element. Inputs are twin buffers ({@link T}) holding the same host data on both backends.
 */
final class Harness {
    private final Backend ref;
    private final Backend cand;
    private final double tol;
    private final SplittableRandom rng;
    private final List<ConformanceResult> results = new ArrayList<>();

    Harness(Backend ref, Backend cand, double tol, long seed) {
        this.ref = ref;
        this.cand = cand;
        this.tol = tol;
        this.rng = new SplittableRandom(seed);
    }

    /** The same data in a buffer of each backend; {@link #on} picks the one for the backend running. */
    record T(Backend ref, Buf r, Buf c, long n) {
        Buf on(Backend b) {
            return b == ref ? r : c;
        }

        T slice(long off, long len) {
            return new T(ref, r.slice(off, len), c.slice(off, len), len);
        }
    }

    List<ConformanceResult> results() {
        return results;
    }

    SplittableRandom rng() {
        return rng;
    }

    /** Uniform floats in [lo, hi). */
    float[] uniform(long n, double lo, double hi) {
        float[] h = new float[Math.toIntExact(n)];
        for (int i = 0; i < h.length; i++) h[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return h;
    }

    /** Integer class labels in [0, classes) as floats. */
    float[] labels(int n, int classes) {
        float[] h = new float[n];
        for (int i = 0; i < n; i++) h[i] = rng.nextInt(classes);
        return h;
    }

    T host(float[] h) {
        T t = new T(ref, ref.alloc(h.length), cand.alloc(h.length), h.length);
        ref.upload(h, 0, t.r, 0, h.length);
        cand.upload(h, 0, t.c, 0, h.length);
        return t;
    }

    T rand(long n) {
        return host(uniform(n, -1, 1));
    }

    /**
     * A buffer prefilled with junk, the same on both sides: an op that should overwrite an output
     * but leaves some of it alone is caught.
     */
    T out(long n) {
        return host(uniform(n, -7, 7));
    }

    /** Runs {@code body} on both backends, then compares {@code outputs} element by element. */
    void check(String op, String name, Consumer<Backend> body, T... outputs) {
        checkHost(op, name, b -> {
            body.accept(b);
            long total = 0;
            for (T t : outputs) total += t.n;
            float[] all = new float[Math.toIntExact(total)];
            int at = 0;
            for (T t : outputs) {
                b.download(t.on(b), 0, all, at, (int) t.n);
                at += (int) t.n;
            }
            return all;
        });
    }

    /** Runs {@code body} on both backends and compares the host arrays it returns. */
    void checkHost(String op, String name, Function<Backend, float[]> body) {
        float[] expect = body.apply(ref);
        float[] got;
        try {
            got = body.apply(cand);
            cand.synchronize();
        } catch (RuntimeException | AssertionError e) {
            results.add(new ConformanceResult(op, name + " [threw " + e + "]", Double.POSITIVE_INFINITY, false));
            return;
        }
        double err = got.length == expect.length ? maxError(got, expect) : Double.POSITIVE_INFINITY;
        results.add(new ConformanceResult(op, name, err, err <= tol));
    }

    /** max |a − b| / max(1, |b|); equal non-finite values count as agreement, unequal ones as ∞. */
    static double maxError(float[] got, float[] expect) {
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            float a = got[i], b = expect[i];
            if (a == b || (Float.isNaN(a) && Float.isNaN(b))) continue;
            if (!Float.isFinite(a) || !Float.isFinite(b)) return Double.POSITIVE_INFINITY;
            worst = Math.max(worst, Math.abs((double) a - b) / Math.max(1, Math.abs((double) b)));
        }
        return worst;
    }
}
