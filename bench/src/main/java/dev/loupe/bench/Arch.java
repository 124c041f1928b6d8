package dev.loupe.bench;

import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Models;
import java.util.ArrayList;
import java.util.List;

/**
 * The two benchmark models with their batch sizes and targets: the exact specs Loupe trains with
 * {@code --model mlp|cnn} on 28×28×1 images and 10 classes, which every peer rebuilds layer for layer.
 */
public enum Arch {
    /** 784-512-256-10 ReLU, batch 256. */
    MLP("mlp", 256, new int[] {784}, 3.0, 3.0),
    /** conv32 3×3 → ReLU → maxpool2 → conv64 3×3 → ReLU → maxpool2 → dense128 ReLU → dense10, batch 128. */
    CNN("cnn", 128, new int[] {28, 28, 1}, Double.NaN, 1.5);

    /** Classes of the synthetic labels. */
    public static final int CLASSES = 10;
    /** SGD learning rate (no momentum, no weight decay) for every contender. */
    public static final float LR = 0.01f;

    private final String id;
    private final int batch;
    private final int[] inputShape;
    private final double barVsDl4j;
    private final double barVsTorch;

    Arch(String id, int batch, int[] inputShape, double barVsDl4j, double barVsTorch) {
        this.id = id;
        this.batch = batch;
        this.inputShape = inputShape;
        this.barVsDl4j = barVsDl4j;
        this.barVsTorch = barVsTorch;
    }

    public String id() { return id; }

    public int batch() { return batch; }

    /** Floats per input sample. */
    public int inputSize() { return 784; }

    /** Loupe's model: the same spec {@code loupe train --model ID} builds. */
    public ModelSpec spec() {
        return this == MLP ? Models.mlp(inputShape.clone(), CLASSES) : Models.cnn(inputShape.clone(), CLASSES);
    }

    /** The speed-up Loupe must reach over {@code peer}, or NaN where there is no target. */
    public double bar(Peer peer) {
        return peer == Peer.DL4J ? barVsDl4j : barVsTorch;
    }

    /**
     * The GEMMs of one training step exactly as Loupe's layers issue them (forward, weight
     * gradient, and input gradient for every layer but the first): the floor any implementation
     * built on the same BLAS must pay.
     */
    public List<Gemm> stepGemms() {
        List<List<Gemm>> layers = layerGemms(batch);
        // issue order of a real step: every forward first, then backward from the last layer
        List<Gemm> out = new ArrayList<>();
        for (List<Gemm> l : layers) out.add(l.getFirst());
        for (List<Gemm> l : layers.reversed()) out.addAll(l.subList(1, l.size()));
        return List.copyOf(out);
    }

    /** The forward GEMMs of {@code rows} samples, one per parametrized layer, first layer first. */
    public List<Gemm> forwardGemms(int rows) {
        return layerGemms(rows).stream().map(List::getFirst).toList();
    }

    /** Per parametrized layer: its forward GEMM, then dW and (except the first layer) dX. */
    private List<List<Gemm>> layerGemms(int batch) {
        return switch (this) {
            case MLP -> List.of(Gemm.dense(batch, 784, 512, false), Gemm.dense(batch, 512, 256, true),
                    Gemm.dense(batch, 256, 10, true));
            case CNN -> List.of(Gemm.conv(batch * 26 * 26, 9, 32, false), Gemm.conv(batch * 11 * 11, 288, 64, true),
                    Gemm.dense(batch, 1600, 128, true), Gemm.dense(batch, 128, 10, true));
        };
    }

    /** One {@code C[m×n] = op(A)·op(B)} with its transposes, as in {@link dev.loupe.engine.Backend#gemm}. */
    public record Gemm(boolean transA, boolean transB, int m, int n, int k) {
        /** Multiply-adds. */
        public long macs() { return (long) m * n * k; }

        /** A dense layer {@code in→out} over {@code rows}: forward, then dW and (when asked) dX. */
        static List<Gemm> dense(int rows, int in, int out, boolean inputGrad) {
            Gemm fwd = new Gemm(false, false, rows, out, in);
            Gemm dw = new Gemm(true, false, in, out, rows);
            return inputGrad ? List.of(fwd, dw, new Gemm(false, true, rows, in, out)) : List.of(fwd, dw);
        }

        /** A convolution as im2col + gemm: {@code rows} output pixels, {@code patch} taps×channels. */
        static List<Gemm> conv(int rows, int patch, int filters, boolean inputGrad) {
            return dense(rows, patch, filters, inputGrad);
        }
    }
}
