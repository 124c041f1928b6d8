package dev.loupe.engine.explain;

import java.util.Map;

/**
 * Attributions for {@code n} inputs by one method: {@code values} has the inputs' layout
 * ({@code n × inputSize}, images NHWC). For integrated gradients {@code delta[i]} is the
 * convergence delta Σ attr_i − (f(x_i) − f(baseline_i)) of the target logit; null otherwise.
 *
 * @param targetLogits f(x_i) at the target class
 * @param baselineLogits f(baseline_i) at the target class (IG only, else null)
 */
public record Explanation(ExplainMethod method, Map<String, Object> params, int n, int[] inputShape,
                          float[] values, int[] targets, float[] targetLogits,
                          float[] baselineLogits, double[] delta) {

    /** Floats per sample. */
    public int inputSize() {
        int d = 1;
        for (int s : inputShape) d *= s;
        return d;
    }
}
