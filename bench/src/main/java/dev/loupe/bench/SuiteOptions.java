package dev.loupe.bench;

import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.BadInputException;
import dev.loupe.engine.BackendProvider;
import dev.loupe.engine.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A validated suite request: which suite, which Loupe backends and peers, and where results go.
 * Shared by {@code loupe bench} and the {@link TrainBench} entry point.
 */
public record SuiteOptions(Suite suite, List<String> backends, Set<Peer> peers, Path out) {

    /**
     * Parses and checks the request. {@code backends} null or blank means every available backend;
     * {@code peers} null means all peers ({@code none} for no peer); {@code out} null means
     * {@code bench-results/<timestamp>}.
     *
     * @throws BadInputException for an unknown suite, backend or peer, an unavailable backend, or
     *                           an {@code out} that is an existing file
     */
    public static SuiteOptions of(String suite, String backends, String peers, Path out) {
        Suite s = Suite.of(suite == null ? "quick" : suite);
        List<String> names = new ArrayList<>();
        List<BackendProvider> providers = Backends.providers();
        if (backends == null || backends.isBlank() || backends.strip().equals("all")) {
            for (BackendProvider p : providers) if (p.unavailableReason().isEmpty()) names.add(p.name());
        } else {
            for (String b : backends.split(",")) {
                String name = b.strip();
                BackendProvider p = providers.stream().filter(q -> q.name().equals(name)).findFirst()
                        .orElseThrow(() -> new BadInputException("unknown backend '" + name + "' (choose from "
                                + String.join(", ", providers.stream().map(BackendProvider::name).toList()) + ")"));
                p.unavailableReason().ifPresent(why -> {
                    throw new BadInputException("backend " + name + " is not available: " + why);
                });
                if (!names.contains(name)) names.add(name);
            }
        }
        if (names.isEmpty()) throw new BadInputException("no Loupe backend to measure");
        Set<Peer> ps = EnumSet.noneOf(Peer.class);
        if (peers == null) {
            ps.addAll(Arrays.asList(Peer.values()));
        } else if (!peers.strip().equals("none")) {
            for (String p : peers.split(",")) if (!p.isBlank()) ps.add(Peer.of(p));
        }
        Path dir = out != null ? out
                : Path.of("bench-results", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new BadInputException("--out " + dir + " is an existing file; give a directory");
        }
        return new SuiteOptions(s, names, ps, dir);
    }

    /**
     * Creates the output directory now, before minutes of measuring, so an unusable {@code --out}
     * is reported up front.
     *
     * @throws BadInputException when the directory cannot be created
     */
    public void createOut() {
        AtomicFiles.createOutputDirectory(out, "--out");
    }
}
