package dev.loupe.engine.landscape;

import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Reads the parameter snapshots a {@link SnapshotKeeper} left in {@code RUN/snapshots}. */
public final class Snapshots {
    private Snapshots() {}

    /** Steps with a snapshot file in {@code dir}, ascending (empty when the folder is missing). */
    public static List<Long> steps(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("step-\\d+\\.npy"))
                    .map(n -> Long.parseLong(n.substring(5, n.length() - 4))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The snapshot of {@code step} of the run in {@code runDir}, checked against the model's size. */
    public static float[] read(Path runDir, long step, long paramCount) {
        Path f = runDir.resolve("snapshots").resolve("step-" + step + ".npy");
        if (!Files.isRegularFile(f)) {
            throw new BadInputException("run " + runDir + " has no parameter snapshot of step " + step
                    + " (train it with snapshots on: loupe train --snapshots 64)");
        }
        NpyArray a = NpyFiles.read(f);
        if (a.data().length != paramCount) {
            throw new BadInputException(f + " holds " + a.data().length + " parameters; the model has " + paramCount);
        }
        return a.data();
    }
}
