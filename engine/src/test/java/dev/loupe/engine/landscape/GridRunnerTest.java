package dev.loupe.engine.landscape;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.NpyFiles;
import dev.loupe.engine.nn.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GridRunnerTest {
    @TempDir
    Path tmp;

    private static PlaneEvaluator evaluator() {
        Network net = Fixtures.mlp(8);
        float[] theta = net.getParams();
        return new PlaneEvaluator(net, Fixtures.data(net, 12, 1), theta,
                FilterNormalizedDirections.create(net.params(), theta, 1),
                FilterNormalizedDirections.create(net.params(), theta, 2), PlaneEvaluator.Strategy.SHARED_FIRST_LAYER);
    }

    @Test
    void anInterruptedGridResumesFromItsFinishedRowsAndEqualsAnUninterruptedOne() throws Exception {
        double[] xs = Landscape.linspace(-1, 1, 5), ys = Landscape.linspace(-1, 1, 6);
        Path clean = tmp.resolve("clean");
        GridRunner.Grid full = GridRunner.run(clean, xs, ys, evaluator(), (r, d, t, res) -> {});
        assertEquals(6, full.rowsComputed());

        Path broken = tmp.resolve("broken");
        class Interrupted extends RuntimeException {}
        assertThrows(Interrupted.class, () -> GridRunner.run(broken, xs, ys, evaluator(), (r, d, t, res) -> {
            if (d == 2) throw new Interrupted(); // dies after the second row is on disk
        }));
        try (Stream<Path> s = Files.list(broken.resolve("rows"))) {
            assertEquals(List.of("row-0000.npy", "row-0001.npy"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertFalse(Files.exists(broken.resolve("loss.npy")));

        List<Boolean> resumed = new ArrayList<>();
        GridRunner.Grid again = GridRunner.run(broken, xs, ys, evaluator(), (r, d, t, res) -> resumed.add(res));
        assertEquals(4, again.rowsComputed());
        assertEquals(List.of(true, true, false, false, false, false), resumed);
        assertArrayEquals(NpyFiles.read(clean.resolve("loss.npy")).data(), NpyFiles.read(broken.resolve("loss.npy")).data());
        assertArrayEquals(NpyFiles.read(clean.resolve("accuracy.npy")).data(), NpyFiles.read(broken.resolve("accuracy.npy")).data());
        assertArrayEquals(new int[] {6, 5}, NpyFiles.read(broken.resolve("loss.npy")).shape());
        assertFalse(Files.exists(broken.resolve("rows")), "row files are removed once assembled");
        assertTrue(Math.abs(full.loss()[2][2] - again.loss()[2][2]) < 1e-6);
    }
}
