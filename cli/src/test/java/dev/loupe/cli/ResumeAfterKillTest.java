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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process killed with SIGKILL at a random point and resumed ends with parameters
 * bitwise equal to an uninterrupted run (same backend, same config).
 */
class ResumeAfterKillTest {
    @TempDir
    Path tmp;

    private List<String> trainArgs(Path run, Path model) {
        return List.of("train", "--dataset", "blobs", "--model", model.toString(), "--backend", "reference",
                "--epochs", "12", "--batch", "50", "--optimizer", "adam", "--checkpoint-every", "4",
                "--keep-checkpoints", "2", "--seed", "7", "--run", run.toString());
    }

    @Test
    void killedAndResumedRunEqualsUninterruptedRun() throws Exception {
        Path model = tmp.resolve("m.json");
        Files.writeString(model, "{\"layers\": [{\"type\": \"dense\", \"units\": 64}, {\"type\": \"tanh\"},"
                + " {\"type\": \"dropout\", \"p\": 0.2}, {\"type\": \"dense\", \"units\": 4}]}");

        Path clean = tmp.resolve("clean");
        Process full = start(trainArgs(clean, model));
        assertTrue(full.waitFor(120, TimeUnit.SECONDS), "uninterrupted run timed out");
        assertEquals(0, full.exitValue(), () -> output(full));

        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path killed = tmp.resolve("killed");
        Process victim = start(trainArgs(killed, model));
        // wait for the first checkpoint, then kill at a random moment of the rest of the run
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (checkpoints(killed).isEmpty() && victim.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        Thread.sleep(random.nextInt(400));
        boolean wasAlive = victim.isAlive();
        victim.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no flushing
        victim.waitFor(10, TimeUnit.SECONDS);
        System.out.println("kill seed " + seed + ", killed while running: " + wasAlive + ", checkpoints then: " + checkpoints(killed));

        Process resume = start(List.of("train", "--run", killed.toString(), "--resume"));
        assertTrue(resume.waitFor(120, TimeUnit.SECONDS), "resumed run timed out");
        String log = output(resume);
        assertEquals(0, resume.exitValue(), log);

        Path a = checkpoints(clean).getLast(), b = checkpoints(killed).getLast();
        assertEquals(a.getFileName(), b.getFileName(), "both runs end at the same step");
        try (Stream<Path> s = Files.list(a.resolve("params"))) {
            for (Path p : s.toList()) {
                float[] x = NpyFiles.read(p).data(), y = NpyFiles.read(b.resolve("params").resolve(p.getFileName())).data();
                assertEquals(x.length, y.length);
                for (int i = 0; i < x.length; i++) {
                    assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]),
                            p.getFileName() + "[" + i + "] differs (kill seed " + seed + ")");
                }
            }
        }
        assertArrayEquals(NpyFiles.read(a.resolve("optimizer/state-1.npy")).data(), NpyFiles.read(b.resolve("optimizer/state-1.npy")).data());
    }

    private static List<Path> checkpoints(Path run) throws IOException {
        Path dir = run.resolve("checkpoints");
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("step-"))
                    .sorted((p, q) -> Long.compare(step(p), step(q))).toList();
        }
    }

    private static long step(Path p) {
        return Long.parseLong(p.getFileName().toString().substring(5));
    }

    private Process start(List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log-" + System.nanoTime()).toFile()).start();
    }

    private String output(Process p) {
        return "exit " + p.exitValue();
    }
}
