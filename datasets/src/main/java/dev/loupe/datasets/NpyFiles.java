package dev.loupe.datasets;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy .npy files (format 1.0/2.0, per numpy.lib.format): writes float32
 * little-endian C order atomically; reads {@code <f4 <f8 |u1 <i4 <i8} (and a few 1-byte aliases)
 * into floats, rejecting Fortran order and big-endian data with a clear message.
 */
public final class NpyFiles {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([^'\"]*)['\"]");
    private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

    private NpyFiles() {}

    /** Reads a .npy file into floats (float64 and int64 values are rounded to the nearest float). */
    public static NpyArray read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return parse(file.getFileName().toString(), bytes);
    }

    /** Parses the bytes of a .npy file; {@code name} is used in error messages. */
    public static NpyArray parse(String name, byte[] bytes) {
        if (bytes.length < 10 || !Arrays.equals(bytes, 0, 6, MAGIC, 0, 6)) {
            throw new BadInputException(name + ": not a .npy file (missing \\x93NUMPY magic)");
        }
        int major = bytes[6];
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int headerStart;
        switch (major) {
            case 1 -> { headerLen = Short.toUnsignedInt(bb.getShort(8)); headerStart = 10; }
            case 2, 3 -> {
                if (bytes.length < 12) throw new BadInputException(name + ": truncated .npy header");
                headerLen = Integer.toUnsignedLong(bb.getInt(8));
                headerStart = 12;
            }
            default -> throw new BadInputException(name + ": unsupported .npy format version " + major + "." + bytes[7]);
        }
        if (headerStart + headerLen > bytes.length) {
            throw new BadInputException(name + ": truncated: header declares " + headerLen + " bytes, file has " + bytes.length);
        }
        String header = new String(bytes, headerStart, (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(name, DESCR, header, "descr");
        if (group(name, FORTRAN, header, "fortran_order").equals("True")) {
            throw new BadInputException(name + ": Fortran-order arrays are not supported; save with np.ascontiguousarray(a)");
        }
        int[] shape = parseShape(name, group(name, SHAPE, header, "shape"));
        int itemSize = itemSize(name, descr);
        long count = 1;
        for (int s : shape) count *= s;
        int dataStart = (int) (headerStart + headerLen);
        long expected = dataStart + count * itemSize;
        if (bytes.length < expected) {
            throw new BadInputException(name + ": truncated: expected " + expected + " bytes for shape "
                    + Arrays.toString(shape) + " of " + descr + ", found " + bytes.length);
        }
        if (bytes.length > expected) {
            throw new BadInputException(name + ": " + (bytes.length - expected) + " trailing bytes after the data");
        }
        float[] data = new float[(int) count];
        ByteBuffer d = ByteBuffer.wrap(bytes, dataStart, (int) (count * itemSize)).slice().order(ByteOrder.LITTLE_ENDIAN);
        switch (descr.substring(1)) {
            case "f4" -> d.asFloatBuffer().get(data);
            case "f8" -> { for (int i = 0; i < data.length; i++) data[i] = (float) d.getDouble(i * 8); }
            case "u1" -> { for (int i = 0; i < data.length; i++) data[i] = Byte.toUnsignedInt(d.get(i)); }
            case "i1" -> { for (int i = 0; i < data.length; i++) data[i] = d.get(i); }
            case "b1" -> { for (int i = 0; i < data.length; i++) data[i] = d.get(i) != 0 ? 1 : 0; }
            case "i4" -> { for (int i = 0; i < data.length; i++) data[i] = d.getInt(i * 4); }
            case "i8" -> { for (int i = 0; i < data.length; i++) data[i] = (float) d.getLong(i * 8); }
            default -> throw new AssertionError(descr);
        }
        return new NpyArray(shape, data);
    }

    private static String group(String name, Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) throw new BadInputException(name + ": .npy header has no valid '" + key + "': " + header.strip());
        return m.group(1);
    }

    private static int[] parseShape(String name, String text) {
        String[] parts = text.split(",");
        int[] shape = new int[parts.length];
        int k = 0;
        long count = 1;
        for (String part : parts) {
            String t = part.strip();
            if (t.isEmpty()) continue; // "(5,)" and "()"
            try {
                shape[k] = Integer.parseInt(t.endsWith("L") ? t.substring(0, t.length() - 1) : t);
            } catch (NumberFormatException e) {
                throw new BadInputException(name + ": bad .npy shape (" + text + ")");
            }
            if (shape[k] < 0) throw new BadInputException(name + ": negative size in .npy shape (" + text + ")");
            count *= shape[k++];
            if (count > Integer.MAX_VALUE - 16) throw new BadInputException(name + ": .npy shape (" + text + ") exceeds 2^31 elements");
        }
        return Arrays.copyOf(shape, k);
    }

    private static int itemSize(String name, String descr) {
        if (descr.length() >= 2 && descr.charAt(0) == '>' && !descr.endsWith("1")) {
            throw new BadInputException(name + ": big-endian data ('" + descr + "') is not supported; save with a.astype('<"
                    + descr.substring(1) + "')");
        }
        return switch (descr) {
            case "<f4" -> 4;
            case "<f8" -> 8;
            case "|u1", "<u1", ">u1", "|i1", "<i1", ">i1", "|b1" -> 1;
            case "<i4" -> 4;
            case "<i8" -> 8;
            default -> throw new BadInputException(name + ": unsupported .npy dtype '" + descr
                    + "'; supported: <f4, <f8, |u1, |i1, |b1, <i4, <i8");
        };
    }

    /** Writes {@code a} as a float32 .npy file atomically (temp file, fsync, rename). */
    public static void write(Path file, NpyArray a) {
        AtomicFiles.write(file, out -> write(out, a));
    }

    /** Writes {@code a} as float32 .npy bytes to a stream (for callers that manage atomicity themselves). */
    public static void write(OutputStream out, NpyArray a) throws IOException {
        out.write(header(a.shape()));
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        float[] data = a.data();
        for (int i = 0; i < data.length; ) {
            int n = Math.min(buf.capacity() / 4, data.length - i);
            buf.clear();
            buf.asFloatBuffer().put(data, i, n);
            out.write(buf.array(), 0, n * 4);
            i += n;
        }
    }

    /** The .npy preamble and header for a float32 array: version 1.0 unless the header needs 2.0. */
    static byte[] header(int[] shape) {
        StringBuilder s = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? ", " : "").append(shape[i]);
        s.append(shape.length == 1 ? ",), }" : "), }");
        int pre = 10;
        int total = pre + s.length() + 1;
        int padded = (total + 63) / 64 * 64; // numpy aligns the data start to 64 bytes
        if (padded - pre > 0xFFFF) {
            pre = 12;
            padded = (pre + s.length() + 1 + 63) / 64 * 64;
        }
        s.append(" ".repeat(padded - pre - s.length() - 1)).append('\n');
        ByteBuffer b = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) (pre == 10 ? 1 : 2)).put((byte) 0);
        if (pre == 10) b.putShort((short) (padded - pre)); else b.putInt(padded - pre);
        b.put(s.toString().getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }
}
