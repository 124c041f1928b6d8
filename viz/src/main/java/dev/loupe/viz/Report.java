package dev.loupe.viz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.BadInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders everything a run directory holds into {@code report/}: each renderer's pictures, then one
 * self-contained {@code index.html} that links them by relative path (no network, no scripts from
 * elsewhere). A small inline script marks the page with how many images decoded, so a headless
 * browser can check the report without a driver.
 */
public final class Report {
    /** One section of the report: its heading and the renderer that fills it. */
    public interface Section {
        String title();

        /** Writes pictures for {@code runDir} into {@code reportDir}; empty when the run has nothing for it. */
        List<Path> render(Path runDir, Path reportDir) throws IOException;
    }

    private final List<Section> sections = new ArrayList<>();
    private boolean svg;

    /** Also write SVG copies of the line charts and landscape plots, linked from the page. */
    public Report svg(boolean on) {
        this.svg = on;
        return this;
    }

    public Report add(String title, Renderer renderer) {
        sections.add(new Section() {
            @Override public String title() { return title; }

            @Override public List<Path> render(Path runDir, Path reportDir) throws IOException {
                return renderer.render(runDir, reportDir);
            }
        });
        return this;
    }

    /** The static {@code render(runDir, reportDir)} entry point each renderer class exposes. */
    @FunctionalInterface
    public interface Renderer {
        List<Path> render(Path runDir, Path reportDir) throws IOException;
    }

    /**
     * Renders every section and writes {@code reportDir/index.html}.
     *
     * @return the index file
     * @throws BadInputException when {@code runDir} is not a run directory or {@code reportDir} is a file
     */
    public Path write(Path runDir, Path reportDir) throws IOException {
        if (!Files.isDirectory(runDir)) throw new BadInputException("run directory " + runDir + " does not exist");
        if (!Files.isRegularFile(runDir.resolve("run.json"))) {
            throw new BadInputException(runDir + " is not a Loupe run (no run.json)");
        }
        if (Files.exists(reportDir) && !Files.isDirectory(reportDir)) {
            throw new BadInputException("report folder " + reportDir + " is a file");
        }
        Files.createDirectories(reportDir);
        Map<String, List<Path>> pictures = ScopedValue.where(Svg.ENABLED, svg).call(() -> {
            Map<String, List<Path>> out = new LinkedHashMap<>();
            for (Section s : sections) {
                List<Path> files = s.render(runDir, reportDir);
                if (!files.isEmpty()) out.put(s.title(), files);
            }
            return out;
        });
        Path index = reportDir.resolve("index.html");
        String html = html(readManifest(runDir), runDir, reportDir, pictures);
        AtomicFiles.writeBytes(index, html.getBytes(StandardCharsets.UTF_8));
        return index;
    }

    private static JsonNode readManifest(Path runDir) {
        try {
            return new ObjectMapper().readTree(runDir.resolve("run.json").toFile());
        } catch (IOException e) {
            throw new BadInputException("cannot read " + runDir.resolve("run.json") + ": " + e.getMessage());
        }
    }

    static String html(JsonNode run, Path runDir, Path reportDir, Map<String, List<Path>> pictures) {
        StringBuilder b = new StringBuilder(8192);
        String name = runDir.toAbsolutePath().normalize().getFileName().toString();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Loupe report: ")
                .append(esc(name)).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:1200px;")
                .append("padding:0 1rem;color:#222}\nh1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;")
                .append("border-bottom:1px solid #ddd;padding-bottom:.3rem}\ntable.meta{border-collapse:collapse;")
                .append("font-size:.9rem}table.meta td{padding:.15rem .8rem .15rem 0;vertical-align:top}")
                .append("table.meta td:first-child{color:#666}\nnav a{margin-right:1rem}\n")
                .append(".grid{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0;flex:1 1 520px;max-width:100%}")
                .append("figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:.8rem;color:#666}\n")
                .append("</style></head>\n<body>\n<h1>Loupe report: ").append(esc(name)).append("</h1>\n");
        b.append("<table class=\"meta\">\n");
        row(b, "model", text(run, "model", "name") + " (" + text(run, "model", "parameters") + " parameters)");
        row(b, "data", text(run, "data", "name") + " — " + text(run, "data", "source"));
        row(b, "backend", text(run, "backend", "name") + " — " + text(run, "backend", "device"));
        row(b, "seed", text(run, "seed"));
        JsonNode result = run.path("result");
        if (!result.isMissingNode()) {
            List<String> parts = new ArrayList<>();
            // floating-point results to 4 decimals (losses, accuracies); everything else as written
            result.fields().forEachRemaining(e -> parts.add(e.getKey() + " = " + (e.getValue().isFloatingPointNumber()
                    ? String.format(java.util.Locale.ROOT, "%.4f", e.getValue().asDouble()) : e.getValue().asText())));
            row(b, "result", String.join(", ", parts));
        }
        row(b, "created", text(run, "created"));
        row(b, "git commit", text(run, "git_commit"));
        b.append("</table>\n");
        if (pictures.isEmpty()) {
            b.append("<p>This run has nothing to draw yet: train with recording on, or run <code>loupe explain</code> ")
                    .append("or <code>loupe landscape</code>, then render again.</p>\n");
        } else {
            b.append("<nav>");
            for (String title : pictures.keySet()) {
                b.append("<a href=\"#").append(anchor(title)).append("\">").append(esc(title)).append("</a>");
            }
            b.append("</nav>\n");
        }
        for (Map.Entry<String, List<Path>> e : pictures.entrySet()) {
            b.append("<h2 id=\"").append(anchor(e.getKey())).append("\">").append(esc(e.getKey())).append("</h2>\n")
                    .append("<div class=\"grid\">\n");
            for (Path p : e.getValue()) {
                String rel = reportDir.toAbsolutePath().normalize().relativize(p.toAbsolutePath().normalize())
                        .toString().replace('\\', '/');
                b.append("<figure><a href=\"").append(esc(rel)).append("\"><img src=\"").append(esc(rel))
                        .append("\" alt=\"").append(esc(caption(p))).append("\"></a><figcaption>")
                        .append(esc(caption(p)));
                Path svg = Svg.beside(p);
                if (rel.endsWith(".png") && Files.isRegularFile(svg)) {
                    b.append(" · <a href=\"").append(esc(rel.substring(0, rel.length() - 4) + ".svg")).append("\">SVG</a>");
                }
                b.append("</figcaption></figure>\n");
            }
            b.append("</div>\n");
        }
        // Lets a headless browser confirm that every picture decoded (read back with --dump-dom).
        b.append("<script>window.addEventListener('load',function(){var im=document.images,ok=0;")
                .append("for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0)ok++;}")
                .append("document.body.setAttribute('data-images',ok+'/'+im.length);});</script>\n")
                .append("</body></html>\n");
        return b.toString();
    }

    private static String caption(Path p) {
        String f = p.getFileName().toString();
        int dot = f.lastIndexOf('.');
        return (dot > 0 ? f.substring(0, dot) : f).replace('_', ' ').replace('-', ' ');
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("<tr><td>").append(esc(k)).append("</td><td>").append(esc(v)).append("</td></tr>\n");
    }

    private static String text(JsonNode n, String... path) {
        for (String p : path) n = n.path(p);
        return n.isMissingNode() || n.isNull() ? "?" : n.asText();
    }

    private static String anchor(String title) {
        return title.toLowerCase().replaceAll("[^a-z0-9]+", "-");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
