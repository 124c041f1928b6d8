package dev.loupe.engine.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loupe.engine.backend.reference.ReferenceBackend;
import dev.loupe.engine.nn.Models;
import dev.loupe.engine.nn.Network;
import dev.loupe.engine.train.Evaluator;
import org.junit.jupiter.api.Test;

class PlaneEvaluatorTest {

    @Test
    void gridCentreEqualsTheModelsLossOnTheSameSamples() {
        for (Network net : new Network[] {Fixtures.mlp(16), Fixtures.cnn(16)}) {
            EvalSet data = Fixtures.data(net, 37, 3); // 37 = two full chunks of 16 and a partial one
            float[] theta = net.getParams();
            Evaluator.Result direct = Evaluator.evaluate(net, data.inputs(), data.targets(), data.count(), true);
            float[] d1 = FilterNormalizedDirections.create(net.params(), theta, 1);
            float[] d2 = FilterNormalizedDirections.create(net.params(), theta, 2);
            for (PlaneEvaluator.Strategy s : PlaneEvaluator.Strategy.values()) {
                PlaneEvaluator ev = new PlaneEvaluator(net, data, theta, d1, d2, s);
                PlaneEvaluator.Values v = ev.evaluate(new double[] {-0.5, 0, 0.5}, new double[] {0.25, 0, -1});
                assertEquals(direct.loss(), v.loss()[1], 1e-12, s + " centre loss");
                assertEquals(direct.accuracy(), v.accuracy()[1], 1e-12, s + " centre accuracy");
            }
        }
    }

    @Test
    void sharedFirstLayerEqualsDirectEvaluationAtEveryPoint() {
        for (Network net : new Network[] {Fixtures.mlp(10), Fixtures.cnn(10)}) {
            EvalSet data = Fixtures.data(net, 25, 4);
            float[] theta = net.getParams();
            // directions with bias components too (as PCA directions have)
            float[] d1 = Fixtures.gaussian(theta.length, 5, 0.3), d2 = Fixtures.gaussian(theta.length, 6, 0.3);
            double[] as = {-1, -0.3, 0.2, 0.9, 1.5}, bs = {0.7, -1.2, 0.1, 0.4, -0.6};
            PlaneEvaluator.Values shared = new PlaneEvaluator(net, data, theta, d1, d2, PlaneEvaluator.Strategy.SHARED_FIRST_LAYER)
                    .evaluate(as, bs);
            for (int i = 0; i < as.length; i++) {
                float[] at = new float[theta.length];
                for (int k = 0; k < at.length; k++) at[k] = (float) (theta[k] + as[i] * d1[k] + bs[i] * d2[k]);
                net.setParams(at);
                Evaluator.Result direct = Evaluator.evaluate(net, data.inputs(), data.targets(), data.count(), true);
                assertEquals(direct.loss(), shared.loss()[i], 1e-5 * Math.max(1, direct.loss()), "loss at point " + i);
                assertEquals(direct.accuracy(), shared.accuracy()[i], 1e-12, "accuracy at point " + i);
            }
        }
    }

    @Test
    void autoSharesTheFirstLayerOnlyWhereItDoesManyMultiplyAddsPerOutput() {
        int[] image = {28, 28, 1};
        try (Network mlp = new Network(new ReferenceBackend(), Models.mlp(image, 10), 1, 1);
             Network cnn = new Network(new ReferenceBackend(), Models.cnn(image, 10), 1, 1)) {
            assertEquals(PlaneEvaluator.Strategy.SHARED_FIRST_LAYER, PlaneEvaluator.choose(mlp)); // 784 per output
            assertEquals(PlaneEvaluator.Strategy.ONE_POINT, PlaneEvaluator.choose(cnn));          // 3×3×1 = 9 per output
        }
        Network small = Fixtures.mlp(4); // 16 inputs: recomputing is cheaper than combining
        assertEquals(PlaneEvaluator.Strategy.ONE_POINT, PlaneEvaluator.choose(small));
        EvalSet data = Fixtures.data(small, 4, 1);
        float[] theta = small.getParams();
        PlaneEvaluator ev = new PlaneEvaluator(small, data, theta, theta, null, PlaneEvaluator.Strategy.AUTO);
        assertEquals(PlaneEvaluator.Strategy.ONE_POINT, ev.strategy());
    }

    @Test
    void lineEvaluationMatchesTheEndpoints() {
        Network net = Fixtures.mlp(8);
        EvalSet data = Fixtures.data(net, 20, 8);
        float[] start = net.getParams();
        float[] end = Fixtures.gaussian(start.length, 9, 0.5);
        float[] d = new float[start.length];
        for (int i = 0; i < d.length; i++) d[i] = end[i] - start[i];
        PlaneEvaluator.Values v = new PlaneEvaluator(net, data, start, d, null, PlaneEvaluator.Strategy.SHARED_FIRST_LAYER)
                .evaluate(new double[] {0, 1}, null);
        net.setParams(start);
        assertEquals(Evaluator.evaluate(net, data.inputs(), data.targets(), 20, true).loss(), v.loss()[0], 1e-12);
        net.setParams(end);
        assertEquals(Evaluator.evaluate(net, data.inputs(), data.targets(), 20, true).loss(), v.loss()[1], 1e-5);
    }
}
