package dev.loupe.engine.train;

/**
 * End-of-epoch summary: training metrics averaged over the epoch's batches and the test metrics.
 *
 * @param testAccuracy NaN for regression
 */
public record EpochEvent(int epoch, long step, double trainLoss, double trainAccuracy, double testLoss,
                         double testAccuracy, double seconds) {}
