package dev.loupe.datasets.tfevents;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard event files. Each record is
 * {@code uint64 length (LE) · uint32 masked_crc32c(length bytes) · payload · uint32 masked_crc32c(payload)},
 * where CRC-32C is the Castagnoli polynomial and the mask is
 * {@code ((crc >>> 15) | (crc << 17)) + 0xa282ead8} (so that a CRC of data that itself holds CRCs
 * does not look trivially valid).
 */
public final class TfRecords {
    private TfRecords() {}

    /** Bytes before the payload: the length and its CRC. */
    public static final int HEADER = 12;
    /** Bytes after the payload: its CRC. */
    public static final int FOOTER = 4;

    private static final int MASK_DELTA = 0xa282ead8;

    /** The masked CRC-32C of {@code data[off..off+len)}. */
    public static int maskedCrc(byte[] data, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(data, off, len);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    /** One framed record holding {@code payload}. */
    public static byte[] frame(byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length + FOOTER).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(payload.length);
        b.putInt(maskedCrc(b.array(), 0, 8));
        b.put(payload);
        b.putInt(maskedCrc(payload, 0, payload.length));
        return b.array();
    }
}
