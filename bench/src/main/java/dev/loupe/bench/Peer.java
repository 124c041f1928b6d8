package dev.loupe.bench;

import dev.loupe.datasets.BadInputException;
import java.util.Arrays;
import java.util.Locale;

/** The frameworks Loupe is measured against. */
public enum Peer {
    /** Deeplearning4j's MultiLayerNetwork, in the same JVM. */
    DL4J,
    /** PyTorch (eager, CPU), in a {@code /usr/bin/python3} subprocess. */
    TORCH;

    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** The peer called {@code id}, or a {@link BadInputException} naming the choices. */
    public static Peer of(String id) {
        for (Peer p : values()) if (p.id().equals(id.strip().toLowerCase(Locale.ROOT))) return p;
        throw new BadInputException("unknown peer '" + id + "' (choose from "
                + String.join(", ", Arrays.stream(values()).map(Peer::id).toList()) + ")");
    }
}
