package dev.loupe.engine.backend.nd4j;

import dev.loupe.engine.Buf;
import java.lang.foreign.MemorySegment;

/**
 * A window of off-heap fp32 memory: the segment is created once per buffer or slice, so ops pass
 * it straight to OpenBLAS and loops without building views per call.
 */
record NativeBuf(MemorySegment seg, long length, Object owner) implements Buf {
    @Override
    public Buf slice(long offset, long len) {
        if (offset < 0 || len < 0 || offset + len > length) {
            throw new IndexOutOfBoundsException("slice " + offset + "+" + len + " of " + length);
        }
        return new NativeBuf(seg.asSlice(offset * Float.BYTES, len * Float.BYTES), len, owner);
    }

    @Override
    public String toString() {
        return "NativeBuf[" + length + " floats @0x" + Long.toHexString(seg.address()) + "]";
    }
}
