package dev.loupe.viz;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A filled contour plot drawn with Java2D: a smoothly interpolated heatmap of {@code z[row][col]}
 * over axes {@code xs} (columns) and {@code ys} (rows), contour lines with labelled levels, a
 * colour bar, and optional paths and markers on top. Colours follow log10(z) when the values span
 * more than a factor of 5 (loss surfaces rise steeply away from a minimum).
 */
final class ContourPlot {
    private static final int W = 940, H = 760, LEFT = 90, RIGHT = 170, TOP = 60, BOTTOM = 80;
    private static final Color[] VIRIDIS = {new Color(68, 1, 84), new Color(59, 82, 139), new Color(33, 145, 140),
            new Color(94, 201, 98), new Color(253, 231, 37)};

    private record Overlay(double[] x, double[] y, Color color, String label, boolean line) {}

    private final String title, xLabel, yLabel, zLabel;
    private final double[] xs, ys;
    private final double[][] z;
    private final List<Overlay> overlays = new ArrayList<>();
    private final List<String> legend = new ArrayList<>();
    private final boolean log;
    private final double zMin, zMax;

    ContourPlot(String title, String xLabel, String yLabel, String zLabel, double[] xs, double[] ys, double[][] z) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.xs = xs;
        this.ys = ys;
        this.z = z;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double[] row : z) for (double v : row) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        this.zMin = lo;
        this.zMax = hi;
        this.log = lo > 0 && hi / lo > 5;
        this.zLabel = zLabel + (log ? " (log colour scale)" : "");
    }

    /** A polyline (e.g. a training path) with dots at its points. */
    ContourPlot path(double[] x, double[] y, Color c, String label) {
        overlays.add(new Overlay(x, y, c, label, true));
        return this;
    }

    /** One labelled marker. */
    ContourPlot marker(double x, double y, Color c, String label) {
        overlays.add(new Overlay(new double[] {x}, new double[] {y}, c, label, false));
        return this;
    }

    private double t(double v) { // colour coordinate in [0, 1]
        double a = log ? Math.log10(Math.max(v, zMin)) : v, lo = log ? Math.log10(zMin) : zMin, hi = log ? Math.log10(zMax) : zMax;
        return hi > lo ? Math.min(1, Math.max(0, (a - lo) / (hi - lo))) : 0.5;
    }

    static Color colour(double t) {
        double s = t * (VIRIDIS.length - 1);
        int i = Math.min(VIRIDIS.length - 2, (int) s);
        double f = s - i;
        Color a = VIRIDIS[i], b = VIRIDIS[i + 1];
        return new Color((int) (a.getRed() + f * (b.getRed() - a.getRed())), (int) (a.getGreen() + f * (b.getGreen() - a.getGreen())),
                (int) (a.getBlue() + f * (b.getBlue() - a.getBlue())));
    }

    /** Contour levels: nice values between the extremes (log-spaced on a log scale). */
    double[] levels() {
        List<Double> out = new ArrayList<>();
        if (log) {
            for (int e = (int) Math.floor(Math.log10(zMin)); e <= Math.ceil(Math.log10(zMax)); e++) {
                // denser levels when the values span few decades, so the basin still gets several contours
                double[] mult = Math.log10(zMax / zMin) < 1.5 ? new double[] {1, 1.5, 2, 3, 5, 7} : new double[] {1, 2, 5};
                for (double m : mult) {
                    double v = m * Math.pow(10, e);
                    if (v > zMin && v < zMax) out.add(v);
                }
            }
        } else {
            double step = Ticks.niceStep((zMax - zMin) / 10);
            for (double v = Math.ceil(zMin / step) * step; v < zMax; v += step) if (v > zMin) out.add(v);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static final Font MARKER_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);

    /** Pixel position of a data point. */
    private double[] pixel(double x, double y, int pw, int ph) {
        double x0 = xs[0], x1 = xs[xs.length - 1], y0 = ys[0], y1 = ys[ys.length - 1];
        return new double[] {LEFT + (x - x0) / (x1 - x0) * pw, TOP + (1 - (y - y0) / (y1 - y0)) * ph};
    }

    /**
     * Where each marker's label goes: the first of right-above, right-below, left-above,
     * left-below, above and below the marker that stays inside the frame and clear of the paths and
     * of the labels placed before it (the first that fits the frame when none is clear).
     */
    private List<Rectangle2D> markerLabelBoxes(FontMetrics fm, List<Rectangle2D> pathBoxes, int pw, int ph) {
        List<Rectangle2D> placed = new ArrayList<>();
        for (Overlay o : overlays) {
            if (o.line()) continue;
            double[] p = pixel(o.x()[0], o.y()[0], pw, ph);
            int tw = fm.stringWidth(o.label()) + 4, th = fm.getAscent() + fm.getDescent() + 4;
            double[][] corners = { // top-left corners of the candidate boxes
                {p[0] + 10, p[1] - 8 - th}, {p[0] + 10, p[1] + 8}, {p[0] - 10 - tw, p[1] - 8 - th}, {p[0] - 10 - tw, p[1] + 8},
                {p[0] - tw / 2.0, p[1] - 12 - th}, {p[0] - tw / 2.0, p[1] + 12}};
            Rectangle2D chosen = null, firstInside = null;
            for (double[] c : corners) {
                Rectangle2D box = new Rectangle2D.Double(c[0], c[1], tw, th);
                if (box.getX() < LEFT + 2 || box.getMaxX() > LEFT + pw - 2 || box.getY() < TOP + 2 || box.getMaxY() > TOP + ph - 2) continue;
                if (firstInside == null) firstInside = box;
                if (!collides(box, pathBoxes) && !collides(box, placed)) { chosen = box; break; }
            }
            if (chosen == null) chosen = firstInside != null ? firstInside : new Rectangle2D.Double(p[0] - tw / 2.0, p[1] + 12, tw, th);
            placed.add(chosen);
        }
        return placed;
    }

    /** Boxes along every path: its points, and its lines every few pixels. */
    private List<Rectangle2D> pathBoxes(int pw, int ph) {
        List<Rectangle2D> out = new ArrayList<>();
        for (Overlay o : overlays) {
            if (!o.line()) continue;
            double[] prev = null;
            for (int i = 0; i < o.x().length; i++) {
                double[] p = pixel(o.x()[i], o.y()[i], pw, ph);
                out.add(new Rectangle2D.Double(p[0] - 4, p[1] - 4, 8, 8));
                if (prev != null) {
                    int steps = (int) (Math.hypot(p[0] - prev[0], p[1] - prev[1]) / 6);
                    for (int k = 1; k < steps; k++) {
                        double f = (double) k / steps;
                        out.add(new Rectangle2D.Double(prev[0] + f * (p[0] - prev[0]) - 2, prev[1] + f * (p[1] - prev[1]) - 2, 4, 4));
                    }
                }
                prev = p;
            }
        }
        return out;
    }

    private static Rectangle2D labelBox(double cx, double cy, int bw, int bh) {
        return new Rectangle2D.Double(cx - bw / 2.0, cy - bh / 2.0 - 1, bw, bh);
    }

    private static boolean collides(Rectangle2D box, List<Rectangle2D> taken) {
        for (Rectangle2D t : taken) if (t.intersects(box)) return true;
        return false;
    }

    /** The plot as a PNG, and the same drawing as an SVG beside it. */
    void write(Path png) {
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        draw(g);
        g.dispose();
        try {
            Files.createDirectories(png.toAbsolutePath().getParent());
            ImageIO.write(img, "png", png.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + png, e);
        }
        Svg.write(Svg.beside(png), W, H, this::draw);
    }

    private void draw(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        int pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM;
        double x0 = xs[0], x1 = xs[xs.length - 1], y0 = ys[0], y1 = ys[ys.length - 1];
        // heatmap: bilinear interpolation of the grid at every pixel (an image, also inside an SVG)
        BufferedImage heat = new BufferedImage(pw, ph, BufferedImage.TYPE_INT_RGB);
        for (int py = 0; py < ph; py++) {
            double gy = (1 - (py + 0.5) / ph) * (ys.length - 1);
            for (int px = 0; px < pw; px++) {
                double gx = (px + 0.5) / pw * (xs.length - 1);
                heat.setRGB(px, py, colour(t(bilinear(gx, gy))).getRGB());
            }
        }
        g.drawImage(heat, LEFT, TOP, null);
        // contours by marching squares, labelled once each; a label keeps clear of the markers, their
        // labels, the paths' points and the labels placed before it
        double[] levels = levels();
        List<Rectangle2D> taken = pathBoxes(pw, ph);
        List<Rectangle2D> markerLabels = markerLabelBoxes(g.getFontMetrics(MARKER_FONT), taken, pw, ph);
        for (Overlay o : overlays) {
            if (o.line()) continue;
            double[] p = pixel(o.x()[0], o.y()[0], pw, ph);
            taken.add(new Rectangle2D.Double(p[0] - 9, p[1] - 9, 18, 18));
        }
        taken.addAll(markerLabels);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics lfm = g.getFontMetrics();
        for (int li = 0; li < levels.length; li++) {
            double lv = levels[li];
            List<Line2D> segs = contour(lv, pw, ph);
            g.setColor(new Color(255, 255, 255, 200));
            g.setStroke(new BasicStroke(1.1f));
            for (Line2D s : segs) g.draw(s);
            if (segs.isEmpty()) continue;
            String text = Ticks.format(lv);
            int bw = lfm.stringWidth(text) + 6, bh = lfm.getAscent() + 4;
            // spread labels: the free segment nearest a point that moves along the diagonal with the level
            double tx = LEFT + pw * (0.2 + 0.6 * (li + 0.5) / levels.length), ty = TOP + ph * (0.25 + 0.5 * ((li * 0.37) % 1));
            Line2D best = null, fallback = segs.getFirst();
            double bd = Double.MAX_VALUE, fd = Double.MAX_VALUE;
            for (Line2D s : segs) {
                double cx0 = (s.getX1() + s.getX2()) / 2, cy0 = (s.getY1() + s.getY2()) / 2;
                if (cx0 < LEFT + 20 || cx0 > LEFT + pw - 20 || cy0 < TOP + 12 || cy0 > TOP + ph - 12) continue; // label fits inside
                double d = (cx0 - tx) * (cx0 - tx) + (cy0 - ty) * (cy0 - ty);
                if (d < fd) { fd = d; fallback = s; }
                if (d < bd && !collides(labelBox(cx0, cy0, bw, bh), taken)) { bd = d; best = s; }
            }
            if (best == null) best = fallback; // nowhere free: the nearest place, as before
            int cx = (int) ((best.getX1() + best.getX2()) / 2), cy = (int) ((best.getY1() + best.getY2()) / 2);
            taken.add(labelBox(cx, cy, bw, bh));
            g.setColor(new Color(255, 255, 255, 220));
            g.fillRoundRect(cx - bw / 2, cy - lfm.getAscent() / 2 - 3, bw, bh, 6, 6);
            g.setColor(Color.BLACK);
            g.drawString(text, cx - lfm.stringWidth(text) / 2, cy + lfm.getAscent() / 2 - 1);
        }
        // overlays
        int markerIndex = 0;
        for (Overlay o : overlays) {
            g.setColor(o.color());
            Path2D p = new Path2D.Double();
            for (int i = 0; i < o.x().length; i++) {
                double px = LEFT + (o.x()[i] - x0) / (x1 - x0) * pw, py = TOP + (1 - (o.y()[i] - y0) / (y1 - y0)) * ph;
                if (i == 0) p.moveTo(px, py); else p.lineTo(px, py);
                int r = o.line() ? 3 : 7;
                g.fillOval((int) px - r, (int) py - r, 2 * r, 2 * r);
                if (!o.line()) {
                    g.setColor(Color.BLACK);
                    g.drawOval((int) px - r, (int) py - r, 2 * r, 2 * r);
                    g.setFont(MARKER_FONT);
                    Rectangle2D box = markerLabels.get(markerIndex++);
                    outlined(g, o.label(), (int) box.getX() + 2, (int) box.getY() + 2 + g.getFontMetrics().getAscent());
                    g.setColor(o.color());
                }
            }
            if (o.line()) {
                g.setStroke(new BasicStroke(2f));
                g.draw(p);
            }
        }
        // frame, ticks, labels
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1f));
        g.drawRect(LEFT, TOP, pw, ph);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (double v : Ticks.ticks(x0, x1, 7)) {
            int px = (int) Math.round(LEFT + (v - x0) / (x1 - x0) * pw);
            g.drawLine(px, TOP + ph, px, TOP + ph + 5);
            String s = Ticks.format(v);
            g.drawString(s, px - fm.stringWidth(s) / 2, TOP + ph + 20);
        }
        for (double v : Ticks.ticks(y0, y1, 7)) {
            int py = (int) Math.round(TOP + (1 - (v - y0) / (y1 - y0)) * ph);
            g.drawLine(LEFT - 5, py, LEFT, py);
            String s = Ticks.format(v);
            g.drawString(s, LEFT - 8 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        fm = g.getFontMetrics();
        g.drawString(xLabel, LEFT + pw / 2 - fm.stringWidth(xLabel) / 2, H - 28);
        rotated(g, yLabel, 24, TOP + ph / 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        fm = g.getFontMetrics();
        g.drawString(title, W / 2 - fm.stringWidth(title) / 2, 32);
        // legend of the overlays, under the plot
        int lx = LEFT;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        fm = g.getFontMetrics();
        for (Overlay o : overlays) {
            if (!o.line()) continue;
            g.setColor(o.color());
            g.fillRect(lx, H - 16, 18, 4);
            g.setColor(Color.BLACK);
            g.drawString(o.label(), lx + 24, H - 10);
            lx += 40 + fm.stringWidth(o.label());
        }
        colourBar(g, levels, ph);
    }

    private void colourBar(Graphics2D g, double[] levels, int ph) {
        int bx = W - RIGHT + 40, bw = 22;
        BufferedImage bar = new BufferedImage(bw, ph, BufferedImage.TYPE_INT_RGB); // an image: no seams between rows in an SVG
        for (int py = 0; py < ph; py++) {
            int rgb = colour(1 - (py + 0.5) / ph).getRGB();
            for (int px = 0; px < bw; px++) bar.setRGB(px, py, rgb);
        }
        g.drawImage(bar, bx, TOP, null);
        g.setColor(Color.BLACK);
        g.drawRect(bx, TOP, bw, ph);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        FontMetrics fm = g.getFontMetrics();
        List<Double> marks = new ArrayList<>();
        marks.add(zMin);
        for (double l : levels) marks.add(l);
        marks.add(zMax);
        int lastY = Integer.MIN_VALUE;
        for (int i = marks.size() - 1; i >= 0; i--) {
            double v = marks.get(i);
            int py = (int) Math.round(TOP + (1 - t(v)) * ph);
            if (Math.abs(py - lastY) < fm.getAscent() + 1 && i != 0) continue;
            lastY = py;
            g.drawLine(bx + bw, py, bx + bw + 4, py);
            String s = (i == 0 ? "min " : i == marks.size() - 1 ? "max " : "") + Ticks.format(v);
            g.drawString(s, bx + bw + 7, py + fm.getAscent() / 2 - 1);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        rotated(g, zLabel, bx - 10, TOP + ph / 2);
    }

    private static void outlined(Graphics2D g, String s, int x, int y) {
        Color c = g.getColor();
        g.setColor(Color.WHITE);
        for (int dx = -1; dx <= 1; dx++) for (int dy = -1; dy <= 1; dy++) g.drawString(s, x + dx, y + dy);
        g.setColor(Color.BLACK);
        g.drawString(s, x, y);
        g.setColor(c);
    }

    private static void rotated(Graphics2D g, String s, int x, int y) {
        AffineTransform old = g.getTransform();
        g.rotate(-Math.PI / 2, x, y);
        g.drawString(s, x - g.getFontMetrics().stringWidth(s) / 2, y);
        g.setTransform(old);
    }

    private double bilinear(double gx, double gy) {
        int c = Math.min(xs.length - 2, (int) gx), r = Math.min(ys.length - 2, (int) gy);
        double fx = gx - c, fy = gy - r;
        return (1 - fy) * ((1 - fx) * z[r][c] + fx * z[r][c + 1]) + fy * ((1 - fx) * z[r + 1][c] + fx * z[r + 1][c + 1]);
    }

    /** Marching squares over the grid cells, in pixel coordinates (linear interpolation along edges). */
    private List<Line2D> contour(double lv, int pw, int ph) {
        List<Line2D> segs = new ArrayList<>();
        for (int r = 0; r + 1 < ys.length; r++) {
            for (int c = 0; c + 1 < xs.length; c++) {
                double a = z[r][c], b = z[r][c + 1], cc = z[r + 1][c + 1], d = z[r + 1][c];
                // corners in grid units: a (c, r), b (c+1, r), cc (c+1, r+1), d (c, r+1)
                List<double[]> pts = new ArrayList<>(4);
                edge(pts, a, b, c, r, c + 1, r, lv);
                edge(pts, b, cc, c + 1, r, c + 1, r + 1, lv);
                edge(pts, cc, d, c + 1, r + 1, c, r + 1, lv);
                edge(pts, d, a, c, r + 1, c, r, lv);
                for (int i = 0; i + 1 < pts.size(); i += 2) {
                    segs.add(new Line2D.Double(px(pts.get(i)[0], pw), py(pts.get(i)[1], ph), px(pts.get(i + 1)[0], pw), py(pts.get(i + 1)[1], ph)));
                }
            }
        }
        return segs;
    }

    private static void edge(List<double[]> pts, double va, double vb, double xa, double ya, double xb, double yb, double lv) {
        if ((va < lv) == (vb < lv) || !Double.isFinite(va) || !Double.isFinite(vb)) return;
        double f = (lv - va) / (vb - va);
        pts.add(new double[] {xa + f * (xb - xa), ya + f * (yb - ya)});
    }

    private double px(double gx, int pw) { return LEFT + gx / (xs.length - 1) * pw; }

    private double py(double gy, int ph) { return TOP + (1 - gy / (ys.length - 1)) * ph; }
}
