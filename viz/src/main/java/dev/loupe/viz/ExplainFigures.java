package dev.loupe.viz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Draws a run's explanations ({@code RUN/explain/<method>/}): per method a grid with one row per
 * sample (at most 8) showing input | attribution | overlay, titled with the true and predicted
 * class, plus one comparison sheet with every method side by side. Signed attributions use a
 * blue–white–red diverging map symmetric around 0, magnitudes a dark-to-yellow sequential map;
 * both are clipped at the 99th percentile of |attribution| of that sample.
 */
public final class ExplainFigures {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ROWS = 8;
    private static final Color GROUND_TRUTH = new Color(0, 200, 70);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font TEXT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 10);
    /** Method folders in the order the comparison sheet shows them. */
    private static final List<String> ORDER = List.of("saliency", "grad-input", "ig", "smoothgrad", "vargrad", "gradcam",
            "gradcam++", "occlusion");

    private ExplainFigures() {}

    /** One method's stored explanation, as read back from its folder. */
    record Stored(String method, boolean signed, JsonNode meta, NpyArray attr, NpyArray inputs, NpyArray regions) {
        int n() { return attr.shape()[0]; }
        int h() { return attr.shape()[1]; }
        int w() { return attr.shape().length > 2 ? attr.shape()[2] : 1; }
        int c() { return attr.shape().length > 3 ? attr.shape()[3] : 1; }
    }

    /** Renders every explanation of {@code runDir} into {@code reportDir}; returns the PNGs written (empty when there are none). */
    public static List<Path> render(Path runDir, Path reportDir) {
        List<Stored> all = load(runDir.resolve("explain"));
        if (all.isEmpty()) return List.of();
        List<Path> out = new ArrayList<>();
        for (Stored s : all) out.add(write(reportDir.resolve("explain-" + s.method().replace("+", "p") + ".png"), methodGrid(s)));
        out.add(write(reportDir.resolve("explain-comparison.png"), comparison(all)));
        return out;
    }

    static List<Stored> load(Path root) {
        if (!Files.isDirectory(root)) return List.of();
        List<Stored> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(p -> Files.isRegularFile(p.resolve("meta.json"))).toList()) {
                JsonNode meta = JSON.readTree(d.resolve("meta.json").toFile());
                NpyArray attr = NpyFiles.read(d.resolve("attributions.npy"));
                if (attr.shape().length != 4) continue; // only images are drawn as heatmaps
                NpyArray regions = Files.isRegularFile(d.resolve("regions.npy")) ? NpyFiles.read(d.resolve("regions.npy")) : null;
                out.add(new Stored(meta.path("method").asText(d.getFileName().toString()), meta.path("signed").asBoolean(),
                        meta, attr, NpyFiles.read(d.resolve("inputs.npy")), regions));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read explanations under " + root, e);
        }
        out.sort(Comparator.comparingInt(s -> ORDER.contains(s.method()) ? ORDER.indexOf(s.method()) : ORDER.size()));
        return out;
    }

    private static Path write(Path file, BufferedImage img) {
        AtomicFiles.write(file, o -> ImageIO.write(img, "png", o));
        return file;
    }

    // ---- the per-method grid ----

    static BufferedImage methodGrid(Stored s) {
        int rows = Math.min(MAX_ROWS, s.n());
        int cell = cellSize(s.h(), s.w());
        int cellW = cell * s.w() / Math.max(s.h(), s.w()), cellH = cell * s.h() / Math.max(s.h(), s.w());
        int left = 16, bar = 70, gap = 14, rowTitle = 20, top = 96;
        int width = left + 3 * cellW + 2 * gap + bar + gap + 16;
        width = Math.max(width, 720);
        int height = top + rows * (cellH + rowTitle + gap) + 40;
        BufferedImage img = canvas(width, height);
        Graphics2D g = graphics(img);
        g.setFont(TITLE);
        g.drawString(title(s), left, 24);
        g.setFont(TEXT);
        g.drawString(subtitle(s), left, 42);
        g.drawString(s.signed() ? "signed: red pixels raise the target logit, blue pixels lower it"
                : "magnitude: brighter pixels matter more (sign not shown)", left, 60);
        String[] heads = {"input", "attribution", "overlay on input"};
        for (int k = 0; k < 3; k++) g.drawString(heads[k], left + k * (cellW + gap), top - 8);
        for (int r = 0; r < rows; r++) {
            int y = top + r * (cellH + rowTitle + gap) + rowTitle;
            g.setFont(TEXT);
            g.setColor(Color.BLACK);
            g.drawString(rowTitle(s, r), left, y - 5);
            float[] a = pixelMap(s.attr(), r, s.signed());
            float clip = percentileAbs(a, 0.99);
            g.drawImage(inputImage(s.inputs(), r), left, y, cellW, cellH, null);
            g.drawImage(heatmap(a, s.h(), s.w(), clip, s.signed()), left + cellW + gap, y, cellW, cellH, null);
            g.drawImage(overlay(s.inputs(), r, a, s.h(), s.w(), clip, s.signed()), left + 2 * (cellW + gap), y, cellW, cellH, null);
            if (s.regions() != null) outline(g, s.regions(), r, s.h(), s.w(), left + 2 * (cellW + gap), y, cellW, cellH);
            colorBar(g, left + 3 * (cellW + gap), y, 14, cellH, clip, s.signed());
        }
        g.setFont(SMALL);
        g.setColor(Color.DARK_GRAY);
        g.drawString("each row is clipped at its own 99th percentile of |attribution|; the colour bar gives that row's values", left, height - 24);
        if (s.regions() != null) g.drawString("green outline: the ground-truth region that decides the class", left, height - 10);
        g.dispose();
        return img;
    }

    private static int cellSize(int h, int w) {
        int side = Math.max(h, w);
        return side >= 160 ? side : side * Math.max(1, 140 / side);
    }

    private static String title(Stored s) {
        return s.method() + ": attribution of the target class's logit" + (s.meta().has("provenance")
                ? "  (" + s.meta().path("provenance").path("model").asText() + ", " + s.meta().path("provenance").path("checkpoint").asText() + ")" : "");
    }

    private static String subtitle(Stored s) {
        StringBuilder b = new StringBuilder();
        Iterator<Map.Entry<String, JsonNode>> it = s.meta().path("parameters").properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (b.length() > 0) b.append(", ");
            b.append(e.getKey()).append(' ').append(e.getValue().asText());
        }
        if (s.meta().has("max_abs_convergence_delta")) {
            b.append(String.format("%smax |IG delta| %.2g", b.length() > 0 ? "; " : "", s.meta().path("max_abs_convergence_delta").asDouble()));
        }
        return b.length() == 0 ? "target: " + targetWord(s) : b + "; target: " + targetWord(s);
    }

    private static String targetWord(Stored s) {
        JsonNode t = s.meta().path("targets"), p = s.meta().path("predicted");
        return t.equals(p) ? "predicted class" : "given class";
    }

    static String className(Stored s, int k) {
        JsonNode names = s.meta().path("class_names");
        return names.isArray() && k >= 0 && k < names.size() ? names.get(k).asText() : "class " + k;
    }

    private static String rowTitle(Stored s, int r) {
        JsonNode labels = s.meta().path("labels");
        int pred = s.meta().path("predicted").path(r).asInt(-1);
        String p = "predicted " + className(s, pred);
        JsonNode file = s.meta().path("provenance").path("input_files").path(r); // inputs read from image files
        if (file.isTextual()) return "#" + r + "  " + file.asText() + " · " + p;
        if (!labels.isArray()) return "#" + r + "  " + p;
        int t = labels.path(r).asInt();
        return "#" + r + "  true " + className(s, t) + " · " + p + (t == pred ? "" : "  ✗");
    }

    // ---- the comparison sheet ----

    static BufferedImage comparison(List<Stored> all) {
        Stored first = all.getFirst();
        int rows = Math.min(MAX_ROWS, all.stream().mapToInt(Stored::n).min().orElse(0));
        int cell = Math.min(cellSize(first.h(), first.w()), 112);
        int cellW = cell * first.w() / Math.max(first.h(), first.w()), cellH = cell * first.h() / Math.max(first.h(), first.w());
        int left = 150, gap = 8, top = 64;
        int cols = all.size() + 1;
        int width = left + cols * (cellW + gap) + 10;
        int height = top + rows * (cellH + gap) + 78;
        BufferedImage img = canvas(Math.max(width, 640), height);
        Graphics2D g = graphics(img);
        g.setFont(TITLE);
        g.drawString("All methods side by side (target: " + targetWord(first) + ")", 10, 24);
        g.setFont(TEXT);
        g.drawString("input", left, top - 8);
        for (int m = 0; m < all.size(); m++) g.drawString(all.get(m).method(), left + (m + 1) * (cellW + gap), top - 8);
        for (int r = 0; r < rows; r++) {
            int y = top + r * (cellH + gap);
            g.setFont(SMALL);
            g.setColor(Color.BLACK);
            String[] lines = rowTitle(first, r).split(" · ");
            for (int k = 0; k < lines.length; k++) g.drawString(lines[k], 8, y + 14 + 13 * k);
            g.drawImage(inputImage(first.inputs(), r), left, y, cellW, cellH, null);
            if (first.regions() != null) outline(g, first.regions(), r, first.h(), first.w(), left, y, cellW, cellH);
            for (int m = 0; m < all.size(); m++) {
                Stored s = all.get(m);
                float[] a = pixelMap(s.attr(), r, s.signed());
                g.drawImage(heatmap(a, s.h(), s.w(), percentileAbs(a, 0.99), s.signed()), left + (m + 1) * (cellW + gap), y, cellW, cellH, null);
            }
        }
        int yb = top + rows * (cellH + gap) + 12;
        g.setFont(SMALL);
        g.setColor(Color.BLACK);
        g.drawString("signed:", 10, yb + 10);
        horizontalBar(g, 60, yb, 160, 12, true);
        barLabels(g, 60, yb + 26, 160, "−p99", "0", "+p99");
        g.drawString("magnitude:", 250, yb + 10);
        horizontalBar(g, 320, yb, 160, 12, false);
        barLabels(g, 320, yb + 26, 160, "0", "p99/2", "p99");
        g.drawString("each map scaled to its own 99th percentile of |attribution|"
                + (first.regions() != null ? "; green outline: ground-truth region" : ""), 10, yb + 46);
        g.dispose();
        return img;
    }

    // ---- pixels ----

    /** Per-pixel value of sample {@code r}: channel sum for signed maps, channel sum of |a| for magnitudes. */
    static float[] pixelMap(NpyArray a, int r, boolean signed) {
        int h = a.shape()[1], w = a.shape()[2], c = a.shape()[3], d = h * w * c;
        float[] out = new float[h * w];
        for (int p = 0; p < h * w; p++) {
            float s = 0;
            for (int ch = 0; ch < c; ch++) {
                float v = a.data()[r * d + p * c + ch];
                s += signed ? v : Math.abs(v);
            }
            out[p] = s;
        }
        return out;
    }

    /** The {@code q}-quantile of |values| (nearest rank); 1 when everything is 0, so empty maps draw as blank. */
    static float percentileAbs(float[] v, double q) {
        float[] s = new float[v.length];
        for (int i = 0; i < v.length; i++) s[i] = Math.abs(v[i]);
        Arrays.sort(s);
        float x = s[Math.min(s.length - 1, (int) Math.ceil(q * s.length) - 1)];
        if (x > 0) return x;
        return s[s.length - 1] > 0 ? s[s.length - 1] : 1f;
    }

    static Color colormap(float t, boolean signed) {
        return signed ? lerp(DIVERGING, (t + 1) / 2) : lerp(SEQUENTIAL, t);
    }

    /** Blue–white–red (like matplotlib's RdBu_r) from −1 to +1. */
    private static final int[][] DIVERGING = {{5, 48, 97}, {67, 147, 195}, {209, 229, 240}, {247, 247, 247},
            {253, 219, 199}, {214, 96, 77}, {103, 0, 31}};
    /** Dark purple to yellow (viridis anchors) from 0 to 1. */
    private static final int[][] SEQUENTIAL = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};

    private static Color lerp(int[][] anchors, float t) {
        float x = Math.max(0, Math.min(1, t)) * (anchors.length - 1);
        int i = Math.min(anchors.length - 2, (int) x);
        float f = x - i;
        int[] a = anchors[i], b = anchors[i + 1];
        return new Color(Math.round(a[0] + f * (b[0] - a[0])), Math.round(a[1] + f * (b[1] - a[1])), Math.round(a[2] + f * (b[2] - a[2])));
    }

    static BufferedImage heatmap(float[] a, int h, int w, float clip, boolean signed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, colormap(a[y * w + x] / clip, signed).getRGB());
        return img;
    }

    /** The input as grey (one channel) or RGB (three), values mapped from [min(0, lo), max(1, hi)]. */
    static BufferedImage inputImage(NpyArray x, int r) {
        int h = x.shape()[1], w = x.shape()[2], c = x.shape()[3], d = h * w * c;
        float lo = 0, hi = 1;
        for (int i = 0; i < d; i++) {
            lo = Math.min(lo, x.data()[r * d + i]);
            hi = Math.max(hi, x.data()[r * d + i]);
        }
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int p = 0; p < h * w; p++) {
            int[] rgb = new int[3];
            for (int k = 0; k < 3; k++) {
                float v = c == 3 ? x.data()[r * d + p * 3 + k] : channelMean(x.data(), r * d + p * c, c);
                rgb[k] = Math.round(255 * (v - lo) / (hi - lo));
            }
            img.setRGB(p % w, p / w, new Color(rgb[0], rgb[1], rgb[2]).getRGB());
        }
        return img;
    }

    private static float channelMean(float[] a, int off, int c) {
        float s = 0;
        for (int k = 0; k < c; k++) s += a[off + k];
        return s / c;
    }

    /** The input dimmed to grey with the attribution colour blended in proportion to |a| / clip. */
    static BufferedImage overlay(NpyArray x, int r, float[] a, int h, int w, float clip, boolean signed) {
        BufferedImage base = inputImage(x, r), img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int xx = 0; xx < w; xx++) {
            Color in = new Color(base.getRGB(xx, y));
            float grey = 0.6f * (in.getRed() + in.getGreen() + in.getBlue()) / 3f;
            float t = a[y * w + xx] / clip;
            float alpha = Math.min(1, Math.abs(t));
            Color c = signed ? (t >= 0 ? new Color(214, 40, 40) : new Color(40, 90, 214)) : colormap(Math.min(1, t), false);
            img.setRGB(xx, y, new Color(mix(grey, c.getRed(), alpha), mix(grey, c.getGreen(), alpha), mix(grey, c.getBlue(), alpha)).getRGB());
        }
        return img;
    }

    private static int mix(float a, int b, float t) {
        return Math.round(Math.max(0, Math.min(255, a * (1 - t) + b * t)));
    }

    /** Outlines the ground-truth region of sample {@code r} (edges between inside and outside pixels). */
    private static void outline(Graphics2D g, NpyArray regions, int r, int h, int w, int x0, int y0, int cw, int ch) {
        float sx = (float) cw / w, sy = (float) ch / h;
        g.setColor(GROUND_TRUTH);
        g.setStroke(new BasicStroke(2f));
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            if (!inside(regions, r, h, w, y, x)) continue;
            int px = x0 + Math.round(x * sx), py = y0 + Math.round(y * sy), qx = x0 + Math.round((x + 1) * sx), qy = y0 + Math.round((y + 1) * sy);
            if (!inside(regions, r, h, w, y - 1, x)) g.drawLine(px, py, qx, py);
            if (!inside(regions, r, h, w, y + 1, x)) g.drawLine(px, qy, qx, qy);
            if (!inside(regions, r, h, w, y, x - 1)) g.drawLine(px, py, px, qy);
            if (!inside(regions, r, h, w, y, x + 1)) g.drawLine(qx, py, qx, qy);
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static boolean inside(NpyArray regions, int r, int h, int w, int y, int x) {
        return y >= 0 && y < h && x >= 0 && x < w && regions.data()[(r * h + y) * w + x] > 0.5f;
    }

    private static void colorBar(Graphics2D g, int x, int y, int bw, int bh, float clip, boolean signed) {
        for (int i = 0; i < bh; i++) {
            float t = 1 - (float) i / (bh - 1);
            g.setColor(colormap(signed ? 2 * t - 1 : t, signed));
            g.fillRect(x, y + i, bw, 1);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x, y, bw, bh);
        g.setFont(SMALL);
        FontMetrics fm = g.getFontMetrics();
        g.drawString(fmt(clip), x + bw + 3, y + fm.getAscent());
        g.drawString(signed ? "0" : fmt(clip / 2), x + bw + 3, y + bh / 2 + fm.getAscent() / 2);
        g.drawString(signed ? fmt(-clip) : "0", x + bw + 3, y + bh);
    }

    private static void horizontalBar(Graphics2D g, int x, int y, int bw, int bh, boolean signed) {
        for (int i = 0; i < bw; i++) {
            float t = (float) i / (bw - 1);
            g.setColor(colormap(signed ? 2 * t - 1 : t, signed));
            g.fillRect(x + i, y, 1, bh);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x, y, bw, bh);
    }

    private static void barLabels(Graphics2D g, int x, int y, int bw, String lo, String mid, String hi) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(lo, x - fm.stringWidth(lo) / 2, y);
        g.drawString(mid, x + bw / 2 - fm.stringWidth(mid) / 2, y);
        g.drawString(hi, x + bw - fm.stringWidth(hi) / 2, y);
    }

    private static String fmt(float v) {
        return Math.abs(v) >= 0.01 && Math.abs(v) < 1000 ? String.format("%.3g", v) : String.format("%.1e", v);
    }

    private static BufferedImage canvas(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    private static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.setColor(Color.BLACK);
        return g;
    }
}
