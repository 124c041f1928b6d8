package dev.loupe.engine;

import dev.loupe.datasets.BadInputException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds backend providers with {@link ServiceLoader} and opens the one a user asked for. */
public final class Backends {
    private Backends() {}

    /** Every provider on the class path, best first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> all = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(all::add);
        all.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
        return all;
    }

    /**
     * Opens {@code auto} (the best available provider) or a provider by name.
     *
     * @throws BadInputException for an unknown name or a provider that cannot run here
     */
    public static Backend open(String name) {
        List<BackendProvider> all = providers();
        if (name == null || name.equals("auto")) {
            for (BackendProvider p : all) {
                if (p.unavailableReason().isEmpty()) {
                    return p.create();
                }
            }
            throw new IllegalStateException("no backend is available (not even reference)");
        }
        for (BackendProvider p : all) {
            if (p.name().equals(name)) {
                var why = p.unavailableReason();
                if (why.isPresent()) {
                    throw new BadInputException("backend " + name + " is not available: " + why.get());
                }
                return p.create();
            }
        }
        throw new BadInputException("unknown backend '" + name + "' (choose auto, "
                + all.stream().map(BackendProvider::name).collect(Collectors.joining(", ")) + ")");
    }
}
