package dev.loupe.datasets.tfevents;

import dev.loupe.datasets.BadInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads TensorBoard event files. Every complete record is returned; a torn or corrupt <em>last</em>
 * record (the process was killed mid-write) is skipped with a warning. A record that fails its CRC
 * with valid-looking data after it is corruption, not a torn tail, and ends reading with a
 * {@link BadInputException} naming the file and byte offset.
 */
public final class TfEventReader {
    private TfEventReader() {}

    /** The events of one or more files, in file order, and what was skipped. */
    public record Result(List<TfEvent> events, List<String> warnings) {}

    /** Reads one event file. */
    public static Result read(Path file) {
        byte[] data;
        try {
            data = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BadInputException("cannot read event file " + file + ": " + e.getMessage(), e);
        }
        List<TfEvent> events = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        while (pos < data.length) {
            int left = data.length - pos;
            if (left < TfRecords.HEADER) {
                warnings.add(torn(file, pos, "only " + left + " bytes of a record header"));
                break;
            }
            long len = b.getLong(pos);
            if (b.getInt(pos + 8) != TfRecords.maskedCrc(data, pos, 8)) {
                if (allZero(data, pos)) {
                    warnings.add(torn(file, pos, "zero-filled tail"));
                    break;
                }
                throw new BadInputException("corrupt event file " + file + ": bad length CRC at byte offset " + pos);
            }
            long end = pos + TfRecords.HEADER + len + TfRecords.FOOTER;
            if (len < 0 || end > data.length) {
                warnings.add(torn(file, pos, "record of " + len + " bytes but only " + (left - TfRecords.HEADER) + " left"));
                break;
            }
            int start = pos + TfRecords.HEADER, n = (int) len;
            if (b.getInt(start + n) != TfRecords.maskedCrc(data, start, n)) {
                if (end == data.length) {
                    warnings.add(torn(file, pos, "bad payload CRC in the last record"));
                    break;
                }
                throw new BadInputException("corrupt event file " + file + ": bad payload CRC in the record at byte offset " + pos);
            }
            byte[] payload = new byte[n];
            System.arraycopy(data, start, payload, 0, n);
            try {
                events.add(EventCodec.decode(payload));
            } catch (IOException | RuntimeException e) {
                throw new BadInputException("corrupt event file " + file + ": record at byte offset " + pos
                        + " is not an Event proto (" + e.getMessage() + ")", e);
            }
            pos = (int) end;
        }
        return new Result(events, warnings);
    }

    private static String torn(Path file, int pos, String why) {
        return "skipped a torn last record in " + file + " at byte offset " + pos + " (" + why + "; was the writer killed?)";
    }

    private static boolean allZero(byte[] data, int from) {
        for (int i = from; i < data.length; i++) if (data[i] != 0) return false;
        return true;
    }

    /** The event files of a folder ({@code *tfevents*}), oldest first by the time in their names. */
    public static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) throw new BadInputException("no event folder " + dir + " (was the run recorded with --record off?)");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().contains("tfevents") && Files.isRegularFile(p))
                    .sorted(Comparator.comparingLong(TfEventReader::timeOf).thenComparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new BadInputException("cannot list event folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long timeOf(Path p) {
        String[] parts = p.getFileName().toString().split("\\.");
        for (int i = 0; i + 1 < parts.length; i++) {
            if (parts[i].equals("tfevents")) {
                try {
                    return Long.parseLong(parts[i + 1]);
                } catch (NumberFormatException e) {
                    return Long.MAX_VALUE;
                }
            }
        }
        return Long.MAX_VALUE;
    }

    /** Reads every event file of a folder, oldest first. */
    public static Result readDir(Path dir) {
        List<TfEvent> events = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path f : files(dir)) {
            Result r = read(f);
            events.addAll(r.events());
            warnings.addAll(r.warnings());
        }
        return new Result(events, warnings);
    }
}
