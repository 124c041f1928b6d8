package dev.loupe.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticDataTest {
    @Test
    void linearLeastSquaresGivesSlopeTwoAndInterceptOneAndAHalf() {
        Dataset d = SyntheticData.linear(7, 5000, 100);
        float[] x = d.trainInputs();
        float[] y = d.trainTargets();
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
            assertTrue(x[i] >= 0 && x[i] < 1);
            double noise = y[i] - 2 * x[i] - 1;
            assertTrue(noise >= -1e-6 && noise < 1 + 1e-6, "noise " + noise);
        }
        mx /= x.length;
        my /= x.length;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        double w = sxy / sxx;
        double b = my - w * mx;
        assertEquals(2.0, w, 0.05);
        assertEquals(1.5, b, 0.03);
        assertEquals(0, d.numClasses());
    }

    @Test
    void sameSeedSameDataDifferentSeedDifferentData() {
        assertArrayEquals(SyntheticData.linear(1, 50, 10).trainTargets(), SyntheticData.linear(1, 50, 10).trainTargets());
        assertFalse(Arrays.equals(SyntheticData.linear(1, 50, 10).trainTargets(), SyntheticData.linear(2, 50, 10).trainTargets()));
        assertArrayEquals(SyntheticData.patches(3, 20, 5).testInputs(), SyntheticData.patches(3, 20, 5).testInputs());
        assertArrayEquals(SyntheticData.blobs(3, 20, 5, 3, 4, 1).trainInputs(), SyntheticData.blobs(3, 20, 5, 3, 4, 1).trainInputs());
    }

    @Test
    void blobsAreSeparableByNearestCentroid() {
        int k = 5, d = 3;
        Dataset ds = SyntheticData.blobs(11, 2000, 500, k, d, 1.0);
        double[][] mean = new double[k][d];
        int[] count = new int[k];
        for (int i = 0; i < ds.trainCount(); i++) {
            int c = (int) ds.trainTargets()[i];
            count[c]++;
            for (int j = 0; j < d; j++) mean[c][j] += ds.trainInputs()[i * d + j];
        }
        for (int c = 0; c < k; c++) {
            assertTrue(count[c] > 300, "class " + c + " has " + count[c]);
            for (int j = 0; j < d; j++) mean[c][j] /= count[c];
        }
        int correct = 0;
        for (int i = 0; i < ds.testCount(); i++) {
            int best = -1;
            double bestDist = Double.POSITIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                double s = 0;
                for (int j = 0; j < d; j++) s += Math.pow(ds.testInputs()[i * d + j] - mean[c][j], 2);
                if (s < bestDist) {
                    bestDist = s;
                    best = c;
                }
            }
            if (best == (int) ds.testTargets()[i]) correct++;
        }
        assertTrue(correct > 0.95 * ds.testCount(), "nearest-centroid accuracy " + correct);
    }

    @Test
    void patchesClassIsReadableFromTheMaskedRegionAloneAndIndependentOfPlace() {
        Dataset d = SyntheticData.patches(5, 2000, 10);
        RegionMasks m = d.masks().orElseThrow();
        int hw = 28 * 28;
        int[][] classAtPlace = new int[4][4];
        for (int i = 0; i < d.trainCount(); i++) {
            int place = -1;
            for (int p = 0; p < 4; p++) {
                if (m.inTrainRegion(i, PatchesData.PLACES[p][0], PatchesData.PLACES[p][1])) place = p;
            }
            int ones = 0;
            for (int q = 0; q < hw; q++) ones += (int) m.train()[i * hw + q];
            assertEquals(64, ones, "mask is exactly one 8x8 square");
            int r0 = PatchesData.PLACES[place][0], c0 = PatchesData.PLACES[place][1];
            int decoded = -1;
            for (int cls = 0; cls < 4; cls++) {
                boolean match = true;
                for (int r = 0; r < 8 && match; r++) {
                    for (int c = 0; c < 8 && match; c++) {
                        boolean bright = d.trainInputs()[i * hw + (r0 + r) * 28 + c0 + c] > 0.5f;
                        match = bright == PatchesData.on(cls, r, c);
                    }
                }
                if (match) {
                    assertEquals(-1, decoded, "two textures match sample " + i);
                    decoded = cls;
                }
            }
            assertEquals((int) d.trainTargets()[i], decoded, "sample " + i);
            classAtPlace[(int) d.trainTargets()[i]][place]++;
        }
        for (int[] row : classAtPlace) {
            for (int n : row) assertTrue(n > 80, "every class appears at every place: " + Arrays.deepToString(classAtPlace));
        }
    }

    @Test
    void patchesTexturesAreDistinctAndTheDistractorLiesOutsideTheMask() {
        for (int a = 0; a < 4; a++) {
            for (int b = a + 1; b < 4; b++) {
                int differ = 0;
                for (int r = 0; r < 8; r++) for (int c = 0; c < 8; c++) if (PatchesData.on(a, r, c) != PatchesData.on(b, r, c)) differ++;
                assertTrue(differ >= 16, "textures " + a + " and " + b + " differ in only " + differ + " pixels");
            }
        }
        Dataset d = SyntheticData.patches(9, 50, 1);
        for (int i = 0; i < 50; i++) {
            int brightOutside = 0;
            for (int q = 0; q < 784; q++) {
                if (d.trainInputs()[i * 784 + q] > 0.8f && d.masks().get().train()[i * 784 + q] == 0) brightOutside++;
            }
            assertEquals(36, brightOutside, "the 6x6 distractor is the only bright thing outside the mask");
        }
    }

    @Test
    void dataSourcesDispatchByNameAndListValidNames() {
        assertEquals("linear", DataSources.load("linear", null, 1).name());
        assertEquals(4, DataSources.load("blobs", null, 1).numClasses());
        assertTrue(DataSources.load("patches", null, 1).masks().isPresent());
        String m = assertThrows(BadInputException.class, () -> DataSources.load("mnist", null, 1)).getMessage();
        assertEquals("unknown dataset 'mnist'; valid names: fashion-mnist, idx, linear, blobs, patches", m);
    }
}
