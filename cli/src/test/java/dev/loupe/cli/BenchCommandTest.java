package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code loupe bench} rejects bad requests with one line and exit 2 before measuring anything. */
class BenchCommandTest {
    @TempDir
    Path tmp;

    private void expectBadInput(String mustMention, String... args) {
        CliRunner.Outcome o = CliRunner.run(args);
        assertEquals(2, o.exit(), () -> "exit code for " + String.join(" ", args) + "\nstderr: " + o.err());
        assertEquals(1, o.err().strip().lines().count(), () -> "one line on stderr, got:\n" + o.err());
        assertTrue(o.err().startsWith("loupe: "), o.err());
        assertTrue(o.err().contains(mustMention), () -> "stderr should mention '" + mustMention + "': " + o.err());
    }

    @Test
    void unknownSuite() {
        expectBadInput("unknown suite 'medium'", "bench", "--suite", "medium", "--out", tmp.resolve("o").toString());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void unknownBackend() {
        expectBadInput("unknown backend 'tpu'", "bench", "--backends", "reference,tpu", "--out", tmp.resolve("o").toString());
        assertFalse(Files.exists(tmp.resolve("o")), "nothing created before the request is valid");
    }

    @Test
    void noBackendNamed() {
        expectBadInput("no Loupe backend to measure", "bench", "--backends", ",", "--out", tmp.resolve("o").toString());
    }

    @Test
    void unavailableBackend() {
        var cuda = Backends.providers().stream().filter(p -> p.name().equals("cuda")).findFirst();
        Assumptions.assumeTrue(cuda.isPresent() && cuda.get().unavailableReason().isPresent(), "CUDA is available here");
        expectBadInput("backend cuda is not available", "bench", "--backends", "cuda", "--out", tmp.resolve("o").toString());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void unknownPeer() {
        expectBadInput("unknown peer 'jax'", "bench", "--peers", "dl4j,jax", "--out", tmp.resolve("o").toString());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void outIsAnExistingFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("taken.txt"), "keep me");
        expectBadInput("is an existing file", "bench", "--out", file.toString());
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void outUnderAFile() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        expectBadInput("cannot write to --out directory", "bench", "--out", file.resolve("sub").toString());
    }

    @Test
    void helpNamesTheOptions() {
        CliRunner.Outcome o = CliRunner.run("bench", "--help");
        assertEquals(0, o.exit());
        for (String opt : new String[] {"--suite", "--backends", "--peers", "--out"}) assertTrue(o.out().contains(opt), o.out());
    }
}
