package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.tfevents.EventLog;
import dev.loupe.datasets.tfevents.TfEventReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process killed with SIGKILL while it records leaves event files the reader reads
 * without error (a torn last record is skipped with a warning), and resuming the run adds a new file.
 */
class RecordKillTest {
    @TempDir
    Path tmp;

    @Test
    void eventsOfAKilledRunReadWithoutError() throws Exception {
        Path run = tmp.resolve("run");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Process p = start(List.of("train", "--dataset", "blobs", "--model", "mlp", "--backend", "reference", "--epochs", "50",
                "--batch", "20", "--hist-every", "3", "--checkpoint-every", "10", "--run", run.toString()));
        Path events = run.resolve("events");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        // kill once there is a checkpoint to resume from and a good part of the events is written
        while ((size(events) < 200_000 || !Files.isDirectory(run.resolve("checkpoints/step-10"))) && p.isAlive()
                && System.nanoTime() < deadline) Thread.sleep(5);
        Thread.sleep(random.nextInt(300));
        boolean wasAlive = p.isAlive();
        p.destroyForcibly(); // SIGKILL: no shutdown hooks, no close()
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertTrue(wasAlive, "the run ended before it could be killed; make it longer");

        TfEventReader.Result r = TfEventReader.readDir(events);
        System.out.println("kill seed " + seed + ": " + r.events().size() + " events, warnings " + r.warnings());
        assertTrue(r.events().size() > 10, "events before the kill are all there");
        assertTrue(r.warnings().size() <= 1, r.warnings().toString());
        EventLog log = EventLog.of(r);
        long last = log.scalar("train/loss").lastKey();
        assertEquals(last + 1, log.scalar("train/loss").size(), "every step up to the last written one is present");

        CliRunner.Outcome o = CliRunner.run("events", "--run", run.toString(), "--tag", "train/loss");
        assertEquals(0, o.exit(), o.err());

        // resuming writes a new file next to the torn one (never appends after a torn record); kill it too
        long before = size(events);
        Process resume = start(List.of("train", "--run", run.toString(), "--resume"));
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (size(events) < before + 100_000 && resume.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        resume.destroyForcibly();
        assertTrue(resume.waitFor(10, TimeUnit.SECONDS));
        assertEquals(2, TfEventReader.files(events).size(), "the resumed run writes a second event file");
        TfEventReader.Result both = TfEventReader.readDir(events);
        assertTrue(both.events().size() > r.events().size() && both.warnings().size() <= 2, both.warnings().toString());
    }

    private static long size(Path dir) {
        try (var s = Files.list(dir)) {
            return s.mapToLong(f -> f.toFile().length()).sum();
        } catch (Exception e) {
            return 0;
        }
    }

    private Process start(List<String> args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log-" + System.nanoTime()).toFile()).start();
    }
}
