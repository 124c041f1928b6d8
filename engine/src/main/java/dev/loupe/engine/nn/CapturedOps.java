package dev.loupe.engine.nn;

import dev.loupe.engine.Backend;

/**
 * A fixed sequence of device ops (such as a training step's forward, backward and update) run
 * through {@link Backend#capture} where the backend can record it: the first run is eager, so
 * that every lazily allocated scratch buffer exists before recording; the second records the ops
 * and launches the recording; later runs only launch it. On a backend without capture every run
 * is eager. Results are the same either way: the recording holds the very kernels, arguments and
 * order of an eager run.
 */
public final class CapturedOps implements AutoCloseable {
    private final Backend backend;
    private final Runnable ops;
    private Backend.Replay replay;
    private long runs;
    private boolean eagerOnly;

    public CapturedOps(Backend backend, Runnable ops) {
        this.backend = backend;
        this.ops = ops;
    }

    public void run() {
        if (replay != null) {
            replay.run();
        } else if (runs == 0 || eagerOnly) {
            ops.run();
        } else {
            replay = backend.capture(ops);
            if (replay == null) {
                eagerOnly = true;
                ops.run();
            } else {
                replay.run();
            }
        }
        runs++;
    }

    /** Whether runs now launch a recording. */
    public boolean captured() {
        return replay != null;
    }

    @Override
    public void close() {
        if (replay != null) replay.close();
        replay = null;
    }
}
