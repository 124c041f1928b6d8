package dev.loupe.engine.optim;

import dev.loupe.datasets.BadInputException;

/**
 * Learning rate as a function of the step: a linear warm-up over {@code warmup} steps, then
 * constant, step decay (×{@code gamma} every {@code every} steps) or cosine decay to
 * {@code min} at {@code total} steps.
 */
public record LrSchedule(Kind kind, float base, long warmup, long every, float gamma, long total, float min) {

    /** The decay after warm-up. */
    public enum Kind { CONSTANT, STEP, COSINE }

    public LrSchedule {
        if (!(base > 0) || !Float.isFinite(base)) throw new BadInputException("learning rate must be > 0, got " + base);
        if (warmup < 0) throw new BadInputException("warm-up steps must be ≥ 0");
        if (kind == Kind.STEP && (every <= 0 || !(gamma > 0))) throw new BadInputException("step schedule needs every > 0 and gamma > 0");
    }

    public static LrSchedule constant(float lr) {
        return new LrSchedule(Kind.CONSTANT, lr, 0, 0, 1, 0, 0);
    }

    /** The schedule for {@code constant|step|cosine}. */
    public static LrSchedule of(String name, float lr, long warmup, long every, float gamma, long total) {
        return switch (name) {
            case "constant" -> new LrSchedule(Kind.CONSTANT, lr, warmup, 0, 1, total, 0);
            case "step" -> new LrSchedule(Kind.STEP, lr, warmup, every, gamma, total, 0);
            case "cosine" -> new LrSchedule(Kind.COSINE, lr, warmup, 0, 1, total, 0);
            default -> throw new BadInputException("unknown schedule '" + name + "' (expected constant, step or cosine)");
        };
    }

    /** The learning rate for step {@code t} (0-based). */
    public float at(long t) {
        if (t < warmup) return base * (t + 1) / (warmup + 1);
        long s = t - warmup;
        return switch (kind) {
            case CONSTANT -> base;
            case STEP -> (float) (base * Math.pow(gamma, s / every));
            case COSINE -> {
                long span = Math.max(1, total - warmup);
                double frac = Math.min(1.0, (double) s / span);
                yield (float) (min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * frac)));
            }
        };
    }
}
