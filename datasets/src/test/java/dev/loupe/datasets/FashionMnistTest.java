package dev.loupe.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir Path dir;

    /** Writes a tiny, valid Fashion-MNIST-shaped folder: n images of 28x28, label i % 10. */
    private Path tinyCopy(Path folder, int nTrain, int nTest, boolean gzip) {
        for (String split : new String[] {"train", "t10k"}) {
            int n = split.equals("train") ? nTrain : nTest;
            byte[] px = new byte[n * 784];
            byte[] lb = new byte[n];
            for (int i = 0; i < n; i++) {
                lb[i] = (byte) (i % 10);
                px[i * 784] = (byte) 255;
                px[i * 784 + 1] = (byte) 51;
            }
            String suffix = gzip ? ".gz" : "";
            IdxFiles.write(folder.resolve(split + "-images-idx3-ubyte" + suffix), new IdxArray(new int[] {n, 28, 28}, px), gzip);
            IdxFiles.write(folder.resolve(split + "-labels-idx1-ubyte" + suffix), new IdxArray(new int[] {n}, lb), gzip);
        }
        return folder;
    }

    @Test
    void explicitFolderIsUsedAndPixelsAreScaledToUnitRange() {
        Dataset d = FashionMnist.load(tinyCopy(dir, 20, 10, false));
        assertEquals(20, d.trainCount());
        assertEquals(10, d.testCount());
        assertArrayEquals(new int[] {28, 28, 1}, d.inputShape());
        assertEquals(1.0f, d.trainInputs()[0]);
        assertEquals(0.2f, d.trainInputs()[1], 1e-7);
        assertEquals(3f, d.trainTargets()[3]);
        assertTrue(d.source().contains("(20 train / 10 test) from given folder"), d.source());
    }

    @Test
    void explicitFolderWithMissingFileNamesIt() throws IOException {
        tinyCopy(dir, 10, 10, true);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        String m = assertThrows(BadInputException.class, () -> FashionMnist.load(dir)).getMessage();
        assertTrue(m.contains("missing t10k-labels-idx1-ubyte.gz"), m);
        String none = assertThrows(BadInputException.class, () -> FashionMnist.load(dir.resolve("nope"))).getMessage();
        assertTrue(none.endsWith("nope: Fashion-MNIST folder not found"), none);
    }

    @Test
    void mismatchedCountsInAFolderAreBadInput() {
        tinyCopy(dir, 10, 10, true);
        IdxFiles.write(dir.resolve("train-labels-idx1-ubyte.gz"), new IdxArray(new int[] {9}, new byte[9]), true);
        String m = assertThrows(BadInputException.class, () -> FashionMnist.load(dir)).getMessage();
        assertEquals("train-images-idx3-ubyte.gz has 10 images but train-labels-idx1-ubyte.gz has 9 labels", m);
    }

    @Test
    void fallsBackToSystemCopyThenToEmbeddedSubset() {
        Path system = tinyCopy(dir.resolve("sys"), 10, 10, true);
        assertTrue(FashionMnist.load(null, system).source().contains("from system copy"));
        Dataset embedded = FashionMnist.load(null, dir.resolve("absent"));
        assertTrue(embedded.source().startsWith("Fashion-MNIST embedded subset (10000 train / 2000 test"),
                embedded.source());
    }

    @Test
    void embeddedSubsetIsClassBalancedAndSmall() throws IOException {
        Dataset d = FashionMnist.loadEmbedded();
        int[] train = new int[10];
        int[] test = new int[10];
        for (float t : d.trainTargets()) train[(int) t]++;
        for (float t : d.testTargets()) test[(int) t]++;
        for (int c = 0; c < 10; c++) {
            assertEquals(1000, train[c]);
            assertEquals(200, test[c]);
        }
        long bytes = 0;
        for (String f : FashionMnist.FILES) {
            try (var in = FashionMnist.class.getResourceAsStream(FashionMnist.EMBEDDED + f)) {
                bytes += in.readAllBytes().length;
            }
        }
        assertTrue(bytes < 5_500_000, "embedded subset grew to " + bytes + " bytes");
        assertTrue(FashionMnist.class.getResource(FashionMnist.EMBEDDED + "LICENSE") != null);
    }

    @Test
    void embeddedSubsetIsExactlyTheFirstImagesOfEachClassOfTheSystemCopy() {
        assumeTrue(Files.isRegularFile(FashionMnist.SYSTEM_DIR.resolve(FashionMnist.TEST_IMAGES)),
                "system Fashion-MNIST not installed");
        // Checked on the test split (small); the train split uses the same code path.
        IdxArray img = IdxFiles.read(FashionMnist.SYSTEM_DIR.resolve(FashionMnist.TEST_IMAGES));
        IdxArray lbl = IdxFiles.read(FashionMnist.SYSTEM_DIR.resolve(FashionMnist.TEST_LABELS));
        int[] keep = FashionMnistSubset.firstPerClass(lbl.data(), 10, 200);
        IdxArray[] sub = FashionMnistSubset.select(img, lbl, keep);
        Dataset embedded = FashionMnist.loadEmbedded();
        for (int i = 0; i < keep.length; i += 97) {
            assertEquals(Byte.toUnsignedInt(sub[1].data()[i]), (int) embedded.testTargets()[i]);
            for (int p = 0; p < 784; p += 13) {
                assertEquals(Byte.toUnsignedInt(sub[0].data()[i * 784 + p]) / 255f, embedded.testInputs()[i * 784 + p]);
            }
        }
    }

    @Test
    void systemCopyLoadsInFull() {
        assumeTrue(Files.isRegularFile(FashionMnist.SYSTEM_DIR.resolve(FashionMnist.TRAIN_IMAGES)),
                "system Fashion-MNIST not installed");
        Dataset d = FashionMnist.load(null);
        assertEquals("Fashion-MNIST full (60000 train / 10000 test) from system copy " + FashionMnist.SYSTEM_DIR,
                d.source());
        assertEquals(60000 * 784, d.trainInputs().length);
    }

    @Test
    void firstPerClassKeepsFileOrderAndFailsWhenAClassIsShort() {
        byte[] labels = {0, 1, 0, 2, 1, 0, 2, 2};
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 6}, FashionMnistSubset.firstPerClass(labels, 3, 2));
        assertThrows(BadInputException.class, () -> FashionMnistSubset.firstPerClass(labels, 3, 3));
    }
}
