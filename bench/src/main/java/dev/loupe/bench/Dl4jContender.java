package dev.loupe.bench;

import dev.loupe.engine.nn.Network;
import dev.loupe.engine.nn.Param;
import java.util.List;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The DL4J peer: a {@code MultiLayerNetwork} built layer for layer like Loupe's model (SGD, no
 * regularization, NCHW images), started from Loupe's initial weights so both report the same
 * initial loss, and trained with {@code fit(DataSet)} on the same synthetic batches.
 */
final class Dl4jContender implements Contender {
    private final MultiLayerNetwork net;
    private final DataSet[] pool;
    private final int batch;
    private final double initialLoss;
    private long step;

    /** {@code loupe} supplies the initial weights (Loupe's flat layout, read before any step). */
    Dl4jContender(Arch arch, SyntheticBatches data, Network loupe) {
        this.batch = data.batch();
        this.net = new MultiLayerNetwork(configuration(arch));
        net.init();
        copyWeights(arch, loupe, net);
        pool = new DataSet[SyntheticBatches.POOL];
        for (int p = 0; p < pool.length; p++) {
            INDArray x = Nd4j.create(data.inputs(p), arch == Arch.MLP ? new long[] {batch, 784} : new long[] {batch, 1, 28, 28}, DataType.FLOAT);
            INDArray y = Nd4j.create(DataType.FLOAT, batch, Arch.CLASSES);
            float[] labels = data.labels(p);
            for (int r = 0; r < batch; r++) y.putScalar(r, (int) labels[r], 1f);
            pool[p] = new DataSet(x, y);
        }
        this.initialLoss = net.score(pool[0], false);
    }

    static MultiLayerConfiguration configuration(Arch arch) {
        var list = new NeuralNetConfiguration.Builder()
                .seed(1).dataType(DataType.FLOAT).updater(new Sgd(Arch.LR)).weightInit(WeightInit.RELU_UNIFORM)
                .convolutionMode(ConvolutionMode.Truncate)
                .list();
        if (arch == Arch.MLP) {
            return list
                    .layer(new DenseLayer.Builder().nIn(784).nOut(512).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().nIn(512).nOut(256).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(256).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.feedForward(784))
                    .build();
        }
        return list
                .layer(new ConvolutionLayer.Builder(3, 3).nIn(1).nOut(32).stride(1, 1).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(64).stride(1, 1).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutional(28, 28, 1))
                .build();
    }

    /**
     * Loupe's parameters into DL4J's layout. Dense {@code W[in, out]} is the same in both. Conv
     * kernels go from Loupe's {@code [kh, kw, c, f]} to DL4J's {@code [f, c, kh, kw]}; the dense
     * layer after the CNN's flatten has its rows reordered from NHWC {@code (h, w, c)} to DL4J's
     * NCHW flatten order {@code (c, h, w)}.
     */
    static void copyWeights(Arch arch, Network loupe, MultiLayerNetwork dl4j) {
        float[] host = loupe.getParams();
        List<Param> ps = loupe.params();
        int[] dl4jLayer = arch == Arch.MLP ? new int[] {0, 1, 2} : new int[] {0, 2, 4, 5};
        for (int i = 0; i < ps.size(); i += 2) {
            Param w = ps.get(i), b = ps.get(i + 1);
            INDArray wv = Nd4j.create(slice(host, w), toLong(w.shape()), 'c');
            if (w.shape().length == 4) {
                wv = wv.permute(3, 2, 0, 1).dup('c');
            } else if (arch == Arch.CNN && i == 4) {
                wv = wv.reshape('c', 5, 5, 64, 128).permute(2, 0, 1, 3).dup('c').reshape('c', 1600, 128);
            }
            var layer = dl4j.getLayer(dl4jLayer[i / 2]);
            layer.setParam("W", wv);
            layer.setParam("b", Nd4j.create(slice(host, b), new long[] {1, b.size()}, 'c'));
        }
    }

    private static float[] slice(float[] host, Param p) {
        float[] out = new float[(int) p.size()];
        System.arraycopy(host, (int) p.offset(), out, 0, out.length);
        return out;
    }

    private static long[] toLong(int[] shape) {
        long[] out = new long[shape.length];
        for (int i = 0; i < shape.length; i++) out[i] = shape[i];
        return out;
    }

    /** Mean loss of the untrained network on batch 0, as DL4J computes it. */
    double initialLoss() { return initialLoss; }

    @Override
    public String name() { return "dl4j"; }

    @Override
    public Kind kind() { return Kind.PEER; }

    @Override
    public int batch() { return batch; }

    @Override
    public Window run(double seconds) {
        return Contender.loop(seconds, () -> net.fit(pool[(int) (step++ % pool.length)]), () -> {});
    }

    @Override
    public String note() {
        return String.format("MultiLayerNetwork, %d ND4J threads; initial loss %.5f", Nd4j.getEnvironment().maxThreads(), initialLoss);
    }
}
