package dev.loupe.datasets;

/**
 * Generates "patches": 28x28 greyscale images on uniform noise where the class is decided only by
 * an 8x8 texture (horizontal stripes, vertical stripes, checkerboard, diagonal stripes) drawn at
 * one of four fixed places chosen at random per sample; its 8x8 square is the ground-truth mask.
 *
 * <p>Every image also holds a class-independent distractor, a solid bright 6x6 square in one of the
 * other three places, so an explanation that merely finds "something bright" fails the pointing
 * game. Textures have contrast ≈0.9 against background noise in [0, 0.4], which a small CNN
 * learns to well above 95%.
 */
public final class PatchesData {
    public static final int SIZE = 28;
    public static final int PATCH = 8;
    public static final int NUM_CLASSES = 4;
    /** Top-left corners (row, col) of the four places a texture or the distractor may occupy. */
    static final int[][] PLACES = {{3, 3}, {3, 17}, {17, 3}, {17, 17}};
    static final int DISTRACTOR = 6;

    private PatchesData() {}

    /** True where texture {@code cls} is "on" at (r, c) within its 8x8 square. */
    static boolean on(int cls, int r, int c) {
        return switch (cls) {
            case 0 -> r % 2 == 0;
            case 1 -> c % 2 == 0;
            case 2 -> (r + c) % 2 == 0;
            case 3 -> Math.floorMod(r - c, 4) < 2;
            default -> throw new IllegalArgumentException("class " + cls);
        };
    }

    static Dataset generate(long seed, int nTrain, int nTest) {
        SplitMix64 rng = new SplitMix64(seed);
        int hw = SIZE * SIZE;
        float[] trainX = new float[nTrain * hw];
        float[] trainY = new float[nTrain];
        float[] trainM = new float[nTrain * hw];
        float[] testX = new float[nTest * hw];
        float[] testY = new float[nTest];
        float[] testM = new float[nTest * hw];
        for (int i = 0; i < nTrain; i++) drawSample(rng, trainX, trainY, trainM, i);
        for (int i = 0; i < nTest; i++) drawSample(rng, testX, testY, testM, i);
        return new Dataset("patches", "synthetic patches: " + NUM_CLASSES + " textures at 4 places on noise, 28x28x1 "
                + "(seed " + seed + ", " + nTrain + " train / " + nTest + " test)", new int[] {SIZE, SIZE, 1},
                NUM_CLASSES, trainX, trainY, testX, testY, new RegionMasks(SIZE, SIZE, trainM, testM));
    }

    private static void drawSample(SplitMix64 rng, float[] x, float[] y, float[] mask, int i) {
        int base = i * SIZE * SIZE;
        int cls = rng.nextInt(NUM_CLASSES);
        int place = rng.nextInt(PLACES.length);
        int other = (place + 1 + rng.nextInt(PLACES.length - 1)) % PLACES.length;
        y[i] = cls;
        for (int p = 0; p < SIZE * SIZE; p++) x[base + p] = (float) (0.4 * rng.nextDouble());
        int r0 = PLACES[other][0] + 1;
        int c0 = PLACES[other][1] + 1;
        for (int r = 0; r < DISTRACTOR; r++) {
            for (int c = 0; c < DISTRACTOR; c++) {
                x[base + (r0 + r) * SIZE + c0 + c] = (float) (0.85 + 0.1 * rng.nextDouble());
            }
        }
        r0 = PLACES[place][0];
        c0 = PLACES[place][1];
        for (int r = 0; r < PATCH; r++) {
            for (int c = 0; c < PATCH; c++) {
                int p = base + (r0 + r) * SIZE + c0 + c;
                double noise = 0.1 * rng.nextDouble();
                x[p] = (float) (on(cls, r, c) ? 0.9 + noise : noise);
                mask[p] = 1f;
            }
        }
    }
}
