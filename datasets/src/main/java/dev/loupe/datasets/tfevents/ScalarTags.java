package dev.loupe.datasets.tfevents;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A fixed list of scalar tags, encoded once: the {@code Summary.Value} entries
 * {@code { tag = 1; simple_value = 2 }} of all of them, back to back, with the floats left zero,
 * and where each float sits. A recorder writes the same few hundred tags every step; with a
 * template, encoding a step's scalars ({@link ScalarBlock}) is one copy of the template and one
 * four-byte store per value, the same bytes {@link EventCodec} writes for the equivalent
 * {@link SummaryValue.Scalar}s.
 */
public final class ScalarTags {
    private static final VarHandle FLOAT_LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private final List<String> tags;
    private final byte[] template;
    /** Offset in {@link #template} of each tag's float. */
    private final int[] at;

    public ScalarTags(List<String> tags) {
        this.tags = List.copyOf(tags);
        int size = 0;
        int[] entry = new int[this.tags.size()];
        byte[][] utf8 = new byte[this.tags.size()][];
        for (int i = 0; i < entry.length; i++) {
            utf8[i] = this.tags.get(i).getBytes(StandardCharsets.UTF_8);
            entry[i] = CodedOutputStream.computeByteArraySize(1, utf8[i]) + CodedOutputStream.computeFloatSize(2, 0f);
            size += CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(entry[i]) + entry[i];
        }
        this.template = new byte[size];
        this.at = new int[entry.length];
        CodedOutputStream o = CodedOutputStream.newInstance(template);
        try {
            for (int i = 0; i < entry.length; i++) {
                o.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                o.writeUInt32NoTag(entry[i]);
                o.writeByteArray(1, utf8[i]);
                o.writeTag(2, WireFormat.WIRETYPE_FIXED32);
                at[i] = o.getTotalBytesWritten();
                o.writeFixed32NoTag(0);
            }
            o.checkNoSpaceLeft();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("scalar template size computed wrongly", e);
        }
    }

    public int size() {
        return tags.size();
    }

    public String tag(int i) {
        return tags.get(i);
    }

    /** Bytes of the encoded entries: what a {@link ScalarBlock} adds to a {@code Summary}. */
    int encodedSize() {
        return template.length;
    }

    /** Writes the entries with {@code values} into {@code out} from {@code off}. */
    void writeTo(byte[] out, int off, float[] values) {
        System.arraycopy(template, 0, out, off, template.length);
        for (int i = 0; i < at.length; i++) FLOAT_LE.set(out, off + at[i], values[i]);
    }
}
