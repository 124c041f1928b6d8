package dev.loupe.cli;

import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Inputs for a trained model named on the command line ({@code --input}): an .npy array of shape
 * [N, H, W, C] or [N, D], one image file (PNG, JPEG, GIF, BMP), or a folder of them (taken in
 * name order). Images are resized to the model's H×W (bilinear, halving first while more than
 * twice too large, so downscaling averages instead of skipping pixels), made grey (ITU-R BT.601
 * luma) for one channel or kept RGB for three, and scaled to [0, 1] as the built-in datasets are;
 * transparent pixels count as black. {@code invert} maps v to 1 − v, for dark-on-light pictures
 * given to a model trained on light-on-dark images such as Fashion-MNIST.
 */
final class ModelInputs {
    /** File name endings read as images. */
    static final List<String> IMAGE_TYPES = List.of("png", "jpg", "jpeg", "gif", "bmp");

    /** {@code n} inputs of the model's shape, flattened, and where they came from. */
    record Loaded(float[] x, int n, List<String> files, String description) {}

    private ModelInputs() {}

    static Loaded read(Path input, int[] modelShape, boolean invert) {
        if (!Files.exists(input)) throw new BadInputException("--input " + input + " does not exist");
        if (Files.isDirectory(input)) return images(imagesIn(input), modelShape, invert, "images in " + input);
        if (input.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".npy")) {
            if (invert) throw new BadInputException("--invert applies to image files, not to .npy arrays");
            return npy(input, modelShape);
        }
        if (!isImage(input)) {
            throw new BadInputException("--input " + input + ": expected an .npy file, an image (" + String.join(", ", IMAGE_TYPES)
                    + ") or a folder of images");
        }
        return images(List.of(input), modelShape, invert, input.toString());
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        return dot >= 0 && IMAGE_TYPES.contains(name.substring(dot + 1)) && Files.isRegularFile(p);
    }

    private static List<Path> imagesIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> out = files.filter(ModelInputs::isImage).sorted().toList();
            if (out.isEmpty()) throw new BadInputException("--input " + dir + " holds no images (" + String.join(", ", IMAGE_TYPES) + ")");
            return out;
        } catch (IOException e) {
            throw new BadInputException("cannot list --input " + dir + ": " + e.getMessage());
        }
    }

    private static Loaded npy(Path input, int[] modelShape) {
        NpyArray a = NpyFiles.read(input);
        int d = Arrays.stream(modelShape).reduce(1, (p, q) -> p * q);
        int[] shape = a.shape();
        boolean flat = shape.length == 2 && shape[1] == d;
        boolean image = shape.length == modelShape.length + 1 && Arrays.equals(Arrays.copyOfRange(shape, 1, shape.length), modelShape);
        if (shape.length < 2 || shape[0] < 1 || !(flat || image)) {
            throw new BadInputException(input + ": shape " + Arrays.toString(shape) + " does not fit the model's input "
                    + Arrays.toString(modelShape) + " (expected [N, " + String.join(", ",
                    Arrays.stream(modelShape).mapToObj(Integer::toString).toList()) + "] or [N, " + d + "])");
        }
        for (int i = 0; i < a.data().length; i++) {
            if (!Float.isFinite(a.data()[i])) throw new BadInputException(input + ": non-finite value " + a.data()[i] + " at index " + i);
        }
        return new Loaded(a.data(), shape[0], List.of(), input.toString());
    }

    private static Loaded images(List<Path> files, int[] modelShape, boolean invert, String where) {
        if (modelShape.length != 3 || (modelShape[2] != 1 && modelShape[2] != 3)) {
            throw new BadInputException("the model takes input " + Arrays.toString(modelShape)
                    + "; image files need a model of images [H, W, 1] or [H, W, 3] (give an .npy array instead)");
        }
        int h = modelShape[0], w = modelShape[1], c = modelShape[2];
        float[] x = new float[files.size() * h * w * c];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Path f = files.get(i);
            BufferedImage img;
            try {
                img = ImageIO.read(f.toFile());
            } catch (IOException e) {
                throw new BadInputException(f + ": cannot read the image: " + e.getMessage());
            }
            if (img == null) throw new BadInputException(f + ": not an image this JDK can read (" + String.join(", ", IMAGE_TYPES) + ")");
            toModel(resize(img, w, h), c, invert, x, i * h * w * c);
            names.add(f.getFileName().toString());
        }
        String kind = c == 1 ? "grey" : "RGB";
        String desc = files.size() == 1 ? where : files.size() + " " + where;
        return new Loaded(x, files.size(), List.copyOf(names),
                desc + String.format(Locale.ROOT, " (resized to %d×%d, %s, [0, 1]%s)", w, h, kind, invert ? ", inverted" : ""));
    }

    /** {@code img} as a w×h RGB image: halved while more than twice too large, then bilinear. */
    static BufferedImage resize(BufferedImage img, int w, int h) {
        BufferedImage cur = img;
        while (cur.getWidth() > 2 * w && cur.getHeight() > 2 * h) cur = scale(cur, cur.getWidth() / 2, cur.getHeight() / 2);
        return scale(cur, w, h);
    }

    private static BufferedImage scale(BufferedImage src, int w, int h) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB); // starts black: transparency composites onto black
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        return out;
    }

    /** Writes the w×h RGB image into {@code x} at {@code off} as NHWC floats in [0, 1]. */
    static void toModel(BufferedImage rgb, int channels, boolean invert, float[] x, int off) {
        int p = off;
        for (int r = 0; r < rgb.getHeight(); r++) {
            for (int col = 0; col < rgb.getWidth(); col++) {
                int v = rgb.getRGB(col, r);
                float red = ((v >> 16) & 0xff) / 255f, green = ((v >> 8) & 0xff) / 255f, blue = (v & 0xff) / 255f;
                if (channels == 1) {
                    float y = 0.299f * red + 0.587f * green + 0.114f * blue;
                    x[p++] = invert ? 1 - y : y;
                } else {
                    x[p++] = invert ? 1 - red : red;
                    x[p++] = invert ? 1 - green : green;
                    x[p++] = invert ? 1 - blue : blue;
                }
            }
        }
    }
}
