package dev.loupe.engine.landscape;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Updater;
import dev.loupe.engine.train.StepEvent;
import dev.loupe.engine.train.TrainListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Keeps a bounded record of the parameters along training, for the trajectory and the
 * interpolation from the initial point: {@code RUN/snapshots/step-N.npy} (fp32, all parameters in
 * the network's flat order, written atomically) for every step N that is a multiple of a stride.
 * The stride starts at 1 and doubles whenever more than {@code max} snapshots would be kept, which
 * drops every other one; so memory is one parameter vector and disk at most {@code max+1} of them
 * (the final parameters are always kept too). Step 0, the initial parameters, is never dropped.
 * The stride lives in {@code snapshots/state.json}, so a resumed run continues the same schedule.
 */
public final class SnapshotKeeper implements TrainListener {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;
    private final int max;
    private long stride;
    private long lastStep = -1;

    /** Keeps at most {@code max} (≥ 2) strided snapshots under {@code runDir/snapshots}. */
    public SnapshotKeeper(Path runDir, int max) {
        if (max < 2) throw new IllegalArgumentException("at least 2 snapshots, got " + max);
        this.dir = runDir.resolve("snapshots");
        this.max = max;
        this.stride = readStride(dir);
    }

    /** Saves the parameters at {@code step} (call with step 0 before training starts). */
    public void save(long step, Network net) {
        if (step % stride != 0) return;
        write(step, net.getParams());
        List<Long> steps = Snapshots.steps(dir);
        while (steps.stream().filter(s -> s % stride == 0).count() > max) {
            stride *= 2;
            writeState();
        }
        for (long s : steps) if (s % stride != 0) delete(s);
    }

    @Override
    public void onStep(StepEvent e, Network net, Updater updater) {
        lastStep = e.step() + 1; // parameters after the update of step e.step()
        save(lastStep, net);
    }

    @Override
    public void onEnd(Network net) {
        // the final parameters, whatever the stride: the trajectory's end point
        if (lastStep >= 0 && lastStep % stride != 0) {
            for (long s : Snapshots.steps(dir)) if (s % stride != 0) delete(s);
            write(lastStep, net.getParams());
        }
    }

    private void write(long step, float[] params) {
        if (stride == 1 && !Files.exists(dir.resolve("state.json"))) writeState();
        NpyFiles.write(dir.resolve("step-" + step + ".npy"), new NpyArray(new int[] {params.length}, params));
    }

    private void delete(long step) {
        try {
            Files.deleteIfExists(dir.resolve("step-" + step + ".npy"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot drop snapshot step-" + step, e);
        }
    }

    private void writeState() {
        ObjectNode s = JSON.createObjectNode().put("stride", stride).put("max", max);
        try {
            AtomicFiles.writeBytes(dir.resolve("state.json"), JSON.writeValueAsBytes(s));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long readStride(Path dir) {
        Path f = dir.resolve("state.json");
        if (!Files.isRegularFile(f)) return 1;
        try {
            return Math.max(1, JSON.readTree(f.toFile()).path("stride").asLong(1));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /** The current stride between kept steps. */
    public long stride() { return stride; }
}
