package dev.loupe.engine.conformance;

/**
 * One checked case of the conformance suite: the largest error of any output element, measured as
 * {@code |candidate − reference| / max(1, |reference|)}, and whether it is within the tolerance.
 */
public record ConformanceResult(String op, String caseName, double maxError, boolean passed) {}
