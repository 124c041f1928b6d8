package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.IdxArray;
import dev.loupe.datasets.IdxFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training on one's own IDX set ({@code --dataset idx --data DIR}) and predicting with its class names. */
class IdxDatasetCliTest {
    @TempDir
    Path tmp;

    @Test
    void trainsOnAnIdxFolderAndNamesItsClasses() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("shapes"));
        // 3 classes of 8×8 images: a bright top row, a bright left column, or all dark
        for (String split : new String[] {"train", "t10k"}) {
            int n = split.equals("train") ? 300 : 60;
            byte[] px = new byte[n * 64], lb = new byte[n];
            for (int i = 0; i < n; i++) {
                int k = i % 3;
                lb[i] = (byte) k;
                for (int j = 0; j < 8; j++) {
                    if (k == 0) px[i * 64 + j] = (byte) 250;
                    if (k == 1) px[i * 64 + j * 8] = (byte) 250;
                }
            }
            IdxFiles.write(data.resolve(split + "-images-idx3-ubyte"), new IdxArray(new int[] {n, 8, 8}, px), false);
            IdxFiles.write(data.resolve(split + "-labels-idx1-ubyte"), new IdxArray(new int[] {n}, lb), false);
        }
        Files.writeString(data.resolve("classes.txt"), "top\nleft\ndark\n");
        Path run = tmp.resolve("run");
        CliRunner.Outcome t = CliRunner.run("train", "--dataset", "idx", "--data", data.toString(), "--model", "mlp", "--epochs", "3",
                "--lr", "0.1", "--backend", "reference", "--record", "off", "--run", run.toString());
        assertEquals(0, t.exit(), t.err());
        assertTrue(t.out().contains("IDX images 8x8, 3 classes (300 train / 60 test)"), t.out());
        assertTrue(t.out().contains("test_accuracy=1.0000"), t.out());

        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB); // a picture of the "left" class, twice the size
        for (int r = 0; r < 16; r++) for (int c = 0; c < 2; c++) img.setRGB(c, r, 0xfafafa);
        Path png = tmp.resolve("left.png");
        ImageIO.write(img, "png", png.toFile());
        CliRunner.Outcome p = CliRunner.run("predict", "--run", run.toString(), "--input", png.toString(), "--backend", "reference");
        assertEquals(0, p.exit(), p.err());
        assertTrue(p.out().contains("left.png: left (p = "), p.out());
    }
}
