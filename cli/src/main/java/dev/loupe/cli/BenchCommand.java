package dev.loupe.cli;

import dev.loupe.bench.Report;
import dev.loupe.bench.SuiteOptions;
import dev.loupe.bench.SuiteRunner;
import dev.loupe.bench.TrainBench;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe bench}: measures Loupe against DL4J, PyTorch and its own baselines side by side and writes a report. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure Loupe on every backend, each figure beside its peer's or baseline's from the same run.",
                "Workloads:",
                "  training (MLP, CNN) samples/s vs DL4J and PyTorch (same model, data shape, batch, fp32 SGD, threads),",
                "  recording overhead (full and stats vs off), integrated gradients vs PyTorch (CNN, 50 steps),",
                "  loss-landscape grid points/s batched vs one point at a time (MLP, CNN).",
                "Prints the tables; writes results.json, results.md and ratios.png to --out.",
                "PyTorch runs only where /usr/bin/python3 can import torch."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--suite", defaultValue = "quick", description = "quick (a few minutes on 2 cores) or full (longer windows; quote these); default: ${DEFAULT-VALUE}")
    String suite;

    @Option(names = "--backends", description = "Loupe backends, comma-separated (default: every available one; reference only gets a short run)")
    String backends;

    @Option(names = "--peers", description = "peers, comma-separated: dl4j, torch, or none (default: dl4j,torch)")
    String peers;

    @Option(names = "--out", description = "output directory (default: bench-results/<timestamp>)")
    Path out;

    @Override
    public Integer call() throws Exception {
        SuiteOptions opts = SuiteOptions.of(suite, backends, peers, out);
        opts.createOut();
        Report report;
        try (Progress bar = new Progress("bench " + opts.suite().name(), 1000)) {
            report = SuiteRunner.run(opts, SuiteRunner.workloads(), (f, msg) -> bar.update(Math.round(f * 1000), msg));
        }
        TrainBench.print(report);
        for (Path p : SuiteRunner.write(report, opts.out())) System.out.println("wrote " + p);
        return 0;
    }
}
