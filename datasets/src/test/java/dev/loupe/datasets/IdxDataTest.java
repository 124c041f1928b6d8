package dev.loupe.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --dataset idx}: any image set in the MNIST file layout, with its own size and class count. */
class IdxDataTest {
    @TempDir Path dir;

    /** n images of 10 rows × 12 columns whose first pixel is 3·label; labels cycle through {@code classes}. */
    static Path write(Path folder, int nTrain, int nTest, int classes, int testLabelOffset) {
        for (String split : new String[] {"train", "t10k"}) {
            int n = split.equals("train") ? nTrain : nTest;
            byte[] px = new byte[n * 120], lb = new byte[n];
            for (int i = 0; i < n; i++) {
                lb[i] = (byte) (i % classes + (split.equals("t10k") ? testLabelOffset : 0));
                px[i * 120] = (byte) (3 * lb[i]);
                px[i * 120 + 119] = (byte) 255;
            }
            boolean gz = split.equals("train"); // one split gzipped, one not: both forms are read
            IdxFiles.write(folder.resolve(split + "-images-idx3-ubyte" + (gz ? ".gz" : "")), new IdxArray(new int[] {n, 10, 12}, px), gz);
            IdxFiles.write(folder.resolve(split + "-labels-idx1-ubyte" + (gz ? ".gz" : "")), new IdxArray(new int[] {n}, lb), gz);
        }
        return folder;
    }

    @Test
    void readsTheImagesSizeAndClassCountFromTheFiles() {
        Dataset d = DataSources.load("idx", write(dir, 9, 6, 3, 0), 0);
        assertEquals("idx", d.name());
        assertArrayEquals(new int[] {10, 12, 1}, d.inputShape());
        assertEquals(3, d.numClasses());
        assertEquals(9, d.trainCount());
        assertEquals(6, d.testCount());
        assertEquals(2f, d.trainTargets()[5]);
        assertEquals(6 / 255f, d.trainInputs()[5 * 120], 1e-7f);
        assertEquals(1f, d.testInputs()[119], 0f);
        assertTrue(d.source().contains("IDX images 10x12, 3 classes (9 train / 6 test)"), d.source());
        assertNull(IdxData.classNames(dir, 3));
    }

    @Test
    void classNamesComeFromClassesTxt() throws IOException {
        write(dir, 9, 6, 3, 0);
        Files.writeString(dir.resolve("classes.txt"), "cat\n dog \n\nbird\n");
        assertEquals(List.of("cat", "dog", "bird"), IdxData.classNames(dir, 3));
        assertTrue(IdxData.load(dir).source().endsWith("class names from classes.txt"));
        Files.writeString(dir.resolve("classes.txt"), "cat\ndog\n");
        BadInputException e = assertThrows(BadInputException.class, () -> IdxData.load(dir));
        assertTrue(e.getMessage().contains("names 2 classes but the labels have 3"), e.getMessage());
    }

    @Test
    void badFoldersAreBadInput() {
        assertTrue(assertThrows(BadInputException.class, () -> DataSources.load("idx", null, 0)).getMessage().contains("needs --data"));
        assertTrue(assertThrows(BadInputException.class, () -> IdxData.load(dir.resolve("nope"))).getMessage().contains("not found"));
        assertTrue(assertThrows(BadInputException.class, () -> IdxData.load(dir)).getMessage().contains("missing train-images-idx3-ubyte.gz"));
        Path shifted = write(dir.resolve("shifted"), 9, 6, 3, 1); // a test label of 3 with classes 0..2 in training
        assertTrue(assertThrows(BadInputException.class, () -> IdxData.load(shifted)).getMessage().contains("outside [0, 3)"));
    }
}
