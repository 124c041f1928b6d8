package dev.loupe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code loupe demo}: trains the CNN on Fashion-MNIST (embedded subset unless a full copy is found) and prints the test accuracy. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train the CNN on Fashion-MNIST (the embedded subset when no full copy is installed) and print its test accuracy.")
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--run", defaultValue = "runs/demo", description = "run directory, replaced if it holds an earlier demo (default: ${DEFAULT-VALUE})")
    Path run;

    @Option(names = "--epochs", defaultValue = "3", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, reference, nd4j or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(run.resolve("run.json"))) {
            Path old = run.resolveSibling(run.getFileName() + ".previous");
            deleteTree(old);
            Files.move(run, old);
            System.err.println("moved the previous demo run to " + old);
        }
        TrainOptions o = new TrainOptions();
        o.model = "cnn";
        o.dataset = "fashion-mnist";
        o.epochs = epochs;
        o.batch = 64;
        o.lr = 0.05f;
        o.optimizer = "sgd";
        o.momentum = 0.9f;
        o.schedule = "cosine";
        o.seed = 42;
        o.backend = backend;
        o.keepCheckpoints = 3;
        o.snapshots = 64;
        o.stepEvery = 1000;
        o.gamma = 0.1f;
        TrainJob.run(o, run, false);
        System.out.println("run: " + run.toAbsolutePath());
        return 0;
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
