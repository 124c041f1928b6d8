package dev.loupe.engine.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loupe.datasets.BadInputException;
import dev.loupe.datasets.NpyArray;
import dev.loupe.datasets.NpyFiles;
import dev.loupe.engine.Activation;
import dev.loupe.engine.nn.LayerSpec;
import dev.loupe.engine.nn.ModelSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Keras HDF5 model (written by {@code scripts/make_keras_fixture.py} with h5py, no TensorFlow)
 * imports through DL4J's Keras importer into a Loupe model whose outputs equal the NumPy-computed
 * Keras outputs stored beside it.
 */
class KerasImportTest {
    @TempDir
    Path tmp;

    private Path resource(String name) throws IOException {
        Path p = tmp.resolve(name);
        try (InputStream in = KerasImportTest.class.getResourceAsStream("keras/" + name)) {
            Files.copy(in, p);
        }
        return p;
    }

    @Test
    void kerasCnnMatchesNumpyReference() throws IOException {
        Dl4jModels.Checked c = KerasModels.importChecked(resource("cnn.h5"), null, 8, 1);
        ModelSpec spec = c.model().spec();
        assertArrayEquals(new int[] {10, 10, 2}, spec.inputShape(), "input shape read from batch_input_shape");
        LayerSpec relu = new LayerSpec.Act(Activation.RELU, 0);
        assertEquals(List.of(new LayerSpec.Conv2d(4, 3, 1, 0), relu, new LayerSpec.MaxPool2d(2, 2), new LayerSpec.Flatten(),
                new LayerSpec.Dense(8), relu, new LayerSpec.Dense(3)), spec.layers());
        assertEquals(ModelSpec.Loss.SOFTMAX_CROSS_ENTROPY, spec.loss(), "a final softmax becomes Loupe's softmax cross-entropy");
        assertTrue(c.maxAbsDiff() < 1e-5, "DL4J vs Loupe " + c.maxAbsDiff());

        NpyArray x = NpyFiles.read(resource("cnn.x.npy"));
        NpyArray p = NpyFiles.read(resource("cnn.p.npy"));
        double[] loupe = Dl4jParityTest.softmax(Dl4jImportTest.loupeOutputs(c.model(), x.data(), 5), 3);
        double err = Dl4jImportTest.maxAbsDiff(loupe, Dl4jParityTest.toDouble(p.data()));
        System.out.printf("keras import: max |softmax(loupe) - numpy keras reference| = %.2e%n", err);
        assertTrue(err < 1e-5, "Loupe differs from the NumPy reference by " + err);
    }

    @Test
    void badFilesAreBadInput() throws IOException {
        var missing = assertThrows(BadInputException.class, () -> KerasModels.importChecked(tmp.resolve("no.h5"), null, 2, 0));
        assertTrue(missing.getMessage().contains("not found"), missing.getMessage());
        Path text = Files.writeString(tmp.resolve("fake.h5"), "not hdf5");
        var fake = assertThrows(BadInputException.class, () -> KerasModels.importChecked(text, null, 2, 0));
        assertTrue(fake.getMessage().contains("not a Keras HDF5 model"), fake.getMessage());
    }
}
