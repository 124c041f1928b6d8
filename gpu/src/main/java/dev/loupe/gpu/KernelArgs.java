package dev.loupe.gpu;

/**
 * The parameters of one kernel launch, in order, with their C types: what {@code cuLaunchKernel}
 * needs as {@code void** kernelParams}.
 */
final class KernelArgs {
    /** The C type of a parameter. */
    enum Kind { PTR, I32, I64, F32, F64, BYTES }

    private Kind[] kinds = new Kind[16];
    private long[] bits = new long[16];
    private byte[][] blobs = new byte[16][];
    private int count;

    private KernelArgs add(Kind k, long v) {
        if (count == kinds.length) {
            kinds = java.util.Arrays.copyOf(kinds, count * 2);
            bits = java.util.Arrays.copyOf(bits, count * 2);
            blobs = java.util.Arrays.copyOf(blobs, count * 2);
        }
        kinds[count] = k;
        bits[count++] = v;
        return this;
    }

    /** A device pointer (0 for null). */
    KernelArgs ptr(long address) { return add(Kind.PTR, address); }

    KernelArgs i32(int v) { return add(Kind.I32, v); }

    KernelArgs i64(long v) { return add(Kind.I64, v); }

    KernelArgs f32(float v) { return add(Kind.F32, Float.floatToRawIntBits(v)); }

    KernelArgs f64(double v) { return add(Kind.F64, Double.doubleToRawLongBits(v)); }

    /** A struct passed by value: its bytes, laid out as the kernel's C struct is. */
    KernelArgs bytes(byte[] struct) {
        add(Kind.BYTES, struct.length);
        blobs[count - 1] = struct;
        return this;
    }

    /** The bytes of a {@link Kind#BYTES} parameter. */
    byte[] blob(int i) { return blobs[i]; }

    int count() { return count; }

    Kind kind(int i) { return kinds[i]; }

    /** The raw bits of parameter {@code i}: an address, an integer, or a float's/double's bits. */
    long bits(int i) { return bits[i]; }
}
