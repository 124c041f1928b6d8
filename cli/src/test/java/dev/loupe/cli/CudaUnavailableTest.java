package dev.loupe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.engine.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** On a machine without a usable GPU: {@code info} says why, {@code --backend cuda} is bad input. */
class CudaUnavailableTest {
    @TempDir
    Path tmp;

    private String reason;

    @BeforeEach
    void onlyWithoutCuda() {
        var cuda = Backends.providers().stream().filter(p -> p.name().equals("cuda")).findFirst().orElseThrow();
        var why = cuda.unavailableReason();
        Assumptions.assumeTrue(why.isPresent(), "CUDA is available on this machine");
        reason = why.get();
    }

    @Test
    void infoPrintsTheReason() {
        CliRunner.Outcome o = CliRunner.run("info");
        assertEquals(0, o.exit());
        assertTrue(o.out().lines().anyMatch(l -> l.contains("cuda") && l.contains("unavailable: " + reason)), o.out());
    }

    @Test
    void explicitCudaBackendEndsWithOneLineAndExitTwo() {
        CliRunner.Outcome o = CliRunner.run("train", "--dataset", "blobs", "--model", "mlp", "--epochs", "1",
                "--backend", "cuda", "--run", tmp.resolve("r").toString());
        assertEquals(2, o.exit(), o.err());
        assertEquals(1, o.err().lines().filter(l -> l.startsWith("loupe:")).count(), o.err());
        assertTrue(o.err().contains("backend cuda is not available: " + reason), o.err());
        assertFalse(Files.exists(tmp.resolve("r/run.json")), "nothing written");
    }
}
