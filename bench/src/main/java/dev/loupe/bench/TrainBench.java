package dev.loupe.bench;

import dev.loupe.datasets.BadInputException;
import java.nio.file.Path;
import java.util.List;

/**
 * Training-throughput benchmark entry point: Loupe (every backend) vs DL4J vs PyTorch on the MLP and
 * the CNN, one interleaved run, table and targets printed to stdout.
 *
 * <pre>java ... dev.loupe.bench.TrainBench [--suite quick|full] [--backends a,b] [--peers dl4j,torch|none] [--out DIR]</pre>
 * Without {@code --out} nothing is written. Exit 2 on bad input; a missed target is printed as FAIL.
 */
public final class TrainBench {
    private TrainBench() {}

    public static void main(String[] args) throws Exception {
        String suite = null, backends = null, peers = null;
        Path out = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--help") || a.equals("-h")) {
                    System.out.println("usage: TrainBench [--suite quick|full] [--backends a,b] [--peers dl4j,torch|none] [--out DIR]");
                    return;
                }
                if (i + 1 >= args.length) throw new BadInputException("missing value after " + a);
                String v = args[++i];
                switch (a) {
                    case "--suite" -> suite = v;
                    case "--backends" -> backends = v;
                    case "--peers" -> peers = v;
                    case "--out" -> out = Path.of(v);
                    default -> throw new BadInputException("unknown option " + a);
                }
            }
            SuiteOptions opts = SuiteOptions.of(suite, backends, peers, out);
            if (out != null) opts.createOut();
            Report r = SuiteRunner.run(opts, List.of(new TrainingWorkload(Arch.MLP), new TrainingWorkload(Arch.CNN)),
                    (f, msg) -> System.err.printf("[%3.0f%%] %s%n", 100 * f, msg));
            print(r);
            if (out != null) SuiteRunner.write(r, opts.out()).forEach(p -> System.out.println("wrote " + p));
        } catch (BadInputException e) {
            System.err.println("TrainBench: " + e.getMessage());
            System.exit(2);
        }
    }

    /** The plain-text tables and machine lines. */
    public static void print(Report r) {
        System.out.println(r.table(false));
        System.out.println(r.ratioTable(false));
        r.rows().stream().filter(x -> x instanceof Row.Check).map(x -> (Row.Check) x).forEach(c ->
                System.out.printf("check %s: %s: %s %s%n", c.workload(), c.what(), c.detail(), c.ok() ? "ok" : "MISMATCH"));
        r.machine().forEach((k, v) -> System.out.printf("%-10s %s%n", k, v));
    }
}
