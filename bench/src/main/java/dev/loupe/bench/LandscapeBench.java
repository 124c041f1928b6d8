package dev.loupe.bench;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;

/**
 * Loss-landscape grid throughput on its own: runs {@link LandscapeWorkload} (batched grid
 * evaluation vs one point at a time; see there for the method) for one model on one backend and
 * prints the table. {@code loupe bench} runs the same workload in its suites.
 *
 * <p>Run: {@code java -cp "cli/target/loupe-cli.jar:cli/target/lib/*" dev.loupe.bench.LandscapeBench
 * [--model mlp|cnn] [--samples 500] [--rows 4] [--cols 6] [--repeats 3] [--backend nd4j]}
 */
public final class LandscapeBench {
    private LandscapeBench() {}

    public static void main(String[] args) throws Exception {
        Arch arch = Arch.valueOf(arg(args, "--model", "mlp").toUpperCase(Locale.ROOT));
        String backend = arg(args, "--backend", "nd4j");
        var settings = new LandscapeWorkload.Settings(Integer.parseInt(arg(args, "--samples", "500")),
                Integer.parseInt(arg(args, "--rows", "4")), Integer.parseInt(arg(args, "--cols", "6")),
                Integer.parseInt(arg(args, "--repeats", "3")));
        BenchContext ctx = BenchContext.of(Suite.FULL, List.of(backend), EnumSet.noneOf(Peer.class),
                Runtime.getRuntime().availableProcessors(), (f, m) -> System.err.printf("[%3.0f%%] %s%n", 100 * f, m));
        List<Row> rows = new LandscapeWorkload(arch, settings).run(ctx);
        TrainBench.print(new Report("landscape", Instant.now().toString(), rows, MachineInfo.collect()));
    }

    private static String arg(String[] args, String name, String def) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return args[i + 1];
        return def;
    }
}
