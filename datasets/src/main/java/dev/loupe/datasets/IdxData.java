package dev.loupe.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Any image classification set in the MNIST file layout ({@code --dataset idx --data DIR}): MNIST,
 * KMNIST, Fashion-MNIST, or one's own, as the four files {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte} and
 * {@code t10k-labels-idx1-ubyte} (each gzipped or not). Images are unsigned bytes {N, rows, cols},
 * scaled to [0, 1]; the class count is one more than the largest training label. An optional
 * {@code classes.txt} beside them names the classes, one per line in label order.
 */
public final class IdxData {
    /** The optional file of class names. */
    public static final String CLASS_NAMES_FILE = "classes.txt";

    private IdxData() {}

    public static Dataset load(Path dir) {
        if (dir == null) throw new BadInputException("--dataset idx needs --data DIR, the folder holding the four IDX files");
        if (!Files.isDirectory(dir)) throw new BadInputException(dir + ": IDX folder not found");
        Path[] p = FashionMnist.files(dir, "--dataset idx");
        IdxArray trainX = IdxFiles.read(p[0]), trainY = IdxFiles.read(p[1]), testX = IdxFiles.read(p[2]), testY = IdxFiles.read(p[3]);
        if (trainY.dims().length != 1 || trainY.count() == 0) {
            throw new BadInputException(p[1] + ": expected a non-empty label vector {count}");
        }
        int classes = 0;
        for (byte b : trainY.data()) classes = Math.max(classes, Byte.toUnsignedInt(b) + 1);
        if (classes < 2) throw new BadInputException(p[1] + ": every training label is 0; a classifier needs at least 2 classes");
        List<String> names = classNames(dir, classes);
        IdxArray[] a = {trainX, trainY, testX, testY};
        String[] files = new String[4];
        for (int i = 0; i < 4; i++) files[i] = p[i].getFileName().toString();
        Dataset d = FashionMnist.build("idx", classes, a, files, "");
        String source = String.format("IDX images %dx%d, %d classes (%d train / %d test) from %s%s", d.inputShape()[0],
                d.inputShape()[1], classes, d.trainCount(), d.testCount(), dir.toAbsolutePath(),
                names == null ? "" : ", class names from " + CLASS_NAMES_FILE);
        return new Dataset(d.name(), source, d.inputShape(), classes, d.trainInputs(), d.trainTargets(), d.testInputs(), d.testTargets());
    }

    /**
     * The names in {@code dir/classes.txt} (blank lines and surrounding spaces dropped), or null
     * when there is no such file.
     *
     * @throws BadInputException when the file names fewer classes than {@code classes}
     */
    public static List<String> classNames(Path dir, int classes) {
        if (dir == null) return null;
        Path f = dir.resolve(CLASS_NAMES_FILE);
        if (!Files.isRegularFile(f)) return null;
        List<String> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) if (!line.isBlank()) names.add(line.strip());
        } catch (IOException e) {
            throw new BadInputException(f + ": cannot read: " + e.getMessage());
        }
        if (names.size() < classes) {
            throw new BadInputException(f + " names " + names.size() + " classes but the labels have " + classes);
        }
        return List.copyOf(names);
    }
}
