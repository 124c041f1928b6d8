package dev.loupe.engine.train;

/**
 * What happened in one training step, handed to listeners after the update.
 *
 * @param step       global step index (0-based) of the step just taken
 * @param epoch      epoch index (0-based)
 * @param batch      batch index within the epoch
 * @param batches    batches per epoch
 * @param rows       samples in this batch
 * @param loss       mean training loss of the batch (before the update)
 * @param correct    correctly classified samples in the batch (0 for regression)
 * @param lr         learning rate used for the update
 * @param stepNanos  wall time of the step (data transfer, forward, backward, update)
 */
public record StepEvent(long step, int epoch, int batch, int batches, int rows, float loss, int correct,
                        float lr, long stepNanos) {}
