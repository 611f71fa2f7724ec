package dln.emit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dln.runtime.Backend;
import dln.runtime.Model;
import dln.runtime.jvm.JvmBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Worked examples with answers computed by hand, through the generated code on both backends. */
class WorkedExamplesTest {

    static List<Backend> backends() {
        List<Backend> out = new ArrayList<>(List.of(new JvmBackend()));
        Backend cl = GeneratedModelTest.opencl();
        if (cl != null) out.add(cl);
        return out;
    }

    /**
     * A 2-2-1 linear network, one SGD step (lr 0.1) on x = [1, 2], t = 1 with squared error:
     * h = W1·x + b1 = [1.0, 1.7]; y = W2·h + b2 = 2.96; dL/dy = 2(y − t) = 3.92;
     * dW2 = 3.92·h = [3.92, 6.664]; db2 = 3.92; dh = 3.92·W2 = [2.744, 3.136];
     * dW1 = dh ⊗ x = [[2.744, 5.488], [3.136, 6.272]]; db1 = dh. Each parameter moves by −0.1 × its gradient.
     */
    @Test void twoTwoOneLinearNetworkAfterOneSgdStep() {
        String dln = """
                model Linear221 {
                    input x: [2]
                    output y = x -> dense(2) -> dense(1)
                }
                train Linear221 {
                    loss      mse
                    optimizer sgd(lr: 0.1)
                    batch     1
                }
                """;
        for (Backend b : backends()) {
            try (Model m = Models.instantiate(dln, "Linear221", b, 1)) {
                m.setParameter("dense_1.weight", new float[] {0.1f, 0.2f, 0.3f, 0.4f});
                m.setParameter("dense_1.bias", new float[] {0.5f, 0.6f});
                m.setParameter("dense_2.weight", new float[] {0.7f, 0.8f});
                m.setParameter("dense_2.bias", new float[] {0.9f});
                assertThat(m.predict(1, new float[] {1, 2})[0][0]).isCloseTo(2.96f, offset(1e-6f));
                m.trainStep(1, new float[] {1}, new float[] {1, 2});
                assertThat(m.takeMetrics().loss()).as(b.description()).isCloseTo(3.8416, offset(1e-5));
                expect(m, "dense_2.weight", 0.308f, 0.1336f);
                expect(m, "dense_2.bias", 0.508f);
                expect(m, "dense_1.weight", -0.1744f, -0.3488f, -0.0136f, -0.2272f);
                expect(m, "dense_1.bias", 0.2256f, 0.2864f);
            }
        }
    }

    static final String PERCEPTRON = """
            model Perceptron {
                input x: [2]
                output y = x -> dense(1, init: zeros) -> step
            }
            train Perceptron {
                optimizer perceptron(lr: 0.1)
                batch     1
                shuffle   false
            }
            """;
    static final float[] INPUTS = {0, 0, 0, 1, 1, 0, 1, 1};

    /** Rosenblatt's rule converges on a linearly separable problem (AND) within a few epochs. */
    @Test void perceptronLearnsAnd() {
        for (Backend b : backends()) {
            try (Model m = Models.instantiate(PERCEPTRON, "Perceptron", b, 4)) {
                m.initialize(0);
                int epochs = epochsToFit(m, new float[] {0, 0, 0, 1}, 20);
                assertThat(epochs).as("epochs to learn AND on %s", b.description()).isBetween(1, 10);
            }
        }
    }

    /** ...and never fits XOR, which is not linearly separable: at most 3 of 4 right, whatever the epoch. */
    @Test void perceptronNeverFitsXor() {
        try (Model m = Models.instantiate(PERCEPTRON, "Perceptron", new JvmBackend(), 4)) {
            m.initialize(0);
            assertThat(epochsToFit(m, new float[] {0, 1, 1, 0}, 200)).isEqualTo(-1);
        }
    }

    /** Trains one example at a time, in order, until the model gets all four right; returns the epoch or −1. */
    private static int epochsToFit(Model m, float[] targets, int maxEpochs) {
        for (int epoch = 1; epoch <= maxEpochs; epoch++) {
            for (int i = 0; i < 4; i++) m.trainStep(1, new float[] {targets[i]}, new float[] {INPUTS[2 * i], INPUTS[2 * i + 1]});
            float[] y = m.predict(4, INPUTS)[0];
            boolean all = true;
            for (int i = 0; i < 4; i++) all &= y[i] == targets[i];
            if (all) return epoch;
        }
        return -1;
    }

    private static void expect(Model m, String param, float... want) {
        float[] got = m.parameter(param);
        assertThat(got).as(param).hasSize(want.length);
        for (int i = 0; i < want.length; i++) assertThat(got[i]).as("%s[%d]", param, i).isCloseTo(want[i], offset(1e-5f));
    }
}
