package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A miniature demo runs every stage, honours the training limit, and ends with the phase timings and the report path. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void tinyDemoRunsEveryStageAndPrintsPhaseTimings() throws Exception {
        Path run = tmp.resolve("demo");
        CliRunner.Outcome o = CliRunner.run("demo", "--run", run.toString(), "--epochs", "1", "--train-limit", "128",
                "--grid", "3", "--landscape-samples", "32", "--backend", "nd4j");
        assertEquals(0, o.exit(), () -> "stdout: " + o.out() + "\nstderr: " + o.err());
        assertTrue(o.out().contains("first 128 training samples"), "the limit reaches training:\n" + o.out());
        assertTrue(o.out().contains("--train-limit 128"), o.out());
        double sum = 0;
        for (String phase : List.of("train", "explain", "landscape 2d", "trajectory", "linear regression", "render")) {
            Matcher m = Pattern.compile("\n  " + Pattern.quote(phase) + " +([0-9.]+) s wall +([0-9.]+) s CPU").matcher(o.out());
            assertTrue(m.find(), "timing line for " + phase + ":\n" + o.out());
            sum += Double.parseDouble(m.group(1));
        }
        Matcher total = Pattern.compile("\n  total +([0-9.]+) s wall").matcher(o.out());
        assertTrue(total.find(), o.out());
        assertEquals(sum, Double.parseDouble(total.group(1)), 0.35, "the total is the sum of the phases (each rounded to 0.1 s)");
        assertTrue(Files.isRegularFile(run.resolve("report/index.html")));
        assertTrue(o.out().strip().endsWith(run.resolve("report").resolve("index.html").toAbsolutePath().normalize().toString()), o.out());
        for (String dir : List.of("explain/ig", "explain/occlusion", "landscape/2d", "landscape/trajectory")) {
            assertTrue(Files.isDirectory(run.resolve(dir)), dir);
        }
    }

    @Test
    void negativeTrainLimitIsBadInput() {
        CliRunner.Outcome o = CliRunner.run("demo", "--run", tmp.resolve("d").toString(), "--train-limit", "-1");
        assertEquals(2, o.exit(), o.err());
        assertTrue(o.err().startsWith("loupe: ") && o.err().contains("--train-limit"), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
    }
}
