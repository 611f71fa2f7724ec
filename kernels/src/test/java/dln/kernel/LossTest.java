package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LossTest {
    private static final int BATCH = 3;

    @Test void everyGradientMatchesFiniteDifferencesOfTheMeanLoss() {
        Random r = new Random(4);
        for (LossKind kind : LossKind.values()) {
            if (kind == LossKind.PERCEPTRON || kind == LossKind.CROSS_ENTROPY) continue;
            for (long w : new long[] {1, 4}) {
                for (boolean labels : new boolean[] {false, true}) {
                    Loss loss = new Loss("fd", kind, w, labels);
                    float[] out = outputs(r, kind, w), target = targets(r, kind, w, labels, out);
                    double[] numeric = FiniteDifferences.gradient(out, o -> meanLoss(loss, o, target));
                    FiniteDifferences.assertMatches(run(loss, out, target)[2], numeric, loss.toString());
                }
            }
        }
    }

    @Test void crossEntropyGradientIsWithRespectToTheSoftmaxInput() {
        Random r = new Random(5);
        for (long w : new long[] {2, 5}) {
            for (boolean labels : new boolean[] {false, true}) {
                Loss loss = new Loss("fd", LossKind.CROSS_ENTROPY, w, labels);
                float[] z = KernelCheck.random(r, BATCH * (int) w, 2);
                float[] target = labels ? labels(r, w) : softTargets(r, w);
                double[] numeric = FiniteDifferences.gradient(z, p -> meanLoss(loss, SoftmaxTest.softmaxOf(p, w), target));
                FiniteDifferences.assertMatches(run(loss, SoftmaxTest.softmaxOf(z, w), target)[2], numeric, loss.toString());
            }
        }
    }

    @Test void perceptronGradientIsTheRosenblattRule() {
        // step output 0 for target 1 and 1 for target 0, batch 2: grad (o - t)/N, loss |o - t|.
        float[][] got = KernelCheck.sameOnOpenCl(new Loss("t_loss_perceptron", LossKind.PERCEPTRON, 1, false), 2, 0, 0,
                new float[] {0, 1}, new float[] {1, 0}, new float[2], new float[2]);
        assertThat(got[2]).containsExactly(-0.5f, 0.5f);
        assertThat(got[3]).containsExactly(1f, 1f);
    }

    @Test void workedExamples() {
        assertThat(loss(LossKind.MSE, 2, false, new float[] {1, 2}, new float[] {0, 0})).isEqualTo(2.5f); // (1 + 4) / 2
        assertThat(loss(LossKind.MAE, 2, false, new float[] {1, -3}, new float[] {0, 0})).isEqualTo(2f);
        assertThat(loss(LossKind.CROSS_ENTROPY, 3, true, new float[] {0.7f, 0.2f, 0.1f}, new float[] {0}))
                .isCloseTo(0.35667494f, within(1e-7f)); // -ln 0.7
        assertThat(loss(LossKind.CROSS_ENTROPY, 2, false, new float[] {1, 0}, new float[] {0, 1}))
                .isCloseTo(16.118095f, within(1e-5f)); // -ln 1e-7: the clamp keeps it finite
        assertThat(loss(LossKind.BINARY_CROSS_ENTROPY, 1, false, new float[] {0.8f}, new float[] {1}))
                .isCloseTo(0.22314355f, within(1e-7f)); // -ln 0.8
        assertThat(loss(LossKind.BINARY_CROSS_ENTROPY, 1, false, new float[] {1}, new float[] {0}))
                .isCloseTo(15.942385f, within(1e-3f)); // -ln(1 - (1 - 1e-7)) in float
        assertThat(loss(LossKind.HINGE, 1, false, new float[] {0.3f}, new float[] {1})).isCloseTo(0.7f, within(1e-7f));
        assertThat(loss(LossKind.HINGE, 2, true, new float[] {2, -0.5f}, new float[] {0})).isCloseTo(0.25f, within(1e-7f));
    }

    @Test void labelsOutsideTheClassesGiveNanLossAndNoGradient() {
        Loss loss = new Loss("t_loss_bad_labels", LossKind.CROSS_ENTROPY, 3, true);
        float[] p = {0.2f, 0.3f, 0.5f, 0.2f, 0.3f, 0.5f, 0.2f, 0.3f, 0.5f, 0.2f, 0.3f, 0.5f};
        float[][] got = new OpenClTable().add(loss, 4, 0, 1e-6, p, new float[] {-1, 3, Float.NaN, 2}, new float[12], new float[4])
                .assertSame().get(0);
        assertThat(got[3][0]).isNaN();
        assertThat(got[3][1]).isNaN();
        assertThat(got[3][2]).isNaN();
        assertThat(got[3][3]).isCloseTo(0.6931472f, within(1e-6f));
        assertThat(got[2]).startsWith(0, 0, 0, 0, 0, 0, 0, 0, 0).endsWith(0.05f, 0.075f, -0.125f);
    }

    // PyTorch's losses of a NaN output are NaN (its clamps keep NaN), so a diverged run shows in
    // its loss; OpenCL's fmax and fmin would have turned NaN into the clamp's bound, a finite loss.
    @Test void aNanOutputMakesTheLossNanOnBothBackends() {
        OpenClTable table = new OpenClTable();
        for (LossKind kind : LossKind.values()) {
            // example 0 holds a NaN output, example 1 does not
            float[] out = {Float.NaN, 0.5f, 0.25f, 0.5f}, target = {0, 1, 1, 0};
            table.add(new Loss("t_loss_nan_" + kind, kind, 2, false), 2, 0, 1e-6, out, target, new float[4], new float[2]);
        }
        List<float[][]> got = table.assertSame();
        for (LossKind kind : LossKind.values()) {
            float[] losses = got.get(kind.ordinal())[3];
            assertThat(losses[0]).as("%s of a NaN output", kind).isNaN();
            assertThat(losses[1]).as("%s of finite outputs", kind).isFinite();
        }
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(6);
        OpenClTable table = new OpenClTable();
        for (LossKind kind : LossKind.values()) {
            for (long w : new long[] {1, 3, 10}) {
                for (boolean labels : new boolean[] {false, true}) {
                    Loss loss = new Loss("t_loss_" + kind + "_" + w + "_" + labels, kind, w, labels);
                    for (int batch : new int[] {1, 37}) {
                        float[] out = kind == LossKind.CROSS_ENTROPY
                                ? SoftmaxTest.softmaxOf(KernelCheck.random(r, batch * (int) w, 2), w)
                                : randomOutputs(r, kind, batch * (int) w);
                        float[] target = labels ? labels(r, batch, w) : randomTargets(r, kind, batch * (int) w);
                        table.add(loss, batch, 0, 1e-5, out, target, new float[out.length], new float[batch]);
                    }
                }
            }
        }
        table.assertSame();
    }

    private static float loss(LossKind kind, long w, boolean labels, float[] out, float[] target) {
        return run(new Loss("one", kind, w, labels), out, target)[3][0];
    }

    /** Runs the reference over a batch of out.length / width examples. */
    private static float[][] run(Loss loss, float[] out, float[] target) {
        int batch = out.length / (int) loss.width();
        float[][] bufs = {out, target, new float[out.length], new float[batch]};
        loss.reference(batch, 0, bufs);
        return bufs;
    }

    private static double meanLoss(Loss loss, float[] out, float[] target) {
        float[] losses = run(loss, out, target)[3];
        double sum = 0;
        for (float l : losses) sum += l;
        return sum / losses.length;
    }

    /** Outputs a finite-difference step away from each loss's kinks and clamps. */
    private static float[] outputs(Random r, LossKind kind, long w) {
        float[] o = new float[BATCH * (int) w];
        for (int i = 0; i < o.length; i++) {
            o[i] = switch (kind) {
                case BINARY_CROSS_ENTROPY -> 0.1f + 0.8f * r.nextFloat();
                case HINGE, MAE -> (r.nextBoolean() ? 1 : -1) * (0.1f + 0.7f * r.nextFloat()) + (kind == LossKind.HINGE ? 0 : 2);
                default -> (float) r.nextGaussian();
            };
        }
        return o;
    }

    /** Targets for the finite-difference test: MAE's and HINGE's stay a step away from out's kinks. */
    private static float[] targets(Random r, LossKind kind, long w, boolean labels, float[] out) {
        if (labels && w > 1) return labels(r, w);
        float[] t = new float[labels ? BATCH : BATCH * (int) w];
        for (int i = 0; i < t.length; i++) {
            t[i] = switch (kind) {
                case MAE -> out[i] - 2; // |o - t| ≥ 0.1 by construction
                case HINGE -> r.nextBoolean() ? 1 : -1; // |o| < 0.8, so |1 - t·o| ≥ 0.2
                case BINARY_CROSS_ENTROPY -> r.nextFloat();
                default -> (float) r.nextGaussian();
            };
        }
        return t;
    }

    private static float[] randomOutputs(Random r, LossKind kind, int n) {
        float[] o = new float[n];
        for (int i = 0; i < n; i++) o[i] = kind == LossKind.BINARY_CROSS_ENTROPY ? r.nextFloat() : (float) r.nextGaussian();
        return o;
    }

    private static float[] randomTargets(Random r, LossKind kind, int n) {
        float[] t = new float[n];
        for (int i = 0; i < n; i++) {
            t[i] = switch (kind) {
                case HINGE -> r.nextBoolean() ? 1 : -1;
                case BINARY_CROSS_ENTROPY, CROSS_ENTROPY, PERCEPTRON -> r.nextInt(2);
                default -> (float) r.nextGaussian();
            };
        }
        return t;
    }

    private static float[] labels(Random r, long w) { return labels(r, BATCH, w); }

    private static float[] labels(Random r, int batch, long w) {
        float[] t = new float[batch];
        for (int i = 0; i < batch; i++) t[i] = r.nextInt((int) w);
        return t;
    }

    /** Positive targets that do not sum to 1, to test the exact gradient p·Σt − t. */
    private static float[] softTargets(Random r, long w) {
        float[] t = new float[BATCH * (int) w];
        for (int i = 0; i < t.length; i++) t[i] = r.nextFloat();
        return t;
    }
}
