package dev.loupe.cli;

import dev.loupe.engine.explain.ExplainParams;
import picocli.CommandLine.Option;

/** The attribution methods' settings, shared by {@code explain}, {@code sanity} and {@code faithfulness}. */
final class MethodOptions {
    @Option(names = "--steps", defaultValue = "50", description = "integrated-gradients steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--ig-rule", defaultValue = "gauss-legendre", description = "gauss-legendre or trapezoid quadrature for IG (default: ${DEFAULT-VALUE})")
    String igRule;

    @Option(names = "--noise", defaultValue = "0.15", description = "SmoothGrad/VarGrad noise std as a fraction of each input's value range (default: ${DEFAULT-VALUE})")
    float noise;

    @Option(names = "--nt-samples", defaultValue = "25", description = "SmoothGrad/VarGrad noisy samples per input (default: ${DEFAULT-VALUE})")
    int ntSamples;

    @Option(names = "--layer", description = "Grad-CAM layer (default: the last conv/activation layer with spatial output)")
    String layer;

    @Option(names = "--window", defaultValue = "4", description = "occlusion window side in pixels (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--stride", defaultValue = "2", description = "occlusion stride in pixels (default: ${DEFAULT-VALUE})")
    int stride;

    @Option(names = "--seed", defaultValue = "0", description = "seed for SmoothGrad/VarGrad noise (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--internal-batch", description = "rows per internal pass (default: sized from free memory)")
    Integer internalBatch;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, reference, nd4j or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    ExplainParams params() {
        return new ExplainParams(steps, ExplainCommand.parseRule(igRule), noise, ntSamples, layer, window, stride, seed);
    }
}
