package dev.loupe.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loupe demo}: the tour a newcomer meets first. Trains the CNN on Fashion-MNIST with recording
 * on, explains test images with several methods, maps the loss landscape and the training
 * trajectory, runs the linear-regression example, and renders everything into one HTML report.
 * Each stage is the same command a user would type, so the demo shows the real command line.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train the CNN on Fashion-MNIST (the embedded subset when no full copy is installed) with "
                + "recording on, explain 16 test images, map the loss landscape and trajectory, run the "
                + "linear-regression example, and render runs/demo/report/index.html.",
                "Each stage is printed as the loupe command it runs."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--run", defaultValue = "runs/demo", description = "run directory; an earlier demo there is moved to RUN.previous (default: ${DEFAULT-VALUE})")
    Path run;

    @Option(names = "--epochs", defaultValue = "3", description = "training epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, reference, nd4j or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--grid", defaultValue = "21", description = "landscape grid points per axis (default: ${DEFAULT-VALUE})")
    int grid;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(run.resolve("run.json"))) {
            Path old = run.resolveSibling(run.getFileName() + ".previous");
            deleteTree(old);
            Files.move(run, old);
            System.err.println("moved the previous demo run to " + old);
        }
        String dir = run.toString();
        List<String[]> stages = new ArrayList<>();
        stages.add(new String[] {"train", "--model", "cnn", "--dataset", "fashion-mnist", "--epochs", String.valueOf(epochs),
            "--batch", "64", "--lr", "0.05", "--schedule", "cosine", "--seed", "42", "--backend", backend,
            "--record", "full", "--run", dir});
        stages.add(new String[] {"explain", "--run", dir, "--samples", "16", "--backend", backend,
            "--method", "saliency,grad-input,ig,smoothgrad,gradcam,occlusion"});
        stages.add(new String[] {"landscape", "--run", dir, "--mode", "2d", "--grid", String.valueOf(grid),
            "--samples", "1000", "--backend", backend});
        stages.add(new String[] {"landscape", "--run", dir, "--mode", "trajectory", "--grid", String.valueOf(grid),
            "--samples", "1000", "--backend", backend});
        stages.add(new String[] {"example", "linear-regression", "--out", dir, "--backend", backend});
        stages.add(new String[] {"render", "--run", dir});
        for (String[] stage : stages) {
            System.out.println();
            System.out.println("$ loupe " + String.join(" ", stage));
            int rc = Main.run(stage);
            if (rc != 0) return rc;
        }
        System.out.println();
        System.out.println("report: " + run.resolve("report").resolve("index.html").toAbsolutePath().normalize());
        return 0;
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
