package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe landscape} end to end on a small trained run, and its bad-input exits. */
class LandscapeCommandTest {
    @TempDir
    static Path tmp;
    static Path run, bare;

    @BeforeAll
    static void train() throws Exception {
        Path model = tmp.resolve("m.json");
        Files.writeString(model, "{\"layers\": [{\"type\": \"dense\", \"units\": 16}, {\"type\": \"relu\"}, {\"type\": \"dense\", \"units\": 4}]}");
        run = tmp.resolve("run");
        bare = tmp.resolve("bare");
        for (Path r : new Path[] {run, bare}) {
            CliRunner.Outcome o = CliRunner.run("train", "--dataset", "blobs", "--model", model.toString(), "--backend", "reference",
                    "--epochs", "3", "--batch", "50", "--lr", "0.05", "--snapshots", r == run ? "8" : "0", "--run", r.toString());
            assertEquals(0, o.exit(), o.err());
        }
    }

    private static CliRunner.Outcome badInput(String mention, String... args) {
        CliRunner.Outcome o = CliRunner.run(args);
        assertEquals(2, o.exit(), () -> o.out() + o.err());
        assertEquals(1, o.err().strip().lines().count(), () -> "one line:\n" + o.err());
        assertTrue(o.err().startsWith("loupe:") && o.err().contains(mention), o.err());
        return o;
    }

    @Test
    void trainingKeepsABoundedSetOfSnapshotsIncludingTheStart() throws Exception {
        try (var s = Files.list(run.resolve("snapshots"))) {
            long n = s.filter(p -> p.toString().endsWith(".npy")).count();
            assertTrue(n >= 2 && n <= 9, n + " snapshots");
        }
        assertTrue(Files.isRegularFile(run.resolve("snapshots/step-0.npy")));
        assertFalse(Files.exists(bare.resolve("snapshots")));
    }

    @Test
    void everyModeWritesItsArraysAndMeta() {
        for (String mode : new String[] {"interp", "2d", "trajectory", "hessian"}) {
            CliRunner.Outcome o = CliRunner.run("landscape", "--run", run.toString(), "--mode", mode, "--grid", "5", "--samples", "100",
                    "--iterations", "4", "--top-k", "2", "--probes", "2", "--backend", "reference");
            assertEquals(0, o.exit(), () -> mode + ": " + o.err());
            Path dir = run.resolve("landscape").resolve(mode);
            assertTrue(Files.isRegularFile(dir.resolve("meta.json")), mode);
            if (!mode.equals("hessian")) {
                NpyArray loss = NpyFiles.read(dir.resolve("loss.npy"));
                assertEquals(mode.equals("interp") ? 1 : 2, loss.shape().length, mode);
                for (float v : loss.data()) assertTrue(Float.isFinite(v) && v > 0, mode + " loss " + v);
            } else {
                assertEquals(2, NpyFiles.read(dir.resolve("eigenvalues.npy")).data().length);
            }
        }
        CliRunner.Outcome again = CliRunner.run("landscape", "--run", run.toString(), "--mode", "2d", "--grid", "5", "--samples", "100",
                "--backend", "reference");
        assertTrue(again.out().contains("already complete"), again.out());
    }

    @Test
    void strategiesGiveTheSameGridAndMetaSaysWhichRan() throws Exception {
        // blobs has 2 inputs: auto recomputes the first layer (one-point); shared must agree with it
        float[][] grids = new float[3][];
        String[] strategies = {"auto", "shared", "one-point"};
        for (int i = 0; i < strategies.length; i++) {
            Path r = tmp.resolve("strategy-" + strategies[i]);
            CliRunner.copyRun(run, r, "landscape");
            CliRunner.Outcome o = CliRunner.run("landscape", "--run", r.toString(), "--mode", "2d", "--grid", "4", "--samples", "60",
                    "--strategy", strategies[i], "--backend", "reference");
            assertEquals(0, o.exit(), o.err());
            Path dir = r.resolve("landscape/2d");
            String meta = Files.readString(dir.resolve("meta.json"));
            String expected = strategies[i].equals("shared") ? "shared_first_layer" : "one_point";
            assertTrue(meta.contains("\"strategy\" : \"" + expected + "\""), strategies[i] + ": " + meta);
            grids[i] = NpyFiles.read(dir.resolve("loss.npy")).data();
        }
        for (int k = 0; k < grids[0].length; k++) {
            assertEquals(grids[2][k], grids[0][k], 0f, "auto is one-point here");
            assertEquals(grids[2][k], grids[1][k], 1e-5f * Math.max(1, grids[2][k]), "shared vs one-point at " + k);
        }
        badInput("unknown --strategy 'fast'", "landscape", "--run", run.toString(), "--mode", "2d", "--strategy", "fast");
        badInput("contradicts", "landscape", "--run", run.toString(), "--mode", "2d", "--strategy", "shared", "--one-point");
    }

    @Test
    void gridOutsideThreeToFourHundredOneIsBadInput() {
        badInput("--grid", "landscape", "--run", run.toString(), "--mode", "2d", "--grid", "2");
        badInput("--grid", "landscape", "--run", run.toString(), "--mode", "2d", "--grid", "402");
    }

    @Test
    void nonPositiveRangeIsBadInput() {
        badInput("--range", "landscape", "--run", run.toString(), "--mode", "2d", "--range", "0");
        badInput("--range", "landscape", "--run", run.toString(), "--mode", "2d", "--range", "-1");
    }

    @Test
    void aRunWithoutSnapshotsCannotInterpolateOrDrawItsTrajectory() {
        badInput("snapshot", "landscape", "--run", bare.toString(), "--mode", "interp", "--grid", "5", "--backend", "reference");
        badInput("snapshot", "landscape", "--run", bare.toString(), "--mode", "trajectory", "--grid", "5", "--backend", "reference");
        assertFalse(Files.exists(bare.resolve("landscape/interp")), "nothing written");
        assertFalse(Files.exists(bare.resolve("landscape/trajectory")), "nothing written");
    }

    @Test
    void unknownModeAndMissingRunAreBadInput() {
        badInput("--mode", "landscape", "--run", run.toString(), "--mode", "3d");
        badInput("no run", "landscape", "--run", tmp.resolve("nowhere").toString(), "--mode", "2d");
    }
}
