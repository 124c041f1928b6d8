package dev.loupe.engine.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.NpyFiles;
import dev.loupe.datasets.NpyArray;
import dev.loupe.engine.nn.ModelJson;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.nn.Param;
import dev.loupe.engine.optim.Updater;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checkpoints under {@code RUN/checkpoints/step-N/}: {@code model.json}, {@code params/<layer>.<param>.npy},
 * {@code optimizer/state-<i>.npy} and {@code state.json} (epoch, batch, step, optimizer step count).
 * Each is written to a temporary folder, fsynced and renamed, so a crash leaves either the whole
 * checkpoint or none; only the newest {@code keep} are kept.
 */
public final class Checkpoints implements Checkpointer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path root;
    private final int keep;

    public Checkpoints(Path runDir, int keep) {
        this.root = runDir.resolve("checkpoints");
        this.keep = keep;
    }

    /** A loaded checkpoint: where training stands and the host copies of its tensors. */
    public record Loaded(Path dir, ModelSpec model, TrainState state, long optimizerSteps, float[] params, float[][] optimizerState) {}

    @Override
    public void save(TrainState next, Network net, Updater updater) {
        float[] params = net.getParams();
        float[][] state = updater.exportState();
        Path dir = root.resolve("step-" + next.step());
        AtomicFiles.writeDirectory(dir, tmp -> {
            Files.writeString(tmp.resolve("model.json"), ModelJson.write(net.spec()), StandardCharsets.UTF_8);
            Path p = Files.createDirectories(tmp.resolve("params"));
            for (Param prm : net.params()) {
                float[] slice = new float[(int) prm.size()];
                System.arraycopy(params, (int) prm.offset(), slice, 0, slice.length);
                NpyFiles.write(p.resolve(prm.id() + ".npy"), new NpyArray(prm.shape(), slice));
            }
            Path o = Files.createDirectories(tmp.resolve("optimizer"));
            for (int i = 0; i < state.length; i++) {
                NpyFiles.write(o.resolve("state-" + i + ".npy"), new NpyArray(new int[] {state[i].length}, state[i]));
            }
            ObjectNode s = JSON.createObjectNode();
            s.put("epoch", next.epoch()).put("batch", next.batch()).put("step", next.step())
                    .put("optimizer", updater.optimizer().name()).put("optimizer_steps", updater.steps())
                    .put("optimizer_state_vectors", state.length);
            Files.writeString(tmp.resolve("state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(s));
        });
        prune();
    }

    private void prune() {
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) {
            try (Stream<Path> walk = Files.walk(all.get(i))) {
                for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prune old checkpoint " + all.get(i), e);
            }
        }
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> list() {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("step-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve("state.json")))
                    .sorted(Comparator.comparingLong(Checkpoints::stepOf)).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long stepOf(Path p) {
        return Long.parseLong(p.getFileName().toString().substring(5));
    }

    /** The newest checkpoint, if any. */
    public Optional<Path> latest() {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
    }

    /** Resolves {@code step-N} (or a path) to a checkpoint folder of this run. */
    public Path resolve(String name) {
        Path dir = root.resolve(name);
        if (!Files.isRegularFile(dir.resolve("state.json"))) {
            throw new BadInputException("no checkpoint '" + name + "' in " + root + " (have: "
                    + String.join(", ", list().stream().map(p -> p.getFileName().toString()).toList()) + ")");
        }
        return dir;
    }

    /** Reads a checkpoint folder; parameters are laid out for a network built from its model.json. */
    public static Loaded load(Path dir, int[] inputShape, Network layoutOf) {
        try {
            ModelSpec spec = ModelJson.read(dir.resolve("model.json"));
            JsonNode s = JSON.readTree(dir.resolve("state.json").toFile());
            TrainState state = new TrainState(s.get("epoch").asInt(), s.get("batch").asInt(), s.get("step").asLong());
            float[] params = new float[(int) layoutOf.paramCount()];
            for (Param prm : layoutOf.params()) {
                NpyArray a = NpyFiles.read(dir.resolve("params").resolve(prm.id() + ".npy"));
                if (a.data().length != prm.size()) {
                    throw new BadInputException(dir + ": " + prm.id() + " has " + a.data().length + " values, expected " + prm.size());
                }
                System.arraycopy(a.data(), 0, params, (int) prm.offset(), a.data().length);
            }
            int vectors = s.path("optimizer_state_vectors").asInt(0);
            float[][] opt = new float[vectors][];
            for (int i = 0; i < vectors; i++) opt[i] = NpyFiles.read(dir.resolve("optimizer").resolve("state-" + i + ".npy")).data();
            return new Loaded(dir, spec, state, s.path("optimizer_steps").asLong(state.step()), params, opt);
        } catch (IOException e) {
            throw new BadInputException("cannot read checkpoint " + dir + ": " + e.getMessage());
        }
    }

    /** Reads only the model description of a checkpoint. */
    public static ModelSpec model(Path dir) {
        return ModelJson.read(dir.resolve("model.json"));
    }
}
