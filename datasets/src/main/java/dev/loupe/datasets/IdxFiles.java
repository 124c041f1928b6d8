package dev.loupe.datasets;

import java.io.BufferedInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes IDX files (MNIST, Fashion-MNIST), raw or gzip-compressed, validating every
 * header field and the exact length so that a damaged download fails with one clear line.
 */
public final class IdxFiles {
    private static final int UBYTE = 0x08;
    private static final int MAX_DIMS = 8;

    private IdxFiles() {}

    /** Reads an IDX file; gzip is recognised by its magic bytes (1f 8b), not by the file name. */
    public static IdxArray read(Path file) {
        String name = file.getFileName().toString();
        try (InputStream in = Files.newInputStream(file)) {
            return read(name, in);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads an IDX stream; {@code name} is used in error messages. Does not close {@code raw}. */
    public static IdxArray read(String name, InputStream raw) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        InputStream in = buffered;
        if (gzip) {
            try {
                in = new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
            } catch (ZipException | EOFException e) {
                throw new BadInputException(name + ": not a valid gzip file (" + e.getMessage() + ")");
            }
        }
        try {
            return readBody(name, in);
        } catch (ZipException | EOFException e) {
            if (!gzip) throw e;
            throw new BadInputException(name + ": corrupt or truncated gzip data (" + e.getMessage() + ")");
        }
    }

    private static IdxArray readBody(String name, InputStream in) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new BadInputException(name + ": truncated: expected a 4-byte IDX header, found " + magic.length + " bytes");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new BadInputException(String.format(
                    "%s: not an IDX file: magic must start with two zero bytes, found %02x %02x", name, magic[0], magic[1]));
        }
        int type = Byte.toUnsignedInt(magic[2]);
        int ndims = Byte.toUnsignedInt(magic[3]);
        if (type != UBYTE) {
            throw new BadInputException(String.format(
                    "%s: unsupported IDX element type 0x%02x (%s); only 0x08 unsigned byte is supported",
                    name, type, typeName(type)));
        }
        if (ndims < 1 || ndims > MAX_DIMS) {
            throw new BadInputException(name + ": IDX header declares " + ndims + " dimensions; expected 1.." + MAX_DIMS);
        }
        byte[] dimBytes = in.readNBytes(4 * ndims);
        if (dimBytes.length < 4 * ndims) {
            throw new BadInputException(name + ": truncated: header declares " + ndims + " dimensions but ends after "
                    + (4 + dimBytes.length) + " bytes");
        }
        ByteBuffer bb = ByteBuffer.wrap(dimBytes); // big-endian, as IDX specifies
        int[] dims = new int[ndims];
        long count = 1;
        for (int i = 0; i < ndims; i++) {
            dims[i] = bb.getInt();
            if (dims[i] <= 0) {
                throw new BadInputException(name + ": dimension " + i + " has size " + Integer.toUnsignedString(dims[i])
                        + "; sizes must be between 1 and " + Integer.MAX_VALUE);
            }
            count *= dims[i];
            if (count > Integer.MAX_VALUE - 16) {
                throw new BadInputException(name + ": dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                        + " describe more than 2^31 elements");
            }
        }
        long expected = 4L + 4L * ndims + count;
        byte[] data = in.readNBytes((int) count);
        if (data.length < count) {
            throw new BadInputException(name + ": truncated: expected " + expected + " bytes"
                    + " (dims " + Arrays.toString(dims) + "), found " + (4L + 4L * ndims + data.length));
        }
        long extra = in.transferTo(java.io.OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new BadInputException(name + ": " + extra + " trailing bytes after the " + expected
                    + " bytes that dims " + Arrays.toString(dims) + " describe");
        }
        return new IdxArray(dims, data);
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x08 -> "unsigned byte";
            case 0x09 -> "signed byte";
            case 0x0B -> "short";
            case 0x0C -> "int";
            case 0x0D -> "float";
            case 0x0E -> "double";
            default -> "not an IDX type";
        };
    }

    /**
     * Checks that an image file and a label file belong together: images are {N, rows, cols},
     * labels are {N}, and every label is in [0, numClasses).
     */
    public static void checkImagesAndLabels(String imagesName, IdxArray images, String labelsName, IdxArray labels,
                                            int numClasses) {
        if (images.dims().length != 3) {
            throw new BadInputException(imagesName + ": expected 3 dimensions {count, rows, cols}, found "
                    + Arrays.toString(images.dims()));
        }
        if (labels.dims().length != 1) {
            throw new BadInputException(labelsName + ": expected 1 dimension {count}, found "
                    + Arrays.toString(labels.dims()));
        }
        if (images.count() != labels.count()) {
            throw new BadInputException(imagesName + " has " + images.count() + " images but " + labelsName
                    + " has " + labels.count() + " labels");
        }
        byte[] l = labels.data();
        for (int i = 0; i < l.length; i++) {
            int v = Byte.toUnsignedInt(l[i]);
            if (v >= numClasses) {
                throw new BadInputException(labelsName + ": label " + v + " at index " + i + " is outside [0, "
                        + numClasses + ")");
            }
        }
    }

    /** Writes an IDX file of unsigned bytes atomically, gzip-compressed (level 9) when {@code gzip}. */
    public static void write(Path file, IdxArray array, boolean gzip) {
        AtomicFiles.write(file, out -> {
            if (gzip) {
                GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
                    { def.setLevel(Deflater.BEST_COMPRESSION); }
                };
                writeRaw(gz, array);
                gz.finish();
            } else {
                writeRaw(out, array);
            }
        });
    }

    private static void writeRaw(java.io.OutputStream out, IdxArray array) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.write(new byte[] {0, 0, UBYTE, (byte) array.dims().length});
        for (int d : array.dims()) data.writeInt(d);
        data.write(array.data());
        data.flush();
    }
}
