package dln.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.Model;
import dln.runtime.jvm.JvmBackend;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole backward pass of generated models against central finite differences of their loss:
 * the differentiator's wiring (fan-out sums, residual adds, concat slices, fused activations and the
 * fused softmax with cross-entropy), not just each kernel. The gradient is read off one plain SGD
 * step: w' = w − lr·g. Losses are float sums, so the step h = 1e-2 and the tolerance are loose
 * (5% of the largest gradient of the parameter), which still catches a missing or doubled path.
 */
class ModelGradientTest {
    static final String[] MODELS = {
        """
        model Residual {
            input x: [2, 6, 6]
            a = x -> conv2d(3, kernel: 3, padding: 1) -> tanh
            b = a -> conv2d(3, kernel: 3, padding: 1)
            c = add(a, b) -> elu
            d = concat(c, a) -> avgpool2d(2) -> flatten
            output y = d -> dense(4) -> softmax
        }
        train Residual { loss cross_entropy  optimizer sgd(lr: 0.001) }
        """,
        """
        model Shared {
            input x: [5]
            h = x -> dense(6) -> sigmoid
            p = h -> maxout(3, pieces: 2)
            q = h -> prelu -> dense(3)
            output y = add(p, q, h -> dense(3) -> leaky_relu(0.2))
        }
        train Shared { loss mse  optimizer sgd(lr: 0.001) }
        """,
        """
        model Sequence {
            input t: int[4]
            input s: [4, 2]
            a = t -> embedding(7, dim: 3) -> lstm(4, sequences: true) -> rnn(3)
            b = s -> rnn(3, sequences: true, activation: tanh) -> lstm(2)
            output y = concat(a, b) -> dense(1) -> sigmoid
        }
        train Sequence { loss binary_cross_entropy  optimizer sgd(lr: 0.001) }
        """,
        """
        model Pools {
            input v: [1, 4, 5, 5]
            a = v -> conv3d(2, kernel: 2, padding: 1, dilation: 2) -> relu -> maxpool3d(2, padding: 1)
            output y = a -> global_maxpool -> dense(1)
        }
        train Pools { loss hinge  optimizer sgd(lr: 0.001) }
        """,
        """
        model Normed {
            input s: [3, 4]
            a = s -> flatten -> dense(4) -> layernorm
            b = s -> layernorm(eps: 1e-3) -> flatten -> dense(5) -> layernorm -> tanh
            output y = concat(a, b) -> dense(2)
        }
        train Normed { loss mse  optimizer sgd(lr: 0.001) }
        """,
        """
        model Upsampled {
            input x: [2, 3, 3]
            input l: [2, 3]
            a = x -> conv2d(3, kernel: 2) -> silu -> upsample(2)
            b = a -> conv2d(2, kernel: 3, padding: 1) -> gelu -> maxpool2d(2) -> flatten
            c = l -> upsample(3) -> conv1d(2, kernel: 2) -> flatten -> dense(3) -> gelu
            output y = concat(b, c) -> dense(2) -> silu
        }
        train Upsampled { loss mse  optimizer sgd(lr: 0.001) }
        """,
        """
        model Bidirectional {
            input s: [5, 2]
            a = s -> gru(3, sequences: true, bidirectional: true) -> lstm(2, bidirectional: true)
            b = s -> rnn(2, sequences: true, bidirectional: true) -> gru(3)
            c = s -> lstm(2, sequences: true, bidirectional: true) -> rnn(2, activation: sigmoid, bidirectional: true)
            output y = concat(a, b, c) -> dense(1) -> sigmoid
        }
        train Bidirectional { loss binary_cross_entropy  optimizer sgd(lr: 0.001) }
        """,
        """
        model Encoder {
            input t: int[5]
            e = t -> embedding(7, dim: 4) -> positional(6)
            a = add(e, e -> attention(2)) -> layernorm
            b = add(a, a -> attention(4, causal: true)) -> layernorm
            c = b -> tanh -> mean(axis: 1)
            output y = concat(b -> mean, c) -> dense(2)
        }
        train Encoder { loss mse  optimizer sgd(lr: 0.001) }
        """,
        """
        model Decoder {
            input x: [2, 3, 3]
            input s: [2, 4]
            a = x -> conv2d(3, kernel: 2) -> conv_transpose2d(2, kernel: 3, stride: 2, padding: 1, output_padding: 1) -> tanh
            b = s -> conv1d(3, kernel: 2) -> conv_transpose1d(2, kernel: 2, stride: 3, dilation: 2, bias: false)
            c = x -> conv2d(3, kernel: 2, padding: 1) -> tanh -> conv2d(4, kernel: 3, stride: 2, padding: 1) -> tanh
            output y = concat(flatten(a), flatten(b), flatten(c)) -> dense(3)
        }
        train Decoder { loss mse  optimizer sgd(lr: 0.001) }
        """,
        """
        model FeedForward {
            input s: [4, 3]
            a = s -> dense(3, per_step: true) -> tanh
            b = add(a, a -> dense(5, per_step: true) -> relu -> dense(3, per_step: true)) -> layernorm
            c = b -> dense(2, per_step: true, bias: false) -> gelu -> flatten
            output y = concat(c, b -> mean) -> dense(2)
        }
        train FeedForward { loss mse  optimizer sgd(lr: 0.001) }
        """,
        """
        model Heads {
            input x: [4]
            h = x -> dense(5) -> tanh
            g = h -> dense(4) -> tanh
            output y = g -> dense(3) -> softmax
            output z = h -> dense(2) -> sigmoid
            output w = g
        }
        train Heads {
            loss         y: cross_entropy, z: binary_cross_entropy, w: mse
            loss_weights y: 0.5, z: 2
            optimizer    sgd(lr: 0.001)
        }
        """
    };

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void backwardPassMatchesFiniteDifferencesOfTheLoss(int which) {
        String dln = MODELS[which];
        String name = dln.substring(dln.indexOf("model ") + 6, dln.indexOf(" {")).strip();
        int n = 3;
        try (Model m = Models.instantiate(dln, name, new JvmBackend(), n)) {
            Random r = new Random(which);
            float[][] xs = new float[m.info().inputs().size()][];
            for (int i = 0; i < xs.length; i++) {
                long size = 1;
                for (long d : m.info().inputShapes().get(i)) size *= d;
                xs[i] = new float[(int) (n * size)];
                for (int j = 0; j < xs[i].length; j++) xs[i][j] = m.info().intInputs().get(i) ? r.nextInt(7) : (float) r.nextGaussian();
            }
            float[] targets = new float[(int) (n * m.targetWidth())];
            List<String> losses = losses(m.info().loss());
            for (int j = 0; j < targets.length; ) {
                for (int o = 0; o < losses.size(); o++) {
                    for (long k = 0; k < m.targetWidths().get(o); k++) {
                        targets[j++] = switch (losses.get(o)) {
                            case "cross_entropy" -> r.nextInt(3);
                            case "binary_cross_entropy" -> r.nextInt(2);
                            case "hinge" -> r.nextBoolean() ? 1 : -1;
                            default -> (float) r.nextGaussian();
                        };
                    }
                }
            }
            double lr = m.learningRate();
            for (String p : m.parameterNames()) {
                m.initialize(5);
                float[] w = m.parameter(p);
                m.trainStep(n, targets, xs);
                float[] after = m.parameter(p);
                double[] analytic = new double[w.length];
                double largest = 0;
                for (int i = 0; i < w.length; i++) {
                    analytic[i] = (w[i] - after[i]) / lr;
                    largest = Math.max(largest, Math.abs(analytic[i]));
                }
                for (int i = 0; i < w.length; i += Math.max(1, w.length / 6)) {
                    m.initialize(5);
                    double numeric = (loss(m, p, w, i, 1e-2f, n, targets, xs) - loss(m, p, w, i, -1e-2f, n, targets, xs)) / 2e-2;
                    assertThat(analytic[i]).as("%s: d loss / d %s[%d]", name, p, i).isCloseTo(numeric, org.assertj.core.data.Offset.offset(0.05 * largest + 1e-4));
                }
            }
        }
    }

    /** Each output's loss from the model's description of them: `mse`, or `y: cross_entropy, z: mse ×0.5`. */
    private static List<String> losses(String described) {
        if (!described.contains(":")) return List.of(described);
        return Arrays.stream(described.split(", ")).map(part -> part.split(": ")[1].split(" ")[0]).toList();
    }

    private static double loss(Model m, String p, float[] w, int i, float h, int n, float[] targets, float[][] xs) {
        float[] moved = w.clone();
        moved[i] += h;
        m.setParameter(p, moved);
        m.takeMetrics();
        m.evaluate(n, targets, xs);
        double loss = m.takeMetrics().loss();
        m.setParameter(p, w);
        return loss;
    }
}
