package dev.loupe.engine.explain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes {@code RUN/explain/<method>/}: {@code attributions.npy} and {@code inputs.npy} (both
 * {@code [N, …input shape]}), {@code regions.npy} ({@code [N, H, W]}, when ground truth is known)
 * and {@code meta.json}; the folder appears complete or not at all.
 */
public final class ExplanationWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ExplanationWriter() {}

    /** What the run knows about the explained samples besides the attributions. */
    public record Context(float[] inputs, int[] predicted, int[] labels, List<String> classNames, float[] regions,
                          Localization.Result localization, Map<String, Object> provenance) {}

    /** Writes the folder for {@code e} under {@code explainRoot} and returns it. */
    public static Path write(Path explainRoot, Explanation e, Context ctx) {
        Path dir = explainRoot.resolve(e.method().cliName());
        int[] shape = new int[e.inputShape().length + 1];
        shape[0] = e.n();
        System.arraycopy(e.inputShape(), 0, shape, 1, e.inputShape().length);
        ObjectNode meta = meta(e, ctx);
        AtomicFiles.writeDirectory(dir, tmp -> {
            NpyFiles.write(tmp.resolve("attributions.npy"), new NpyArray(shape, e.values()));
            NpyFiles.write(tmp.resolve("inputs.npy"), new NpyArray(shape, ctx.inputs()));
            if (ctx.regions() != null) {
                NpyFiles.write(tmp.resolve("regions.npy"), new NpyArray(new int[] {e.n(), shape[1], shape[2]}, ctx.regions()));
            }
            Files.writeString(tmp.resolve("meta.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta),
                    StandardCharsets.UTF_8);
        });
        return dir;
    }

    static ObjectNode meta(Explanation e, Context ctx) {
        ObjectNode m = JSON.createObjectNode();
        m.put("format", "loupe-explain/1");
        m.put("method", e.method().cliName());
        m.put("signed", e.method().signed());
        m.put("samples", e.n());
        m.putPOJO("input_shape", e.inputShape());
        m.set("parameters", JSON.valueToTree(e.params()));
        m.put("target_meaning", "attributions explain the logit (pre-softmax score) of the target class");
        m.putPOJO("targets", e.targets());
        m.putPOJO("predicted", ctx.predicted());
        if (ctx.labels() != null) m.putPOJO("labels", ctx.labels());
        if (ctx.classNames() != null) m.putPOJO("class_names", ctx.classNames());
        m.putPOJO("target_logits", e.targetLogits());
        if (e.delta() != null) {
            m.putPOJO("baseline_logits", e.baselineLogits());
            m.putPOJO("convergence_delta", e.delta());
            double worst = 0;
            for (double v : e.delta()) worst = Math.max(worst, Math.abs(v));
            m.put("max_abs_convergence_delta", worst);
        }
        if (ctx.localization() != null) {
            Localization.Result r = ctx.localization();
            ObjectNode l = m.putObject("localization");
            l.put("samples", r.n()).put("pointing_game_hit_rate", r.hitRate()).put("mean_mass_inside_region", r.meanMassInside())
                    .put("region_share_of_image", r.uniformShare())
                    .put("score", "per pixel sum over channels of |attribution|; hit = argmax pixel inside the region");
            ArrayNode hits = l.putArray("hits");
            for (boolean h : r.hits()) hits.add(h);
        }
        m.set("provenance", JSON.valueToTree(ctx.provenance()));
        return m;
    }
}
