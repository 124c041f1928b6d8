package dev.loupe.viz;

import de.erichseifert.vectorgraphics2d.Document;
import de.erichseifert.vectorgraphics2d.Processors;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import dev.loupe.datasets.AtomicFiles;
import java.awt.Graphics2D;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Vector copies of the charts and landscape plots, beside their PNGs ({@code x.png} → {@code x.svg}):
 * lines, contours and text stay sharp at any size for papers and slides; a heatmap inside a plot
 * stays an embedded image. Written atomically, like every file of the report, and only while a
 * {@link Report} asked for them ({@link #ENABLED}): a long run's charts hold every step, which
 * makes their SVGs megabytes.
 */
final class Svg {
    /** Whether the report being rendered wants SVG copies (unbound: no). */
    static final ScopedValue<Boolean> ENABLED = ScopedValue.newInstance();

    private Svg() {}

    private static boolean enabled() {
        return ENABLED.orElse(false);
    }

    /** The SVG that goes with {@code png}. */
    static Path beside(Path png) {
        String f = png.getFileName().toString();
        return png.resolveSibling((f.endsWith(".png") ? f.substring(0, f.length() - 4) : f) + ".svg");
    }

    /** Draws {@code w × h} of Java2D into an SVG file (when enabled). */
    static void write(Path svg, int w, int h, Consumer<Graphics2D> draw) {
        if (!enabled()) return;
        VectorGraphics2D g = new VectorGraphics2D();
        draw.accept(g);
        g.dispose();
        Document doc = Processors.get("svg").getDocument(g.getCommands(), new PageSize(0, 0, w, h));
        AtomicFiles.write(svg, doc::writeTo);
    }

    /** An XChart chart as SVG (when enabled). */
    static void write(Path svg, Chart<?, ?> chart) {
        if (!enabled()) return;
        AtomicFiles.write(svg, o -> VectorGraphicsEncoder.saveVectorGraphic(chart, o, VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
    }
}
