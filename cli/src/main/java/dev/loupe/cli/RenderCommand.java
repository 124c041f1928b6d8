package dev.loupe.cli;

import dev.loupe.datasets.AtomicFiles;
import dev.loupe.viz.Reports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe render}: draws a run's recordings, explanations and landscapes into {@code DIR/report/}. */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = "Draw a run's pictures (training curves, layer statistics, explanations, loss landscapes) "
                + "into DIR/report/ and write DIR/report/index.html.")
final class RenderCommand implements Callable<Integer> {
    @Option(names = "--run", required = true, description = "run directory")
    Path run;

    @Option(names = "--out", description = "report folder (default: RUN/report)")
    Path out;

    @Option(names = "--svg", description = "also write SVG copies of the training charts and landscape plots (vector: lines, "
            + "contours and text; a long run's charts make SVGs of megabytes), linked from the report")
    boolean svg;

    @Override
    public Integer call() throws Exception {
        Path dest = out != null ? out : run.resolve("report");
        // a missing run is reported by Reports; an unwritable report folder is reported here, before drawing
        if (Files.isDirectory(run)) AtomicFiles.createOutputDirectory(dest, out != null ? "--out" : "report");
        Path index = Reports.standard().svg(svg).write(run, dest);
        System.out.println(index.toAbsolutePath());
        return 0;
    }
}
