package dev.loupe.datasets;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Generates the embedded Fashion-MNIST subset: the first 1,000 training and first 200 test images
 * of each class, kept in file order, written as level-9 gzip IDX. Deterministic, so re-running it
 * on the official files reproduces the committed resources byte for byte. Run (see
 * scripts/make-fashion-mnist-subset.sh):
 * {@code java -cp datasets/target/classes dev.loupe.datasets.FashionMnistSubset SRC_DIR OUT_DIR}
 */
public final class FashionMnistSubset {
    public static final int TRAIN_PER_CLASS = 1000;
    public static final int TEST_PER_CLASS = 200;

    private FashionMnistSubset() {}

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: FashionMnistSubset SOURCE_DIR OUT_DIR");
            System.exit(2);
        }
        Path src = Path.of(args[0]);
        Path out = Path.of(args[1]);
        write(src, out, FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, TRAIN_PER_CLASS);
        write(src, out, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS, TEST_PER_CLASS);
    }

    private static void write(Path src, Path out, String imagesName, String labelsName, int perClass) {
        IdxArray images = IdxFiles.read(src.resolve(imagesName));
        IdxArray labels = IdxFiles.read(src.resolve(labelsName));
        IdxFiles.checkImagesAndLabels(imagesName, images, labelsName, labels, FashionMnist.NUM_CLASSES);
        int[] keep = firstPerClass(labels.data(), FashionMnist.NUM_CLASSES, perClass);
        IdxArray[] subset = select(images, labels, keep);
        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        IdxFiles.write(out.resolve(imagesName), subset[0], true);
        IdxFiles.write(out.resolve(labelsName), subset[1], true);
    }

    /** Indices (ascending) of the first {@code perClass} samples of every class; fails if a class has fewer. */
    public static int[] firstPerClass(byte[] labels, int numClasses, int perClass) {
        int[] seen = new int[numClasses];
        int[] keep = new int[numClasses * perClass];
        int k = 0;
        for (int i = 0; i < labels.length && k < keep.length; i++) {
            int c = Byte.toUnsignedInt(labels[i]);
            if (seen[c] < perClass) {
                seen[c]++;
                keep[k++] = i;
            }
        }
        if (k < keep.length) throw new BadInputException("fewer than " + perClass + " samples in some class");
        return keep;
    }

    /** Gathers the chosen items of an {N,rows,cols} image array and its {N} label array. */
    static IdxArray[] select(IdxArray images, IdxArray labels, int[] keep) {
        int item = images.itemSize();
        byte[] img = new byte[keep.length * item];
        byte[] lbl = new byte[keep.length];
        for (int j = 0; j < keep.length; j++) {
            System.arraycopy(images.data(), keep[j] * item, img, j * item, item);
            lbl[j] = labels.data()[keep[j]];
        }
        int[] dims = images.dims().clone();
        dims[0] = keep.length;
        return new IdxArray[] {new IdxArray(dims, img), new IdxArray(new int[] {keep.length}, lbl)};
    }
}
