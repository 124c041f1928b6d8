package dev.loupe.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code loupe train}: trains a model and writes a run directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model; prints per-epoch loss and accuracy and ends with test_accuracy=…")
final class TrainCommand implements Callable<Integer> {
    @Mixin
    TrainOptions opts = new TrainOptions();

    @Option(names = "--run", description = "run directory (default: runs/<model>-<dataset>)")
    Path run;

    @Option(names = "--resume", description = "continue the run in --run from its newest checkpoint")
    boolean resume;

    @Override
    public Integer call() {
        Path dir = run != null ? run : Path.of("runs", baseName(opts.model) + "-" + opts.dataset);
        TrainJob.run(opts, dir, resume);
        return 0;
    }

    private static String baseName(String model) {
        String name = Path.of(model).getFileName().toString();
        return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
    }
}
