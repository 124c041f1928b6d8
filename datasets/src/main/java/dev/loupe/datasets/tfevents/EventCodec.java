package dev.loupe.datasets.tfevents;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Encodes and decodes TensorBoard's {@code Event} protos by hand with protobuf-java's wire codec
 * (no generated classes). The subset used:
 * <pre>
 * Event          { double wall_time = 1; int64 step = 2; string file_version = 3; Summary summary = 5; }
 * Summary        { repeated Value value = 1; }
 * Summary.Value  { string tag = 1; float simple_value = 2; HistogramProto histo = 5; }
 * HistogramProto { double min = 1, max = 2, num = 3, sum = 4, sum_squares = 5;
 *                  repeated double bucket_limit = 6 [packed]; repeated double bucket = 7 [packed]; }
 * </pre>
 * Unknown fields (images, tensors, graph defs written by other tools) are skipped when decoding.
 */
public final class EventCodec {
    private EventCodec() {}

    private static final int LEN = WireFormat.WIRETYPE_LENGTH_DELIMITED;
    /**
     * Tags as UTF-8, by tag: a recorder writes the same few hundred tags every step, so each is
     * encoded once (cleared when it outgrows {@link #TAG_CACHE}, e.g. in a long-lived process
     * writing many different tags).
     */
    private static final ConcurrentHashMap<String, ByteString> TAGS =
            new ConcurrentHashMap<>();
    private static final int TAG_CACHE = 16_384;

    private static ByteString tag(String t) {
        ByteString b = TAGS.get(t);
        if (b == null) {
            if (TAGS.size() >= TAG_CACHE) TAGS.clear();
            b = ByteString.copyFromUtf8(t);
            TAGS.put(t, b);
        }
        return b;
    }

    /** The serialized {@code Event}. */
    public static byte[] encode(TfEvent e) {
        int summary = 0;
        int[] sizes = new int[e.values().size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = valueSize(e.values().get(i));
            summary += CodedOutputStream.computeTagSize(1) + CodedOutputStream.computeUInt32SizeNoTag(sizes[i]) + sizes[i];
        }
        ScalarBlock block = e.scalars();
        if (block != null) summary += block.tags().encodedSize();
        int size = CodedOutputStream.computeDoubleSize(1, e.wallTime()) + CodedOutputStream.computeInt64Size(2, e.step());
        if (e.fileVersion() != null) size += CodedOutputStream.computeStringSize(3, e.fileVersion());
        boolean hasSummary = !e.values().isEmpty() || block != null;
        if (hasSummary) size += CodedOutputStream.computeTagSize(5) + CodedOutputStream.computeUInt32SizeNoTag(summary) + summary;
        byte[] out = new byte[size];
        // the block's entries (if any) take the end of the array; the stream writes everything before them
        int streamed = size - (block == null ? 0 : block.tags().encodedSize());
        CodedOutputStream o = CodedOutputStream.newInstance(out, 0, streamed);
        try {
            o.writeDouble(1, e.wallTime());
            o.writeInt64(2, e.step());
            if (e.fileVersion() != null) o.writeString(3, e.fileVersion());
            if (hasSummary) {
                o.writeTag(5, LEN);
                o.writeUInt32NoTag(summary);
                for (int i = 0; i < sizes.length; i++) {
                    o.writeTag(1, LEN);
                    o.writeUInt32NoTag(sizes[i]);
                    writeValue(o, e.values().get(i));
                }
            }
            o.checkNoSpaceLeft();
            if (block != null) block.tags().writeTo(out, streamed, block.values());
        } catch (IOException ex) {
            throw new IllegalStateException("event size computed wrongly", ex);
        }
        return out;
    }

    private static int valueSize(SummaryValue v) {
        int tag = CodedOutputStream.computeBytesSize(1, tag(v.tag()));
        return switch (v) {
            case SummaryValue.Scalar s -> tag + CodedOutputStream.computeFloatSize(2, s.value());
            case SummaryValue.Histo h -> {
                int hs = histoSize(h.histogram());
                yield tag + CodedOutputStream.computeTagSize(5) + CodedOutputStream.computeUInt32SizeNoTag(hs) + hs;
            }
        };
    }

    private static int histoSize(Histogram h) {
        return 5 * CodedOutputStream.computeDoubleSize(1, 0) + packedSize(6, h.bucketLimit().length) + packedSize(7, h.bucket().length);
    }

    private static int packedSize(int field, int n) {
        return n == 0 ? 0 : CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(8 * n) + 8 * n;
    }

    private static void writeValue(CodedOutputStream o, SummaryValue v) throws IOException {
        o.writeBytes(1, tag(v.tag()));
        switch (v) {
            case SummaryValue.Scalar s -> o.writeFloat(2, s.value());
            case SummaryValue.Histo hv -> {
                Histogram h = hv.histogram();
                o.writeTag(5, LEN);
                o.writeUInt32NoTag(histoSize(h));
                o.writeDouble(1, h.min());
                o.writeDouble(2, h.max());
                o.writeDouble(3, h.num());
                o.writeDouble(4, h.sum());
                o.writeDouble(5, h.sumSquares());
                writePacked(o, 6, h.bucketLimit());
                writePacked(o, 7, h.bucket());
            }
        }
    }

    private static void writePacked(CodedOutputStream o, int field, double[] xs) throws IOException {
        if (xs.length == 0) return;
        o.writeTag(field, LEN);
        o.writeUInt32NoTag(8 * xs.length);
        for (double x : xs) o.writeDoubleNoTag(x);
    }

    /**
     * Decodes an {@code Event}; values other than scalars and histograms are skipped.
     *
     * @throws IOException when the bytes are not a valid protobuf message
     */
    public static TfEvent decode(byte[] payload) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(payload);
        double wall = 0;
        long step = 0;
        String version = null;
        List<SummaryValue> values = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_FIXED64 -> wall = in.readDouble();
                case (2 << 3) | WireFormat.WIRETYPE_VARINT -> step = in.readInt64();
                case (3 << 3) | LEN -> version = in.readString();
                case (5 << 3) | LEN -> {
                    int limit = in.pushLimit(in.readRawVarint32());
                    readSummary(in, values);
                    in.popLimit(limit);
                }
                default -> in.skipField(tag);
            }
        }
        return new TfEvent(wall, step, version, values);
    }

    private static void readSummary(CodedInputStream in, List<SummaryValue> values) throws IOException {
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag != ((1 << 3) | LEN)) {
                in.skipField(tag);
                continue;
            }
            int limit = in.pushLimit(in.readRawVarint32());
            String name = "";
            Float simple = null;
            Histogram histo = null;
            for (int t; (t = in.readTag()) != 0; ) {
                switch (t) {
                    case (1 << 3) | LEN -> name = in.readString();
                    case (2 << 3) | WireFormat.WIRETYPE_FIXED32 -> simple = in.readFloat();
                    case (5 << 3) | LEN -> {
                        int l = in.pushLimit(in.readRawVarint32());
                        histo = readHisto(in);
                        in.popLimit(l);
                    }
                    default -> in.skipField(t);
                }
            }
            in.popLimit(limit);
            if (histo != null) values.add(new SummaryValue.Histo(name, histo));
            else if (simple != null) values.add(new SummaryValue.Scalar(name, simple));
        }
    }

    private static Histogram readHisto(CodedInputStream in) throws IOException {
        double[] f = new double[5];
        DoubleList limits = new DoubleList(), buckets = new DoubleList();
        for (int t; (t = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(t), type = WireFormat.getTagWireType(t);
            if (field >= 1 && field <= 5 && type == WireFormat.WIRETYPE_FIXED64) {
                f[field - 1] = in.readDouble();
            } else if ((field == 6 || field == 7) && type == LEN) {
                int l = in.pushLimit(in.readRawVarint32());
                while (in.getBytesUntilLimit() > 0) (field == 6 ? limits : buckets).add(in.readDouble());
                in.popLimit(l);
            } else if ((field == 6 || field == 7) && type == WireFormat.WIRETYPE_FIXED64) {
                (field == 6 ? limits : buckets).add(in.readDouble());
            } else {
                in.skipField(t);
            }
        }
        if (limits.size != buckets.size) throw new IOException("histogram has " + limits.size + " limits but " + buckets.size + " buckets");
        return new Histogram(f[0], f[1], f[2], f[3], f[4], limits.toArray(), buckets.toArray());
    }

    private static final class DoubleList {
        double[] xs = new double[32];
        int size;

        void add(double x) {
            if (size == xs.length) xs = java.util.Arrays.copyOf(xs, size * 2);
            xs[size++] = x;
        }

        double[] toArray() {
            return java.util.Arrays.copyOf(xs, size);
        }
    }
}
