package dev.loupe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import dev.loupe.engine.nn.Network;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Writes the linear-regression example's loss surface over (w, b) and its gradient-descent path
 * to {@code OUT/landscape/example/} ({@code surface.npy [b, w]}, {@code ws.npy}, {@code bs.npy},
 * {@code path.npy [3, T]} rows w, b, loss; {@code meta.json}) for the landscape figures.
 */
final class LinearRegressionSurface {
    private LinearRegressionSurface() {}

    static final int GRID = 61;

    static void write(Path out, Network net, int n, float[] path, int points, float lr, long seed) {
        float wMin = Float.MAX_VALUE, wMax = -Float.MAX_VALUE, bMin = Float.MAX_VALUE, bMax = -Float.MAX_VALUE;
        for (int t = 0; t < points; t++) {
            wMin = Math.min(wMin, path[t]);
            wMax = Math.max(wMax, path[t]);
            bMin = Math.min(bMin, path[points + t]);
            bMax = Math.max(bMax, path[points + t]);
        }
        // a square-ish window around the path with a margin, so the bowl's shape is visible
        float pad = 0.3f * Math.max(wMax - wMin, bMax - bMin) + 0.1f;
        float[] ws = axis(wMin - pad, wMax + pad), bs = axis(bMin - pad, bMax + pad);
        float[] surface = new float[GRID * GRID];
        for (int i = 0; i < GRID; i++) {
            for (int j = 0; j < GRID; j++) {
                net.setParams(new float[] {ws[j], bs[i]});
                net.forward(n, false, 0);
                net.loss(n);
                surface[i * GRID + j] = net.readLoss();
            }
        }
        Path dir = out.resolve("landscape").resolve("example");
        NpyFiles.write(dir.resolve("surface.npy"), new NpyArray(new int[] {GRID, GRID}, surface));
        NpyFiles.write(dir.resolve("ws.npy"), new NpyArray(new int[] {GRID}, ws));
        NpyFiles.write(dir.resolve("bs.npy"), new NpyArray(new int[] {GRID}, bs));
        NpyFiles.write(dir.resolve("path.npy"), new NpyArray(new int[] {3, points}, path));
        ObjectMapper json = new ObjectMapper();
        ObjectNode m = json.createObjectNode().put("format", "loupe-landscape/1").put("mode", "example")
                .put("example", "linear-regression").put("loss", "mse").put("samples", n).put("lr", lr).put("seed", seed)
                .put("steps", points - 1)
                .put("description", "MSE of y = w·x + b over a grid of (w, b); path: full-batch gradient descent from (0, 0)");
        try {
            AtomicFiles.writeBytes(dir.resolve("meta.json"), json.writerWithDefaultPrettyPrinter().writeValueAsBytes(m));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("wrote the loss surface and the gradient-descent path to " + dir + " (draw them with loupe render)");
    }

    private static float[] axis(float lo, float hi) {
        float[] a = new float[GRID];
        for (int i = 0; i < GRID; i++) a[i] = lo + (hi - lo) * i / (GRID - 1);
        return a;
    }
}
