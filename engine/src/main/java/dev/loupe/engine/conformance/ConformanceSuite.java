package dev.loupe.engine.conformance;

import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.backend.reference.ReferenceBackend;
import java.util.List;
import java.util.Locale;

/**
 * Checks a backend against the reference definition of every {@link Backend} op, on seeded random
 * inputs: {@code java … ConformanceSuite nd4j 1e-5} prints one line per case and exits 1 on any failure.
 */
public final class ConformanceSuite {
    private ConformanceSuite() {}

    /** Seed of the random inputs; fixed so a failure reproduces. */
    public static final long SEED = 20261125L;

    /** Runs every case; error is {@code max |candidate − reference| / max(1, |reference|)}. */
    public static List<ConformanceResult> run(Backend candidate, double relTol) {
        try (ReferenceBackend ref = new ReferenceBackend()) {
            Harness h = new Harness(ref, candidate, relTol, SEED);
            OpCases.all(h);
            return List.copyOf(h.results());
        }
    }

    /** Usage: {@code ConformanceSuite [BACKEND] [REL_TOL]} (defaults: auto, 1e-5). */
    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "auto";
        double tol = args.length > 1 ? Double.parseDouble(args[1]) : 1e-5;
        List<ConformanceResult> results;
        String device;
        try (Backend b = Backends.open(name)) {
            device = b.name() + " on " + b.device();
            results = run(b, tol);
        }
        int failed = 0;
        double worst = 0;
        System.out.printf(Locale.ROOT, "%-20s %-58s %11s  %s%n", "op", "case", "max error", "result");
        for (ConformanceResult r : results) {
            System.out.printf(Locale.ROOT, "%-20s %-58s %11.3e  %s%n", r.op(), r.caseName(), r.maxError(),
                    r.passed() ? "ok" : "FAIL");
            if (!r.passed()) failed++;
            worst = Math.max(worst, r.maxError());
        }
        System.out.printf(Locale.ROOT, "%s: %d cases, %d failed, worst error %.3e (tolerance %.1e)%n",
                device, results.size(), failed, worst, tol);
        System.exit(failed == 0 ? 0 : 1);
    }
}
