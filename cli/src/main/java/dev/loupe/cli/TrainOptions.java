package dev.loupe.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that define a training run, shared by {@code train} and {@code demo}. */
final class TrainOptions {
    @Option(names = "--model", description = "mlp, cnn, linear (least squares on a regression set, a softmax classifier on class labels) or a model .json file (default: ${DEFAULT-VALUE})", defaultValue = "cnn")
    String model;

    @Option(names = "--dataset", description = "fashion-mnist, idx (any image set in the MNIST file layout, from --data), linear, blobs "
            + "or patches (default: ${DEFAULT-VALUE})", defaultValue = "fashion-mnist")
    String dataset;

    @Option(names = "--data", description = "folder holding the dataset's files: the four IDX files train-images-idx3-ubyte, "
            + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (gzipped or not; for idx also an optional "
            + "classes.txt, one name per line); fashion-mnist defaults to the system copy, else the embedded subset")
    Path dataDir;

    @Option(names = "--epochs", description = "passes over the training set (default: ${DEFAULT-VALUE})", defaultValue = "5")
    int epochs;

    @Option(names = "--batch", description = "samples per step (default: ${DEFAULT-VALUE})", defaultValue = "128")
    int batch;

    @Option(names = "--lr", description = "learning rate (default: 0.01 for sgd, 0.001 for adam/adamw)")
    Float lr;

    @Option(names = "--optimizer", description = "sgd, adam or adamw (default: ${DEFAULT-VALUE})", defaultValue = "sgd")
    String optimizer;

    @Option(names = "--momentum", description = "SGD momentum (default: ${DEFAULT-VALUE})", defaultValue = "0.9")
    float momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum for SGD")
    boolean nesterov;

    @Option(names = "--weight-decay", description = "L2 (sgd, adam) or decoupled (adamw) weight decay (default: ${DEFAULT-VALUE})", defaultValue = "0")
    float weightDecay;

    @Option(names = "--schedule", description = "constant, step or cosine (default: ${DEFAULT-VALUE})", defaultValue = "constant")
    String schedule;

    @Option(names = "--warmup", description = "linear warm-up steps (default: ${DEFAULT-VALUE})", defaultValue = "0")
    long warmup;

    @Option(names = "--step-every", description = "steps between decays for --schedule step (default: ${DEFAULT-VALUE})", defaultValue = "1000")
    long stepEvery;

    @Option(names = "--gamma", description = "decay factor for --schedule step (default: ${DEFAULT-VALUE})", defaultValue = "0.1")
    float gamma;

    @Option(names = "--seed", description = "seed for initialization, shuffling and dropout (default: ${DEFAULT-VALUE})", defaultValue = "42")
    long seed;

    @Option(names = "--backend", description = "auto, reference, nd4j or cuda (default: ${DEFAULT-VALUE})", defaultValue = "auto")
    String backend;

    @Option(names = "--checkpoint-every", description = "steps between checkpoints; 0 = at the end of each epoch (default: ${DEFAULT-VALUE})", defaultValue = "0")
    int checkpointEvery;

    @Option(names = "--keep-checkpoints", description = "newest checkpoints kept (default: ${DEFAULT-VALUE})", defaultValue = "3")
    int keepCheckpoints;

    @Option(names = "--snapshots", description = "parameter snapshots kept along training for 'loupe landscape'"
            + " (interp, trajectory); thinned evenly when full; 0 = none (default: ${DEFAULT-VALUE})", defaultValue = "64")
    int snapshots;

    @Option(names = "--train-limit", description = "use only the first N training samples (default: all)")
    Integer trainLimit;

    // field initializers keep manifests written before these options resumable
    @Option(names = "--record", description = "what to record under RUN/events/: off, stats (per-tensor statistics) or full (statistics and histograms) (default: ${DEFAULT-VALUE})", defaultValue = "full")
    String record = "full";

    @Option(names = "--record-every", description = "steps between per-tensor statistics (default: ${DEFAULT-VALUE})", defaultValue = "1")
    int recordEvery = 1;

    @Option(names = "--hist-every", description = "steps between histograms with --record full (default: ${DEFAULT-VALUE})", defaultValue = "10")
    int histEvery = 10;

    @Option(names = "--record-budget", description = "largest fraction of step time recording may take (e.g. 0.05); above it sampling is spaced out. 0 = record at the set intervals (default: ${DEFAULT-VALUE})", defaultValue = "0")
    double recordBudget;

    /** The recording settings these options ask for. */
    dev.loupe.engine.record.RecordConfig recordConfig() {
        return new dev.loupe.engine.record.RecordConfig(dev.loupe.engine.record.RecordMode.of(record), recordEvery, histEvery,
                dev.loupe.engine.record.RecordConfig.BINS, recordBudget);
    }
}
