package dev.loupe.cli;

import dev.loupe.engine.Backend;
import dev.loupe.engine.BackendProvider;
import dev.loupe.engine.Backends;
import dev.loupe.engine.Versions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code loupe info}: backends (available or why not), devices and versions. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "List backends, devices and versions.")
final class InfoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("backends (best first; 'auto' picks the first available):");
        for (BackendProvider p : Backends.providers()) {
            var why = p.unavailableReason();
            if (why.isPresent()) {
                System.out.printf("  %-10s unavailable: %s%n", p.name(), why.get());
            } else {
                String device;
                try (Backend b = p.create()) {
                    device = b.device();
                }
                System.out.printf("  %-10s available   %s%n", p.name(), device);
            }
        }
        System.out.println("versions:");
        Versions.all().forEach((k, v) -> System.out.printf("  %-10s %s%n", k, v));
        return 0;
    }
}
