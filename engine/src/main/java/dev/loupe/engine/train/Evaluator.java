package dev.loupe.engine.train;

import dev.loupe.engine.nn.Network;

/** Loss and accuracy of a network over a whole split, in batches of the network's size. */
public final class Evaluator {
    private Evaluator() {}

    /** Mean loss and accuracy (NaN for regression) over {@code count} samples. */
    public record Result(double loss, double accuracy) {}

    /** Evaluates in inference mode (dropout off); sync points: one loss read and one count per batch. */
    public static Result evaluate(Network net, float[] inputs, float[] targets, int count, boolean classify) {
        int b = net.batchSize(), d = net.inputSize();
        int perTarget = targets.length / count;
        float[] x = new float[b * d];
        float[] y = new float[b * perTarget];
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < count; start += b) {
            int rows = Math.min(b, count - start);
            System.arraycopy(inputs, start * d, x, 0, rows * d);
            System.arraycopy(targets, start * perTarget, y, 0, rows * perTarget);
            net.setInput(x, rows);
            net.setTarget(y, rows);
            net.forward(rows, false, 0);
            net.loss(rows);
            lossSum += (double) net.readLoss() * rows;
            if (classify) correct += net.countCorrect(rows);
        }
        return new Result(lossSum / count, classify ? (double) correct / count : Double.NaN);
    }
}
