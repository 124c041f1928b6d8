package dev.loupe.engine;

/** A backend-owned fp32 buffer, or a window into one; only the backend that made it can use it. */
public interface Buf {
    /** Number of floats in this buffer or window. */
    long length();

    /** A window of {@code length} floats starting at {@code offset}, sharing this buffer's memory. */
    Buf slice(long offset, long length);
}
