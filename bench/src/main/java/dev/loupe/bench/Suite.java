package dev.loupe.bench;

import dev.loupe.datasets.BadInputException;
import java.util.Locale;

/**
 * How long a benchmark suite measures. Each measured contender gets a warm-up and then
 * {@code windows} timed windows; the windows of all contenders are interleaved (window 1 of each,
 * then window 2 of each, ...) so a slow phase of a shared machine hits everyone alike.
 *
 * @param warmupSeconds  warm-up per contender (JIT, BLAS thread pools, allocator)
 * @param windows        timed windows per contender
 * @param windowSeconds  length of each window
 * @param shortSeconds   the single window of a slow contender (the reference backend)
 */
public record Suite(String name, double warmupSeconds, int windows, double windowSeconds, double shortSeconds) {

    /** Short windows: the whole suite stays under two minutes on a 2-core machine. */
    public static final Suite QUICK = new Suite("quick", 1.0, 3, 1.0, 0.5);
    /** The suite to quote: 5 windows of 3 s after a 5 s warm-up. */
    public static final Suite FULL = new Suite("full", 5.0, 5, 3.0, 2.0);

    /** {@code quick} or {@code full}. */
    public static Suite of(String name) {
        return switch (name.strip().toLowerCase(Locale.ROOT)) {
            case "quick" -> QUICK;
            case "full" -> FULL;
            default -> throw new BadInputException("unknown suite '" + name + "' (choose quick or full)");
        };
    }
}
