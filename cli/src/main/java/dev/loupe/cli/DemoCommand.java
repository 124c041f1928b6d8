package dev.loupe.cli;

import dev.loupe.datasets.AtomicFiles;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loupe demo}: the tour a newcomer meets first. Trains the CNN on Fashion-MNIST with recording
 * on, explains test images with several methods, maps the loss landscape and the training
 * trajectory, runs the linear-regression example, and renders everything into one HTML report.
 * Each stage is the same command a user would type, so the demo shows the real command line; the
 * sizes are chosen so the whole tour fits in about five minutes on two cores, and each phase's
 * wall and CPU time is printed at the end.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train the CNN on Fashion-MNIST (the embedded subset when no full copy is installed) with "
                + "recording on, explain 16 test images with six methods, map the 2D loss landscape and the training "
                + "trajectory, run the linear-regression example, and render RUN/report/index.html.",
                "Each stage is printed as the loupe command it runs; the sizes keep the tour within five minutes on "
                + "two cores (measured on an idle 2-core machine: about 45 s on the embedded subset, 75 s on the full set; "
                + "--train-limit N trains on fewer images).",
                "Phase timings are printed at the end."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--run", defaultValue = "runs/demo", description = "run directory; an earlier demo there is moved to RUN.previous (default: ${DEFAULT-VALUE})")
    Path run;

    @Option(names = "--data", description = "Fashion-MNIST folder (default: the system copy, else the embedded subset)")
    Path data;

    @Option(names = "--epochs", defaultValue = "3", description = "training epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--train-limit", defaultValue = "0",
            description = "train on the first N training images; the embedded subset has 10000, the full set 60000; 0 = all (default: ${DEFAULT-VALUE})")
    int trainLimit;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, reference, nd4j or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--grid", defaultValue = "21", description = "landscape grid points per axis, 2D and trajectory (default: ${DEFAULT-VALUE})")
    int grid;

    @Option(names = "--landscape-samples", defaultValue = "500", description = "training images the landscape loss is measured on (default: ${DEFAULT-VALUE})")
    int landscapeSamples;

    /** One stage of the tour: its name in the timing table and its command line. */
    private record Stage(String name, List<String> args) {}

    /** Wall and CPU seconds one stage took. */
    private record Timing(String name, double wall, double cpu) {}

    @Override
    public Integer call() throws Exception {
        if (trainLimit < 0) throw new dev.loupe.datasets.BadInputException("--train-limit must be 0 (all) or positive, got " + trainLimit);
        if (Files.exists(run.resolve("run.json"))) {
            Path old = run.resolveSibling(run.getFileName() + ".previous");
            deleteTree(old);
            Files.move(run, old);
            System.err.println("moved the previous demo run to " + old);
        }
        AtomicFiles.createOutputDirectory(run, "--run");
        String dir = run.toString(), g = String.valueOf(grid), s = String.valueOf(landscapeSamples);
        List<String> train = new ArrayList<>(List.of("train", "--model", "cnn", "--dataset", "fashion-mnist", "--epochs",
                String.valueOf(epochs), "--batch", "64", "--lr", "0.05", "--schedule", "cosine", "--seed", "42", "--backend", backend,
                "--record", "full", "--run", dir));
        if (data != null) train.addAll(List.of("--data", data.toString()));
        if (trainLimit > 0) train.addAll(List.of("--train-limit", String.valueOf(trainLimit)));
        List<Stage> stages = List.of(
                new Stage("train", train),
                new Stage("explain", List.of("explain", "--run", dir, "--samples", "16", "--backend", backend,
                        "--method", "saliency,grad-input,ig,smoothgrad,gradcam,occlusion")),
                new Stage("landscape 2d", List.of("landscape", "--run", dir, "--mode", "2d", "--grid", g, "--samples", s, "--backend", backend)),
                new Stage("trajectory", List.of("landscape", "--run", dir, "--mode", "trajectory", "--grid", g, "--samples", s,
                        "--backend", backend)),
                new Stage("linear regression", List.of("example", "linear-regression", "--out", dir, "--backend", backend)),
                new Stage("render", List.of("render", "--run", dir)));
        if (trainLimit > 0) {
            System.out.println("demo: training on at most the first " + trainLimit + " training images (--train-limit; 0 = all)");
        }
        System.out.println("demo: landscape grids " + grid + "×" + grid + " on " + landscapeSamples + " images, to keep the tour short");
        List<Timing> timings = new ArrayList<>();
        for (Stage stage : stages) {
            System.out.println();
            System.out.println("$ loupe " + String.join(" ", stage.args()));
            long w0 = System.nanoTime(), c0 = cpuNanos();
            int rc = Main.run(stage.args().toArray(String[]::new));
            timings.add(new Timing(stage.name(), (System.nanoTime() - w0) / 1e9, (cpuNanos() - c0) / 1e9));
            if (rc != 0) return rc;
        }
        System.out.println();
        printTimings(timings);
        System.out.println();
        System.out.println("report: " + run.resolve("report").resolve("index.html").toAbsolutePath().normalize());
        return 0;
    }

    private static void printTimings(List<Timing> timings) {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(Locale.ROOT, "phase timings (wall clock; CPU = this process's CPU time, %d cores available):%n", cores);
        double wall = 0, cpu = 0;
        for (Timing t : timings) {
            System.out.printf(Locale.ROOT, "  %-18s %7.1f s wall %8.1f s CPU%n", t.name(), t.wall(), t.cpu());
            wall += t.wall();
            cpu += t.cpu();
        }
        System.out.printf(Locale.ROOT, "  %-18s %7.1f s wall %8.1f s CPU%n", "total", wall, cpu);
    }

    /** CPU time of the whole JVM (all threads, native BLAS included), or 0 where the JDK cannot say. */
    private static long cpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
