package dev.loupe.viz;

import dev.loupe.datasets.tfevents.Histogram;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * Draws a histogram-over-time heatmap with Java2D: training steps on x, value bins on y, colour =
 * the fraction of that step's values in the bin (log scale, white = none), with axes and a colour bar.
 * Each step's histogram (its own bins over its own [min, max]) is resampled onto one value grid
 * spanning every step, spreading a bucket's count evenly over the grid rows it overlaps.
 */
public final class HistogramHeatmap {
    private HistogramHeatmap() {}

    static final int WIDTH = 960, HEIGHT = 540, ROWS = 80;
    private static final int LEFT = 90, RIGHT = 140, TOP = 56, BOTTOM = 64;
    /** Smallest fraction shown in colour; the colour bar spans [FLOOR, 1]. */
    static final double FLOOR = 1e-4;

    /** Renders {@code series} (step → histogram; at least one step) titled {@code title}. */
    public static BufferedImage render(String title, NavigableMap<Long, Histogram> series) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Histogram h : series.values()) {
            if (h.num() <= 0) continue;
            lo = Math.min(lo, Math.min(h.min(), h.lowerEdge(0)));
            hi = Math.max(hi, Math.max(h.max(), h.bucketLimit()[h.bucketLimit().length - 1]));
        }
        if (!(lo <= hi)) { lo = 0; hi = 1; }
        if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) { lo -= 0.5; hi += 0.5; }
        List<double[]> columns = new ArrayList<>();
        for (Histogram h : series.values()) columns.add(resample(h, lo, hi));

        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        int pw = WIDTH - LEFT - RIGHT, ph = HEIGHT - TOP - BOTTOM;
        long first = series.firstKey(), last = series.lastKey();
        // cells: step i spans from its own step to the next recorded step
        List<Long> steps = new ArrayList<>(series.keySet());
        double span = Math.max(1, last - first + (steps.size() > 1 ? (double) (last - first) / (steps.size() - 1) : 1));
        for (int i = 0; i < steps.size(); i++) {
            double s0 = steps.get(i) - first, s1 = i + 1 < steps.size() ? steps.get(i + 1) - first : span;
            int x0 = LEFT + (int) Math.floor(s0 / span * pw), x1 = LEFT + (int) Math.ceil(s1 / span * pw);
            double[] col = columns.get(i);
            for (int r = 0; r < ROWS; r++) {
                if (col[r] <= 0) continue;
                int y1 = TOP + ph - (int) Math.floor((double) r / ROWS * ph), y0 = TOP + ph - (int) Math.ceil((double) (r + 1) / ROWS * ph);
                g.setColor(colour(col[r]));
                g.fillRect(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0));
            }
        }
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(LEFT, TOP, pw, ph);

        Font small = new Font(Font.SANS_SERIF, Font.PLAIN, 12), label = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        g.setFont(small);
        FontMetrics fm = g.getFontMetrics();
        for (double t : Ticks.nice(first, first + span, 6)) {
            if (t < first || t > first + span) continue;
            int x = LEFT + (int) Math.round((t - first) / span * pw);
            g.drawLine(x, TOP + ph, x, TOP + ph + 5);
            String s = Ticks.format(t);
            g.drawString(s, x - fm.stringWidth(s) / 2, TOP + ph + 8 + fm.getAscent());
        }
        for (double t : Ticks.nice(lo, hi, 6)) {
            if (t < lo || t > hi) continue;
            int y = TOP + ph - (int) Math.round((t - lo) / (hi - lo) * ph);
            g.drawLine(LEFT - 5, y, LEFT, y);
            String s = Ticks.format(t);
            g.drawString(s, LEFT - 8 - fm.stringWidth(s), y + fm.getAscent() / 2 - 1);
        }
        g.setFont(label);
        fm = g.getFontMetrics();
        g.drawString("training step", LEFT + pw / 2 - fm.stringWidth("training step") / 2, HEIGHT - 18);
        drawVertical(g, "value", 22, TOP + ph / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        fm = g.getFontMetrics();
        g.drawString(title, WIDTH / 2 - fm.stringWidth(title) / 2, 32);
        colourBar(g, LEFT + pw + 30, TOP, ph);
        g.dispose();
        return img;
    }

    /** Fractions of the histogram's values per grid row over [lo, hi]. */
    static double[] resample(Histogram h, double lo, double hi) {
        double[] out = new double[ROWS];
        if (h.num() <= 0) return out;
        double scale = ROWS / (hi - lo);
        for (int i = 0; i < h.bucket().length; i++) {
            double c = h.bucket()[i] / h.num();
            if (c <= 0) continue;
            double a = (h.lowerEdge(i) - lo) * scale, b = (h.bucketLimit()[i] - lo) * scale;
            if (b - a < 1e-9) {
                out[Math.clamp((long) Math.floor(a), 0, ROWS - 1)] += c;
                continue;
            }
            for (int r = Math.max(0, (int) Math.floor(a)); r < Math.min(ROWS, (int) Math.ceil(b)); r++) {
                double overlap = Math.min(b, r + 1) - Math.max(a, r);
                if (overlap > 0) out[r] += c * overlap / (b - a);
            }
        }
        return out;
    }

    private static void colourBar(Graphics2D g, int x, int top, int h) {
        int w = 18;
        for (int y = 0; y < h; y++) {
            double f = Math.pow(10, Math.log10(FLOOR) * ((double) y / h)); // top = 1, bottom = FLOOR
            g.setColor(colour(f));
            g.fillRect(x, top + y, w, 1);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawRect(x, top, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int decades = (int) Math.round(-Math.log10(FLOOR));
        for (int d = 0; d <= decades; d++) {
            int y = top + (int) Math.round((double) d / decades * h);
            g.drawLine(x + w, y, x + w + 4, y);
            g.drawString(d == 0 ? "1" : "1e-" + d, x + w + 7, y + fm.getAscent() / 2 - 1);
        }
        drawVertical(g, "fraction of the step's values (log; white = 0)", x + w + 55, top + h / 2);
    }

    private static void drawVertical(Graphics2D g, String s, int x, int yCentre) {
        AffineTransform old = g.getTransform();
        g.rotate(-Math.PI / 2, x, yCentre);
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, yCentre);
        g.setTransform(old);
    }

    // viridis at 0, 0.25, 0.5, 0.75, 1
    private static final int[][] VIRIDIS = {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};

    /** Viridis colour of a fraction on a log scale from {@link #FLOOR} (dark) to 1 (bright). */
    static Color colour(double fraction) {
        double t = Math.clamp((Math.log10(Math.max(fraction, FLOOR)) - Math.log10(FLOOR)) / -Math.log10(FLOOR), 0, 1);
        double p = t * (VIRIDIS.length - 1);
        int i = Math.min(VIRIDIS.length - 2, (int) p);
        double f = p - i;
        int[] a = VIRIDIS[i], b = VIRIDIS[i + 1];
        return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
                (int) Math.round(a[2] + f * (b[2] - a[2])));
    }
}
