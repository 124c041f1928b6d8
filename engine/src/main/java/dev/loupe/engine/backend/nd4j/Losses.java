package dev.loupe.engine.backend.nd4j;

import static dev.loupe.engine.backend.nd4j.Nd4jBackend.F;

import java.lang.foreign.MemorySegment;

/** Losses and row-wise metrics; small (batch × classes), so single-threaded and in the reference's order. */
final class Losses {
    private Losses() {}

    static void softmaxCrossEntropy(int rows, int cols, MemorySegment logits, MemorySegment labels,
                                    MemorySegment dlogits, MemorySegment loss) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, logits.getAtIndex(F, base + c));
            double z = 0;
            for (int c = 0; c < cols; c++) z += Math.exp(logits.getAtIndex(F, base + c) - max);
            int label = (int) labels.getAtIndex(F, r);
            total += Math.log(z) + max - logits.getAtIndex(F, base + label);
            if (dlogits != null) {
                for (int c = 0; c < cols; c++) {
                    double p = Math.exp(logits.getAtIndex(F, base + c) - max) / z;
                    dlogits.setAtIndex(F, base + c, (float) ((p - (c == label ? 1 : 0)) / rows));
                }
            }
        }
        loss.setAtIndex(F, 0, (float) (total / rows));
    }

    static void mse(int rows, int cols, MemorySegment pred, MemorySegment target, MemorySegment dpred,
                    MemorySegment loss) {
        long n = (long) rows * cols;
        double total = 0;
        for (int i = 0; i < n; i++) {
            double d = (double) pred.getAtIndex(F, i) - target.getAtIndex(F, i);
            total += d * d;
            if (dpred != null) dpred.setAtIndex(F, i, (float) (2 * d / n));
        }
        loss.setAtIndex(F, 0, (float) (total / n));
    }

    /** Index of the first maximum of row {@code r}. */
    static int rowArgmax(MemorySegment x, int r, int cols) {
        int base = r * cols, best = 0;
        float bestV = x.getAtIndex(F, base);
        for (int c = 1; c < cols; c++) {
            float v = x.getAtIndex(F, base + c);
            if (v > bestV) {
                best = c;
                bestV = v;
            }
        }
        return best;
    }
}
