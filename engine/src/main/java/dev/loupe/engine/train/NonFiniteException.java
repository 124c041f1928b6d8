package dev.loupe.engine.train;

import dev.loupe.datasets.BadInputException;

/** Training met a NaN or infinite loss, activation or gradient; the message names the first layer where it appears. */
public final class NonFiniteException extends BadInputException {
    private final long step;

    public NonFiniteException(String message, long step) {
        super(message);
        this.step = step;
    }

    /** The step at which the non-finite value was detected. */
    public long step() {
        return step;
    }
}
