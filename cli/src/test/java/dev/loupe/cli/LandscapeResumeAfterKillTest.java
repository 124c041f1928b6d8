package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.NpyFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A landscape grid killed with SIGKILL part-way and run again keeps the rows it had finished,
 * computes only the rest, and ends bitwise equal to an uninterrupted grid.
 */
class LandscapeResumeAfterKillTest {
    @TempDir
    Path tmp;

    @Test
    void killedGridResumesFromItsFinishedRows() throws Exception {
        Path model = tmp.resolve("m.json");
        Files.writeString(model, "{\"layers\": [{\"type\": \"dense\", \"units\": 256}, {\"type\": \"relu\"},"
                + " {\"type\": \"dense\", \"units\": 256}, {\"type\": \"relu\"}, {\"type\": \"dense\", \"units\": 4}]}");
        Path run = tmp.resolve("run");
        CliRunner.Outcome t = CliRunner.run("train", "--dataset", "blobs", "--model", model.toString(), "--backend", "reference",
                "--epochs", "1", "--batch", "100", "--snapshots", "0", "--run", run.toString());
        assertEquals(0, t.exit(), t.err());
        List<String> args = List.of("landscape", "--run", run.toString(), "--mode", "2d", "--grid", "9", "--samples", "500",
                "--backend", "reference");

        Process clean = start(args);
        assertTrue(clean.waitFor(300, TimeUnit.SECONDS), "uninterrupted grid timed out");
        assertEquals(0, clean.exitValue());
        Path cleanDir = tmp.resolve("clean");
        Files.move(run.resolve("landscape"), cleanDir);

        Process victim = start(args);
        Path rows = run.resolve("landscape/2d/rows");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (rowFiles(rows) < 2 && victim.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        victim.destroyForcibly(); // SIGKILL: no shutdown hooks
        victim.waitFor(10, TimeUnit.SECONDS);
        int kept = rowFiles(rows);
        Assumptions.assumeTrue(kept > 0 && kept < 9 && !Files.exists(run.resolve("landscape/2d/loss.npy")),
                "the grid finished before it could be killed (" + kept + " rows)");

        Path log = tmp.resolve("resume.log");
        Process resume = new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(resume.waitFor(300, TimeUnit.SECONDS), "resumed grid timed out");
        String out = Files.readString(log);
        assertEquals(0, resume.exitValue(), out);
        assertTrue(out.contains("(resumed)"), out);
        assertTrue(out.contains((9 - kept) * 9 + " points evaluated"), "only the missing rows are computed: " + out);
        for (String f : new String[] {"loss.npy", "accuracy.npy"}) {
            assertArrayEquals(NpyFiles.read(cleanDir.resolve("2d").resolve(f)).data(), NpyFiles.read(run.resolve("landscape/2d").resolve(f)).data(), f);
        }
    }

    private static int rowFiles(Path rows) throws IOException {
        if (!Files.isDirectory(rows)) return 0;
        try (Stream<Path> s = Files.list(rows)) {
            return (int) s.filter(p -> p.getFileName().toString().matches("row-\\d+\\.npy")).count();
        }
    }

    private static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    private Process start(List<String> args) throws IOException {
        return new ProcessBuilder(command(args)).redirectErrorStream(true).redirectOutput(tmp.resolve("log-" + System.nanoTime()).toFile()).start();
    }
}
