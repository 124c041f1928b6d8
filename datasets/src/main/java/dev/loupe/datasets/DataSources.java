package dev.loupe.datasets;

import java.nio.file.Path;
import java.util.List;

/** Finds a dataset by the name a user types ({@code --data fashion-mnist}). */
public final class DataSources {
    /** Every name {@link #load} accepts. */
    public static final List<String> NAMES = List.of("fashion-mnist", "idx", "linear", "blobs", "patches");

    private DataSources() {}

    /**
     * Loads {@code name} with its default size. {@code dataDir} (may be null) is used only by
     * file-backed sets, {@code seed} only by synthetic ones.
     */
    public static Dataset load(String name, Path dataDir, long seed) {
        return switch (name) {
            case "fashion-mnist" -> FashionMnist.load(dataDir);
            case "idx" -> IdxData.load(dataDir);
            case "linear" -> SyntheticData.linear(seed, 1000, 200);
            case "blobs" -> SyntheticData.blobs(seed, 2000, 500, 4, 2, 1.0);
            case "patches" -> SyntheticData.patches(seed, 4000, 1000);
            case null -> throw new BadInputException("no dataset named; valid names: " + String.join(", ", NAMES));
            default -> throw new BadInputException("unknown dataset '" + name + "'; valid names: " + String.join(", ", NAMES));
        };
    }
}
