package dev.loupe.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DatasetTest {
    private static Dataset make(float[] trainX, float[] trainY, int numClasses) {
        return new Dataset("t", "test", new int[] {2}, numClasses, trainX, trainY, new float[] {0, 0}, new float[] {0});
    }

    @Test
    void nanOrInfinityIsRejectedNamingSplitAndFirstIndex() {
        String m = assertThrows(BadInputException.class,
                () -> make(new float[] {0, 1, 2, Float.NaN, Float.NaN, 0}, new float[] {0, 1, 0}, 2)).getMessage();
        assertEquals("t: train inputs contain NaN at index 3 (sample 1, element 1)", m);
        String y = assertThrows(BadInputException.class,
                () -> make(new float[] {0, 1}, new float[] {Float.POSITIVE_INFINITY}, 0)).getMessage();
        assertEquals("t: train targets contain Infinity at index 0", y);
        String test = assertThrows(BadInputException.class, () -> new Dataset("t", "s", new int[] {2}, 0,
                new float[] {0, 1}, new float[] {0}, new float[] {0, Float.NEGATIVE_INFINITY}, new float[] {0})).getMessage();
        assertEquals("t: test inputs contain -Infinity at index 1 (sample 0, element 1)", test);
    }

    @Test
    void shapeMismatchAndBadClassTargetsAreRejected() {
        assertThrows(BadInputException.class, () -> make(new float[] {0, 1, 2}, new float[] {0, 1}, 2));
        String m = assertThrows(BadInputException.class, () -> make(new float[] {0, 1}, new float[] {2}, 2)).getMessage();
        assertEquals("t: train target 2.0 at index 0 is not a class index in [0, 2)", m);
        assertThrows(BadInputException.class, () -> make(new float[] {0, 1}, new float[] {0.5f}, 2));
        assertEquals(0.5f, make(new float[] {0, 1}, new float[] {0.5f}, 0).trainTargets()[0]); // regression is fine
    }
}
