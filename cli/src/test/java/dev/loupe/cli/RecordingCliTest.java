package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.tfevents.EventLog;
import dev.loupe.datasets.tfevents.SummaryValue;
import dev.loupe.datasets.tfevents.TfEvent;
import dev.loupe.datasets.tfevents.TfEventWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code train --record …} and {@code loupe events}: what a recorded run holds, and every bad input → one line, exit 2. */
class RecordingCliTest {
    @TempDir
    Path tmp;

    private CliRunner.Outcome expectBadInput(String mustMention, String... args) {
        CliRunner.Outcome o = CliRunner.run(args);
        assertEquals(2, o.exit(), () -> "exit code for " + String.join(" ", args) + "\nstdout: " + o.out() + "\nstderr: " + o.err());
        List<String> errors = o.err().lines().filter(l -> l.startsWith("loupe:")).toList();
        assertEquals(1, errors.size(), () -> "one error line on stderr, got:\n" + o.err());
        assertTrue(errors.getFirst().toLowerCase().contains(mustMention.toLowerCase()), () -> "stderr should mention '" + mustMention + "': " + o.err());
        return o;
    }

    private Path smallRun() {
        Path run = tmp.resolve("run");
        try (TfEventWriter w = new TfEventWriter(run.resolve("events"))) {
            for (int s = 0; s < 3; s++) {
                w.write(TfEvent.summary(s, s, List.of(new SummaryValue.Scalar("train/loss", 1f / (s + 1)),
                        new SummaryValue.Scalar("layer/dense1/W/l2", 2f))));
            }
        }
        return run;
    }

    @Test
    void trainRecordsEveryLayerByDefaultAndEventsPrintsThemAsCsv() {
        Path run = tmp.resolve("trained");
        CliRunner.Outcome t = CliRunner.run("train", "--dataset", "blobs", "--model", "mlp", "--backend", "reference", "--epochs", "1",
                "--batch", "500", "--run", run.toString());
        assertEquals(0, t.exit(), t.err());
        EventLog log = EventLog.readRun(run);
        assertEquals(4, log.scalar("train/loss").size(), "2000 samples / 500 = 4 steps");
        for (String tag : List.of("layer/dense1/W/update_ratio", "layer/relu1/activation/zero_frac", "layer/dense3/b_grad/l2",
                "layer/dense2/activation_grad/std", "perf/step_ms", "test/accuracy")) {
            assertFalse(log.scalar(tag).isEmpty(), tag);
        }
        assertEquals(1, log.histograms().get("layer/dense1/W/hist").size(), "histograms at step 0 only (every 10)");

        CliRunner.Outcome e = CliRunner.run("events", "--run", run.toString(), "--tag", "train/loss");
        assertEquals(0, e.exit(), e.err());
        List<String> lines = e.out().lines().toList();
        assertEquals("step,tag,value", lines.getFirst());
        assertEquals(5, lines.size(), e.out());
        assertEquals(Float.toString(log.scalar("train/loss").get(2L)), lines.get(3).split(",")[2]);
    }

    @Test
    void recordOffWritesNoEvents() {
        Path run = tmp.resolve("off");
        CliRunner.Outcome t = CliRunner.run("train", "--dataset", "linear", "--model", "linear", "--backend", "reference", "--epochs", "1",
                "--batch", "1000", "--record", "off", "--run", run.toString());
        assertEquals(0, t.exit(), t.err());
        assertFalse(Files.exists(run.resolve("events")));
        expectBadInput("no event folder", "events", "--run", run.toString());
    }

    @Test
    void unknownRecordModeOrIntervalIsBadInputAndWritesNothing() {
        expectBadInput("unknown --record mode 'sometimes'", "train", "--dataset", "blobs", "--record", "sometimes", "--run", tmp.resolve("a").toString());
        assertFalse(Files.exists(tmp.resolve("a/run.json")));
        expectBadInput("--hist-every", "train", "--dataset", "blobs", "--hist-every", "0", "--run", tmp.resolve("b").toString());
        expectBadInput("--record-budget", "train", "--dataset", "blobs", "--record-budget", "-1", "--run", tmp.resolve("c").toString());
        assertFalse(Files.exists(tmp.resolve("b/run.json")) || Files.exists(tmp.resolve("c/run.json")));
    }

    @Test
    void missingRunDirectory() {
        expectBadInput("no run directory", "events", "--run", tmp.resolve("absent").toString());
    }

    @Test
    void corruptEventFile() throws Exception {
        Path run = smallRun();
        Path f = Files.list(run.resolve("events")).findFirst().orElseThrow();
        byte[] b = Files.readAllBytes(f);
        b[30] ^= 0x01; // inside the header record's payload: a corrupt record with more after it
        Files.write(f, b);
        expectBadInput("corrupt event file", "events", "--run", run.toString());
    }

    @Test
    void unknownOrInvalidTagFilter() {
        Path run = smallRun();
        expectBadInput("no recorded tag matches --tag 'layer/conv9/.*'", "events", "--run", run.toString(), "--tag", "layer/conv9/.*");
        expectBadInput("not a regular expression", "events", "--run", run.toString(), "--tag", "layer/[");
        CliRunner.Outcome ok = CliRunner.run("events", "--run", run.toString(), "--list");
        assertEquals(0, ok.exit());
        assertTrue(ok.out().contains("train/loss,scalar,3"), ok.out());
    }
}
