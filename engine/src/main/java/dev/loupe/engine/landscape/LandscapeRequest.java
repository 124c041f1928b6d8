package dev.loupe.engine.landscape;

import dev.loupe.datasets.BadInputException;
import java.util.List;

/**
 * What to compute: the mode and its settings, checked on construction.
 *
 * @param mode       interp, 2d, trajectory or hessian
 * @param grid       points per axis (3..401)
 * @param range      half-width of the 2d window in units of the filter-normalized directions (&gt; 0)
 * @param samples    training samples the loss is measured on
 * @param seed       seed of the random directions (2d: seed and seed+1) and of the Hessian's probes
 * @param topK       Hessian eigenvalues reported
 * @param iterations Lanczos iterations
 * @param probes     Hutchinson probe vectors
 * @param strategy   how grid points are evaluated
 */
public record LandscapeRequest(String mode, int grid, double range, int samples, long seed, int topK, int iterations,
                               int probes, PlaneEvaluator.Strategy strategy) {
    public static final List<String> MODES = List.of("interp", "2d", "trajectory", "hessian");

    public LandscapeRequest {
        if (!MODES.contains(mode)) throw new BadInputException("unknown --mode '" + mode + "' (choose " + String.join(", ", MODES) + ")");
        if (grid < 3 || grid > 401) throw new BadInputException("--grid must be between 3 and 401, got " + grid);
        if (!(range > 0) || Double.isInfinite(range)) throw new BadInputException("--range must be a positive number, got " + range);
        if (samples <= 0) throw new BadInputException("--samples must be positive, got " + samples);
        if (topK <= 0) throw new BadInputException("--top-k must be positive, got " + topK);
        if (iterations < topK) throw new BadInputException("--iterations (" + iterations + ") must be at least --top-k (" + topK + ")");
        if (probes <= 0) throw new BadInputException("--probes must be positive, got " + probes);
    }
}
