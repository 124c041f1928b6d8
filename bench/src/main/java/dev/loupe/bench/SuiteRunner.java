package dev.loupe.bench;

import dev.loupe.datasets.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a benchmark suite's workloads and writes {@code results.json}, {@code results.md} and
 * {@code ratios.png} into the output directory (each file atomically).
 */
public final class SuiteRunner {
    private SuiteRunner() {}

    /**
     * The workloads of every suite, in order: training throughput (vs DL4J, PyTorch and the GEMM
     * floor), recording overhead (full and stats vs off), integrated gradients (vs PyTorch) and the
     * loss-landscape grid (batched vs one point at a time). Each sizes itself from the suite.
     */
    public static List<Workload> workloads() {
        return List.of(new TrainingWorkload(Arch.MLP), new TrainingWorkload(Arch.CNN),
                new RecordingOverheadWorkload(Arch.MLP), new RecordingOverheadWorkload(Arch.CNN),
                new IgWorkload(), new LandscapeWorkload(Arch.MLP), new LandscapeWorkload(Arch.CNN));
    }

    /** Runs {@code workloads} with the options' backends and peers, all contenders on every available core. */
    public static Report run(SuiteOptions opts, List<Workload> workloads, ProgressSink progress) throws Exception {
        String started = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        BenchContext ctx = BenchContext.of(opts.suite(), opts.backends(), opts.peers(),
                Runtime.getRuntime().availableProcessors(), progress);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < workloads.size(); i++) {
            rows.addAll(workloads.get(i).run(ctx.withProgress(progress.slot(i, workloads.size()))));
        }
        progress.update(1, "done");
        Map<String, String> machine = MachineInfo.collect();
        machine.putAll(ctx.versions());
        machine.put("threads", ctx.threads() + " for every contender (ND4J, OpenBLAS, torch.set_num_threads)");
        return new Report(opts.suite().name(), started, rows, machine);
    }

    /** Writes the report's files into {@code dir} (created if needed) and returns their paths. */
    public static List<Path> write(Report report, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path json = dir.resolve("results.json");
        AtomicFiles.writeBytes(json, ResultsJson.bytes(report));
        written.add(json);
        Path md = dir.resolve("results.md");
        AtomicFiles.writeBytes(md, report.markdown().getBytes(StandardCharsets.UTF_8));
        written.add(md);
        byte[] png = RatioChart.png(report);
        if (png != null) {
            Path chart = dir.resolve("ratios.png");
            AtomicFiles.writeBytes(chart, png);
            written.add(chart);
        }
        return written;
    }
}
