package dev.loupe.engine.record;

import dev.loupe.datasets.BadInputException;

/** How much a run records: nothing, per-tensor statistics, or statistics plus histograms. */
public enum RecordMode {
    OFF, STATS, FULL;

    /** Parses {@code off|stats|full} as typed on the command line. */
    public static RecordMode of(String s) {
        return switch (s == null ? "" : s) {
            case "off" -> OFF;
            case "stats" -> STATS;
            case "full" -> FULL;
            default -> throw new BadInputException("unknown --record mode '" + s + "' (expected off, stats or full)");
        };
    }
}
