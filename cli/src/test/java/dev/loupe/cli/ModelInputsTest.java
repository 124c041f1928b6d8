package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --input} as .npy, one image, or a folder of images, converted to the model's input. */
class ModelInputsTest {
    @TempDir
    Path tmp;

    private static final int[] GREY_28 = {28, 28, 1};

    /** A w×h picture whose pixel (r, c) has grey level {@code level(r / block, c / block)}. */
    private Path grey(String name, int size, int block) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < size; r++) {
            for (int c = 0; c < size; c++) {
                int v = level(r / block, c / block);
                img.setRGB(c, r, (v << 16) | (v << 8) | v);
            }
        }
        Path p = tmp.resolve(name);
        ImageIO.write(img, name.endsWith(".bmp") ? "bmp" : "png", p.toFile());
        return p;
    }

    private static int level(int r, int c) {
        return (r * 37 + c * 11) % 256;
    }

    @Test
    void anImageOfTheModelsSizeGivesItsGreyLevelsOver255() throws IOException {
        ModelInputs.Loaded in = ModelInputs.read(grey("a.png", 28, 1), GREY_28, false);
        assertEquals(1, in.n());
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) assertEquals(level(r, c) / 255f, in.x()[r * 28 + c], 1e-6f, r + "," + c);
        }
        assertEquals(List.of("a.png"), in.files());
    }

    @Test
    void greyPngsKeepTheirLevels() throws IOException {
        // Java2D reads an 8-bit grey PNG in a linear grey colour space; its getRGB would brighten mid-greys
        BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < 28; r++) for (int c = 0; c < 28; c++) img.getRaster().setSample(c, r, 0, level(r, c));
        Path p = tmp.resolve("grey.png");
        ImageIO.write(img, "png", p.toFile());
        float[] x = ModelInputs.read(p, GREY_28, false).x();
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) assertEquals(level(r, c) / 255f, x[r * 28 + c], 1e-6f, r + "," + c);
        }
    }

    @Test
    void aLargerImageIsAveragedDownAndInvertIsOneMinus() throws IOException {
        Path big = grey("big.png", 224, 8); // each model pixel is an 8×8 block
        float[] x = ModelInputs.read(big, GREY_28, false).x(), inv = ModelInputs.read(big, GREY_28, true).x();
        for (int r = 0; r < 28; r++) {
            for (int c = 0; c < 28; c++) {
                assertEquals(level(r, c) / 255f, x[r * 28 + c], 1.5f / 255, r + "," + c);
                assertEquals(1 - x[r * 28 + c], inv[r * 28 + c], 1e-6f);
            }
        }
    }

    @Test
    void rgbModelsKeepTheColoursInChannelOrder() throws IOException {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < 4; r++) for (int c = 0; c < 4; c++) img.setRGB(c, r, (200 << 16) | (100 << 8) | 50);
        Path p = tmp.resolve("rgb.png");
        ImageIO.write(img, "png", p.toFile());
        float[] x = ModelInputs.read(p, new int[] {4, 4, 3}, false).x();
        assertEquals(48, x.length);
        assertArrayEquals(new float[] {200 / 255f, 100 / 255f, 50 / 255f}, new float[] {x[0], x[1], x[2]}, 1e-6f);
        float[] grey = ModelInputs.read(p, new int[] {4, 4, 1}, false).x();
        assertEquals((0.299f * 200 + 0.587f * 100 + 0.114f * 50) / 255f, grey[0], 1e-6f);
    }

    @Test
    void aFolderIsReadInNameOrderSkippingOtherFiles() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("imgs"));
        grey("imgs/b.bmp", 28, 1);
        grey("imgs/a.png", 56, 2);
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        ModelInputs.Loaded in = ModelInputs.read(dir, GREY_28, false);
        assertEquals(2, in.n());
        assertEquals(List.of("a.png", "b.bmp"), in.files());
        assertTrue(in.description().startsWith("2 images in "), in.description());
    }

    @Test
    void npyArraysAreCheckedAgainstTheModelsShape() throws IOException {
        Path ok = tmp.resolve("ok.npy"), flat = tmp.resolve("flat.npy"), wrong = tmp.resolve("wrong.npy"), nan = tmp.resolve("nan.npy");
        NpyFiles.write(ok, new NpyArray(new int[] {2, 28, 28, 1}, new float[2 * 784]));
        NpyFiles.write(flat, new NpyArray(new int[] {3, 784}, new float[3 * 784]));
        NpyFiles.write(wrong, new NpyArray(new int[] {2, 5}, new float[10]));
        float[] bad = new float[784];
        bad[7] = Float.NaN;
        NpyFiles.write(nan, new NpyArray(new int[] {1, 784}, bad));
        assertEquals(2, ModelInputs.read(ok, GREY_28, false).n());
        assertEquals(3, ModelInputs.read(flat, GREY_28, false).n());
        assertTrue(assertThrows(BadInputException.class, () -> ModelInputs.read(wrong, GREY_28, false)).getMessage().contains("does not fit"));
        assertTrue(assertThrows(BadInputException.class, () -> ModelInputs.read(nan, GREY_28, false)).getMessage().contains("non-finite"));
        assertTrue(assertThrows(BadInputException.class, () -> ModelInputs.read(ok, GREY_28, true)).getMessage().contains("--invert"));
    }

    @Test
    void unusableInputsAreBadInput() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path fake = Files.writeString(tmp.resolve("fake.png"), "not a png");
        Path text = Files.writeString(tmp.resolve("x.csv"), "1,2,3");
        Path img = grey("g.png", 28, 1);
        assertTrue(assertThrows(BadInputException.class, () -> ModelInputs.read(empty, GREY_28, false)).getMessage().contains("holds no images"));
        assertTrue(assertThrows(BadInputException.class, () -> ModelInputs.read(fake, GREY_28, false)).getMessage().contains("fake.png"));
        assertTrue(assertThrows(BadInputException.class, () -> ModelInputs.read(text, GREY_28, false)).getMessage().contains("expected an .npy"));
        assertTrue(assertThrows(BadInputException.class, () -> ModelInputs.read(tmp.resolve("missing.png"), GREY_28, false))
                .getMessage().contains("does not exist"));
        assertTrue(assertThrows(BadInputException.class, () -> ModelInputs.read(img, new int[] {784}, false)).getMessage()
                .contains("image files need a model of images"));
    }
}
