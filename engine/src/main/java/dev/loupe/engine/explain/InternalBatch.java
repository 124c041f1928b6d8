package dev.loupe.engine.explain;

import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.ConvShape;
import dev.loupe.engine.MemoryInfo;
import dev.loupe.engine.nn.ConvLayer;
import dev.loupe.engine.nn.FlattenLayer;
import dev.loupe.engine.nn.Layer;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.nn.PoolLayer;

/**
 * Chooses how many rows (interpolation steps, noisy copies, occluded images) one internal batch
 * holds: as many as fit a quarter of the memory the backend and the JVM heap report free, at most
 * {@link #MAX} and never more than the work needs. Results do not depend on this number.
 */
public final class InternalBatch {
    /** Upper bound: beyond a few hundred rows CPU and GPU throughput stop improving. */
    public static final int MAX = 512;

    private InternalBatch() {}

    /** Floats a network needs per batch row: input and its gradient, every activation, gradient and scratch buffer. */
    public static long floatsPerRow(Network probe) {
        long f = 2L * probe.inputSize();
        for (Layer l : probe.layers()) {
            if (l instanceof FlattenLayer) continue;
            f += 2L * l.outSize();
            if (l instanceof ConvLayer c) {
                ConvShape s = c.geometry();
                f += (long) s.outH() * s.outW() * s.patch();
            }
            if (l instanceof PoolLayer p && p.type().equals("maxpool2d")) f += l.outSize();
        }
        return f;
    }

    private static long maxSpatial(Network probe) {
        long m = 0;
        for (Layer l : probe.layers()) if (l.outShape().length == 3) m = Math.max(m, l.outSize());
        return m;
    }

    /**
     * The internal batch for {@code rowsNeeded} rows on {@code probe}'s backend; {@code override}
     * (null for automatic) wins when given.
     */
    public static int choose(Network probe, long rowsNeeded, Integer override) {
        if (override != null) {
            if (override < 1) throw new BadInputException("--internal-batch must be at least 1, got " + override);
            return override;
        }
        MemoryInfo mem = probe.backend().memory();
        Runtime rt = Runtime.getRuntime();
        long heapFree = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        long deviceFree = mem.freeBytes() > 0 ? mem.freeBytes() : heapFree;
        long hostFloats = 2L * probe.inputSize() + probe.outputSize() + 2L * maxSpatial(probe);
        // a quarter of what is free: the network's own parameters and the caller's arrays need room too
        long rows = Math.min(deviceFree / 4 / (4 * floatsPerRow(probe)), heapFree / 4 / (4 * hostFloats));
        return (int) Math.max(1, Math.min(Math.min(rows, MAX), Math.max(1, rowsNeeded)));
    }
}
