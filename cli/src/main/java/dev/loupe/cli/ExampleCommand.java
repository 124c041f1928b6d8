package dev.loupe.cli;

import dev.loupe.datasets.AtomicFiles;
import dev.loupe.datasets.DataSources;
import dev.loupe.datasets.Dataset;
import dev.loupe.engine.Backend;
import dev.loupe.engine.Backends;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code loupe example linear-regression}: fits y = w·x + b by full-batch gradient descent. */
@Command(name = "example", mixinStandardHelpOptions = true,
        description = "Run a worked example. linear-regression: learn w and b of y = 2x + 1 + noise (noise uniform on [0,1)) by gradient descent.")
final class ExampleCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "linear-regression")
    String name;

    @Option(names = "--steps", defaultValue = "2000", description = "gradient-descent steps (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--lr", defaultValue = "0.5", description = "learning rate (default: ${DEFAULT-VALUE})")
    float lr;

    @Option(names = "--seed", defaultValue = "42", description = "data seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, reference, nd4j or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--out", defaultValue = "runs/example-linear-regression",
            description = "folder for the gradient-descent path and the loss surface over (w, b), for 'loupe render' (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() {
        if (!name.equals("linear-regression")) {
            throw new dev.loupe.datasets.BadInputException("unknown example '" + name + "' (available: linear-regression)");
        }
        if (steps <= 0) throw new dev.loupe.datasets.BadInputException("--steps must be positive");
        AtomicFiles.createOutputDirectory(out, "--out");
        Dataset data = DataSources.load("linear", null, seed);
        int n = data.trainCount();
        try (Backend b = Backends.open(backend)) {
            // full batch: every step sees all samples, so this is plain gradient descent on the MSE
            Network net = new Network(b, Models.linear(1, 1), n, seed);
            net.setParams(new float[] {0f, 0f});
            net.setInput(data.trainInputs(), n);
            net.setTarget(data.trainTargets(), n);
            Updater sgd = new Updater(net, new Optimizer.Sgd(0, false, 0));
            System.out.printf("fitting y = w·x + b to %d points (y = 2x + 1 + U[0,1) noise) by gradient descent, lr %.3g%n", n, lr);
            float loss = Float.NaN;
            float[] path = new float[3 * (steps + 1)]; // rows: w, b, loss; column t = before step t
            for (int t = 0; t < steps; t++) {
                net.computeGradients(n, t);
                loss = net.readLoss();
                float[] wb = net.getParams();
                path[t] = wb[0];
                path[steps + 1 + t] = wb[1];
                path[2 * (steps + 1) + t] = loss;
                if (t % Math.max(1, steps / 10) == 0) {
                    float[] p = net.getParams();
                    System.out.printf("step %5d  loss %.6f  w %.4f  b %.4f%n", t, loss, p[0], p[1]);
                }
                sgd.step(lr);
            }
            float[] p = net.getParams();
            net.forward(n, false, 0);
            net.loss(n);
            loss = net.readLoss();
            path[steps] = p[0];
            path[2 * steps + 1] = p[1];
            path[3 * steps + 2] = loss;
            LinearRegressionSurface.write(out, net, n, path, steps + 1, lr, seed);
            System.out.printf("fitted line: y = %.4f·x + %.4f   (expected w ≈ 2, b ≈ 1.5: the noise's mean 0.5 adds to the intercept)%n", p[0], p[1]);
            System.out.printf("final loss (MSE) %.6f   (noise variance 1/12 = %.6f)%n", loss, 1.0 / 12);
            System.out.printf("w=%.4f b=%.4f loss=%.6f%n", p[0], p[1], loss);
        }
        return 0;
    }
}
