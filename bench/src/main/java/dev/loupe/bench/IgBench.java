package dev.loupe.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

/**
 * Integrated-gradients throughput on its own: runs {@link IgWorkload} (Loupe vs a batched PyTorch
 * IG on the same weights, images, 50 Gauss–Legendre steps and internal batch; see there for the
 * method) on one backend and prints the table. {@code loupe bench} runs the same workload in its
 * suites. The peer's interpreter is {@code /usr/bin/python3} or {@code $LOUPE_BENCH_PYTHON}.
 *
 * <p>Usage: {@code IgBench [--run DIR] [--images 32] [--steps 50] [--batch 100] [--repeats 5]
 * [--backend nd4j] [--peers torch|none]}
 */
public final class IgBench {
    private IgBench() {}

    public static void main(String[] args) throws Exception {
        Path run = null;
        int images = 32, steps = 50, batch = 100, repeats = 5;
        String backend = "nd4j";
        EnumSet<Peer> peers = EnumSet.of(Peer.TORCH);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--run" -> run = Path.of(args[++i]);
                case "--images" -> images = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--batch" -> batch = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--backend" -> backend = args[++i];
                case "--peers" -> peers = args[++i].equals("none") ? EnumSet.noneOf(Peer.class) : EnumSet.of(Peer.TORCH);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (see the class Javadoc)");
            }
        }
        BenchContext ctx = BenchContext.of(Suite.FULL, List.of(backend), peers, Runtime.getRuntime().availableProcessors(),
                (f, m) -> System.err.printf("[%3.0f%%] %s%n", 100 * f, m));
        List<Row> rows = new IgWorkload(new IgWorkload.Settings(images, steps, batch, repeats, run)).run(ctx);
        var machine = MachineInfo.collect();
        machine.putAll(ctx.versions());
        TrainBench.print(new Report("ig", Instant.now().toString(), rows, machine));
    }
}
