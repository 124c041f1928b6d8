package dev.loupe.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed PTX and cubins are exactly what {@code gpu/regen-kernels.sh} makes from the
 * CUDA sources today: a kernel edited without regenerating them fails here (where nvcc exists).
 */
class KernelArtifactsTest {
    static final Path COMMITTED = Path.of("src/main/resources/dev/loupe/gpu");

    @TempDir
    Path tmp;

    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "timed out: " + String.join(" ", cmd));
        assertEquals(0, p.exitValue(), () -> String.join(" ", cmd) + " failed:\n" + out);
        return out;
    }

    private static boolean nvccPresent() {
        try {
            return new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static TreeSet<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void everyModuleShipsPtxAndCubinAndTheBackendsKernelsExist() throws IOException {
        TreeSet<String> files = names(COMMITTED);
        for (String m : KernelImages.MODULES) {
            assertTrue(files.contains(m + ".ptx") && files.contains(m + ".sm_90.cubin"), "missing kernels of " + m);
            String ptx = Files.readString(COMMITTED.resolve(m + ".ptx"));
            assertTrue(ptx.contains(".target sm_90"), m + ".ptx targets compute_90");
        }
        // every kernel CudaBackend asks for is an entry point of the shipped PTX
        String src = Files.readString(Path.of("src/main/java/dev/loupe/gpu/CudaBackend.java"));
        List<String> asked = java.util.regex.Pattern.compile("kernel\\(\"(\\w+)\"\\)").matcher(src).results()
                .map(r -> r.group(1)).toList();
        assertTrue(asked.size() >= 20, "found the backend's kernel names");
        assertTrue(KernelEmulator.entryNames().containsAll(asked), "kernels missing from the PTX: " + asked);
    }

    @Test
    void regeneratingFromTheSourcesGivesTheCommittedFiles() throws Exception {
        Assumptions.assumeTrue(nvccPresent(), "nvcc is not on the PATH");
        String version = run(tmp, "nvcc", "--version");
        String committedVersion = Files.readString(COMMITTED.resolve("nvcc.version")).strip();
        Assumptions.assumeTrue(version.contains(committedVersion),
                "the kernels were built with nvcc " + committedVersion + "; another nvcc makes other bytes");
        Path out = tmp.resolve("kernels");
        run(Path.of("."), "bash", "regen-kernels.sh", out.toString());
        assertEquals(names(COMMITTED), names(out), "the same files");
        for (String f : names(COMMITTED)) {
            assertArrayEquals(Files.readAllBytes(COMMITTED.resolve(f)), Files.readAllBytes(out.resolve(f)),
                    f + " differs from what gpu/regen-kernels.sh makes of the sources: run it and commit the result");
        }
    }
}
