package dev.loupe.engine.backend.nd4j;

import dev.loupe.engine.Backend;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.ModelSpec;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.optim.Optimizer;
import dev.loupe.engine.optim.Updater;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Loupe (nd4j backend) against DL4J 1.0.0-M2.1 on the same model, batch and synthetic data, in
 * alternating windows within one process, so both see the same machine load; prints each window,
 * the medians and their ratio. Usage: {@code PeerProbe mlp|cnn [WINDOWS=5] [SECONDS=3] [both|loupe|dl4j]};
 * {@code loupe} or {@code dl4j} runs one side only, for alternating separate processes (DL4J's OpenMP
 * threads spin after each op and slow whatever runs next in the same process).
 */
public final class PeerProbe {
    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "mlp";
        int windows = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 3;
        boolean cnn = model.equals("cnn");
        String sides = args.length > 3 ? args[3] : "both";
        int batch = cnn ? 128 : 256;
        SplittableRandom rng = new SplittableRandom(7);
        float[] x = new float[batch * 784], y = new float[batch];
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextDouble();
        for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(10);

        try (Backend b = Nd4jBackend.create()) {
            ModelSpec spec = cnn ? Models.cnn(new int[] {28, 28, 1}, 10) : Models.mlp(new int[] {28, 28, 1}, 10);
            Network net = new Network(b, spec, batch, 1);
            Updater up = new Updater(net, new Optimizer.Sgd(0f, false, 0f));
            Runnable loupe = () -> {
                net.setInput(x, batch);
                net.setTarget(y, batch);
                net.computeGradients(batch, 0);
                net.readLoss();
                net.countCorrect(batch);
                up.step(0.01f);
            };
            if (sides.equals("loupe")) {
                single("loupe", loupe, batch, windows, seconds, model);
                return;
            }
            MultiLayerNetwork dl4j = new MultiLayerNetwork(cnn ? cnnConf() : mlpConf());
            dl4j.init();
            INDArray features = Nd4j.create(x, new long[] {batch, 784});
            INDArray labels = Nd4j.zeros(batch, 10);
            for (int i = 0; i < batch; i++) labels.putScalar(i, (int) y[i], 1f);
            DataSet ds = new DataSet(features, labels);
            Runnable peer = () -> dl4j.fit(ds);
            if (sides.equals("dl4j")) {
                single("dl4j", peer, batch, windows, seconds, model);
                return;
            }

            for (Runnable r : new Runnable[] {loupe, peer}) { // warm-up
                long end = System.nanoTime() + 3_000_000_000L;
                while (System.nanoTime() < end) r.run();
            }
            double[] lo = new double[windows], pe = new double[windows];
            for (int w = 0; w < windows; w++) {
                lo[w] = rate(loupe, batch, seconds);
                pe[w] = rate(peer, batch, seconds);
                System.out.printf(Locale.ROOT, "  window %d: loupe %.0f samples/s, dl4j %.0f samples/s, load average %.1f%n", w + 1,
                        lo[w], pe[w], java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            }
            double ml = median(lo), mp = median(pe);
            System.out.printf(Locale.ROOT, "%s batch %d: loupe nd4j median %.0f samples/s, dl4j median %.0f samples/s, ratio %.2f%n",
                    model, batch, ml, mp, ml / mp);
        }
    }

    private static void single(String name, Runnable step, int batch, int windows, double seconds, String model) {
        long end = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < end) step.run();
        double[] r = new double[windows];
        for (int w = 0; w < windows; w++) r[w] = rate(step, batch, seconds);
        System.out.printf(Locale.ROOT, "%s %s batch %d: median %.0f samples/s over %d windows %s, load average %.1f%n", name,
                model, batch, median(r), windows, Arrays.toString(Arrays.stream(r).map(Math::round).toArray()),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    private static double rate(Runnable step, int batch, double seconds) {
        long t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9), steps = 0;
        while (System.nanoTime() < end) {
            step.run();
            steps++;
        }
        return steps * batch / ((System.nanoTime() - t0) / 1e9);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static MultiLayerConfiguration mlpConf() {
        return new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(0.01)).weightInit(WeightInit.RELU).list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(512).activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new DenseLayer.Builder().nIn(512).nOut(256).activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(256).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .build();
    }

    private static MultiLayerConfiguration cnnConf() {
        return new NeuralNetConfiguration.Builder().seed(1).updater(new Sgd(0.01)).weightInit(WeightInit.RELU).list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(32).activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(64).activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(org.nd4j.linalg.activations.Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                        .activation(org.nd4j.linalg.activations.Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(28, 28, 1))
                .build();
    }
}
