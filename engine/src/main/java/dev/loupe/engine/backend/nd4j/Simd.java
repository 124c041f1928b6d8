package dev.loupe.engine.backend.nd4j;

/**
 * Whether the nd4j backend's SIMD loops (Java's Vector API, module {@code jdk.incubator.vector})
 * can run in this JVM. The launcher and the build add the module; a JVM started without it, or
 * with {@code -Dloupe.simd=false}, uses the scalar loops, which compute the same values up to the
 * order of summation. Classes that use the Vector API are only loaded when this is true.
 */
final class Simd {
    private Simd() {}

    static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && !"false".equals(System.getProperty("loupe.simd"));
}
