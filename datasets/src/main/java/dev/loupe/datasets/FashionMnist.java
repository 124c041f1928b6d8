package dev.loupe.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads Fashion-MNIST (28x28 greyscale clothing, 10 classes) from a given folder, else the system
 * copy, else the class-balanced subset embedded in this jar; pixels are scaled to [0, 1].
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Class names in label order. */
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final int NUM_CLASSES = 10;

    static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    static final String EMBEDDED = "/dev/loupe/datasets/fashion-mnist-subset/";

    private FashionMnist() {}

    /**
     * Loads from {@code dirOrNull} when given (all four files must be there, gzipped or not);
     * otherwise from {@link #SYSTEM_DIR} if complete; otherwise the embedded subset.
     */
    public static Dataset load(Path dirOrNull) {
        return load(dirOrNull, SYSTEM_DIR);
    }

    static Dataset load(Path dirOrNull, Path systemDir) {
        if (dirOrNull != null) return loadDir(dirOrNull, "given folder");
        if (FILES.stream().allMatch(f -> Files.isRegularFile(systemDir.resolve(f)))) {
            return loadDir(systemDir, "system copy");
        }
        return loadEmbedded();
    }

    /** Loads the four IDX files from {@code dir}; each may be stored with or without ".gz". */
    public static Dataset loadDir(Path dir, String what) {
        if (!Files.isDirectory(dir)) throw new BadInputException(dir + ": Fashion-MNIST folder not found");
        Path[] paths = files(dir, "Fashion-MNIST");
        IdxArray[] a = new IdxArray[4];
        for (int i = 0; i < 4; i++) a[i] = IdxFiles.read(paths[i]);
        Dataset d = build(a, paths[0].getFileName().toString(), paths[1].getFileName().toString(),
                paths[2].getFileName().toString(), paths[3].getFileName().toString(), "");
        String source = "Fashion-MNIST " + (d.trainCount() == 60000 && d.testCount() == 10000 ? "full " : "")
                + "(" + d.trainCount() + " train / " + d.testCount() + " test) from " + what + " " + dir.toAbsolutePath();
        return withSource(d, source);
    }

    /**
     * The four MNIST-layout files in {@code dir} (train/t10k images and labels), each stored with or
     * without ".gz"; {@code kind} names the data in the message when one is missing.
     */
    static Path[] files(Path dir, String kind) {
        Path[] paths = new Path[FILES.size()];
        for (int i = 0; i < paths.length; i++) {
            String gz = FILES.get(i);
            Path p = dir.resolve(gz);
            if (!Files.isRegularFile(p)) p = dir.resolve(gz.substring(0, gz.length() - 3));
            if (!Files.isRegularFile(p)) {
                throw new BadInputException(dir + ": missing " + gz + " (" + kind + " needs " + String.join(", ", FILES)
                        + ", each gzipped or not)");
            }
            paths[i] = p;
        }
        return paths;
    }

    /** Loads the subset shipped in this jar (1,000 train and 200 test images per class). */
    public static Dataset loadEmbedded() {
        IdxArray[] a = new IdxArray[4];
        for (int i = 0; i < 4; i++) {
            String res = EMBEDDED + FILES.get(i);
            try (InputStream in = FashionMnist.class.getResourceAsStream(res)) {
                if (in == null) throw new IllegalStateException("embedded resource missing from the jar: " + res);
                a[i] = IdxFiles.read(FILES.get(i), in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Dataset d = build(a, TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS, "");
        return withSource(d, "Fashion-MNIST embedded subset (" + d.trainCount() + " train / " + d.testCount()
                + " test, class-balanced, from the first images of each class; MIT, Zalando SE)");
    }

    private static Dataset withSource(Dataset d, String source) {
        return new Dataset(d.name(), source, d.inputShape(), d.numClasses(), d.trainInputs(), d.trainTargets(),
                d.testInputs(), d.testTargets());
    }

    private static Dataset build(IdxArray[] a, String trImg, String trLbl, String teImg, String teLbl, String source) {
        return build("fashion-mnist", NUM_CLASSES, a, new String[] {trImg, trLbl, teImg, teLbl}, source);
    }

    /**
     * A classification set from IDX arrays (train images, train labels, test images, test labels;
     * {@code names} the files they came from): labels checked against {@code classes}, pixels
     * scaled to [0, 1], test images the size of the training images.
     */
    static Dataset build(String name, int classes, IdxArray[] a, String[] names, String source) {
        IdxFiles.checkImagesAndLabels(names[0], a[0], names[1], a[1], classes);
        IdxFiles.checkImagesAndLabels(names[2], a[2], names[3], a[3], classes);
        int[] dims = a[0].dims();
        if (a[2].dims()[1] != dims[1] || a[2].dims()[2] != dims[2]) {
            throw new BadInputException(names[2] + ": images are " + a[2].dims()[1] + "x" + a[2].dims()[2] + " but "
                    + names[0] + " has " + dims[1] + "x" + dims[2]);
        }
        return new Dataset(name, source, new int[] {dims[1], dims[2], 1}, classes,
                pixels(a[0]), labels(a[1]), pixels(a[2]), labels(a[3]));
    }

    private static float[] pixels(IdxArray a) {
        byte[] b = a.data();
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) f[i] = Byte.toUnsignedInt(b[i]) / 255f;
        return f;
    }

    private static float[] labels(IdxArray a) {
        byte[] b = a.data();
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) f[i] = Byte.toUnsignedInt(b[i]);
        return f;
    }
}
