package dev.loupe.gpu;

import dev.loupe.engine.Buf;

/** A window of {@code length} floats of device memory starting at {@code address}. */
record CudaBuf(Object owner, long address, long length) implements Buf {
    @Override
    public Buf slice(long offset, long length) {
        if (offset < 0 || length < 0 || offset + length > this.length) {
            throw new IndexOutOfBoundsException("slice " + offset + "+" + length + " of " + this.length);
        }
        return new CudaBuf(owner, address + offset * Float.BYTES, length);
    }
}
