package dev.loupe.engine;

/** The elementwise nonlinearities every backend implements. */
public enum Activation {
    /** max(0, x). */
    RELU,
    /** x for x > 0, alpha·x otherwise. */
    LEAKY_RELU,
    /** 1 / (1 + e^−x). */
    SIGMOID,
    /** tanh(x). */
    TANH,
    /** x·Φ(x) with the tanh approximation: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))). */
    GELU,
    /** x (used where a layer has no nonlinearity). */
    IDENTITY
}
