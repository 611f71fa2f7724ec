package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dln.runtime.kernel.Kernel;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchNormTest {
    @Test void trainingByHand() {
        // N = 2, C = 1, S = 2, x = 1, 2, 3, 4: mean 2.5, biased variance 1.25, unbiased 5/3.
        // invstd = 1/sqrt(1.25 + 1e-5) = 0.8944236; y = (x - 2.5)·invstd·2 + 0.5.
        // running mean 0.9·0 + 0.1·2.5 = 0.25, running variance 0.9·1 + 0.1·5/3 = 1.0666667.
        float[][] out = new OpenClTable().add(new BatchNormForward("t_bn_hand", 1, 2, 0.1f, 1e-5f, true), 2, 0, 1e-6,
                new float[] {1, 2, 3, 4}, new float[] {2}, new float[] {0.5f}, new float[] {0}, new float[] {1},
                new float[1], new float[1], new float[4]).assertSame().get(0);
        assertThat(out[5][0]).isEqualTo(2.5f);
        assertThat(out[6][0]).isCloseTo(0.8944236f, within(1e-6f));
        float[] want = {-2.1832709f, -0.3944236f, 1.3944236f, 3.1832709f};
        for (int i = 0; i < 4; i++) assertThat(out[7][i]).isCloseTo(want[i], within(1e-5f));
        assertThat(out[3][0]).isCloseTo(0.25f, within(1e-7f));
        assertThat(out[4][0]).isCloseTo(1.0666667f, within(1e-6f));
    }

    @Test void statisticsArePerChannel() {
        // N = 1, C = 2, S = 2: channel 0 holds 1, 3 (mean 2), channel 1 holds 10, 30 (mean 20, variance 100).
        float[][] out = new OpenClTable().add(new BatchNormForward("t_bn_channels", 2, 2, 1f, 0f, true), 1, 0, 1e-6,
                new float[] {1, 3, 10, 30}, new float[] {1, 1}, new float[] {0, 0}, new float[2], new float[2],
                new float[2], new float[2], new float[4]).assertSame().get(0);
        assertThat(out[5]).containsExactly(2f, 20f);
        assertThat(out[6]).containsExactly(1f, 0.1f);
        assertThat(out[7]).containsExactly(-1f, 1f, -1f, 1f);
        assertThat(out[4]).containsExactly(2f, 200f); // momentum 1: the unbiased variance itself
    }

    @Test void inferenceUsesTheRunningStatistics() {
        // running mean 1, variance 4, eps 0: y = (x - 1)/2·3 + 1
        float[][] out = new OpenClTable().add(new BatchNormForward("t_bn_inference", 1, 1, 0.1f, 0f, false), 3, 0, 1e-6,
                new float[] {1, 3, -1}, new float[] {3}, new float[] {1}, new float[] {1}, new float[] {4},
                new float[1], new float[1], new float[3]).assertSame().get(0);
        assertThat(out[7]).containsExactly(1f, 4f, -2f);
        assertThat(out[3]).containsExactly(1f);
        assertThat(out[4]).containsExactly(4f);
    }

    @Test void backwardMatchesFiniteDifferences() {
        Random r = new Random(11);
        for (int[] shape : new int[][] {{4, 3, 1}, {3, 2, 5}}) {
            int batch = shape[0], c = shape[1], s = shape[2], n = batch * c * s;
            float[] x = KernelCheck.random(r, n, 1), w = KernelCheck.random(r, c, 1), b = KernelCheck.random(r, c, 1);
            float[] dy = KernelCheck.random(r, n, 1);
            float[][] fwd = forward(c, s, batch, x, w, b);
            float[][] grads = {new float[n], new float[c], new float[c]};
            new BatchNormBackward("fd", c, s).reference(batch, 0,
                    new float[][] {x, w, fwd[5], fwd[6], dy, grads[0], grads[1], grads[2]});
            FiniteDifferences.assertMatches(grads[0],
                    FiniteDifferences.gradient(x, p -> FiniteDifferences.dot(dy, forward(c, s, batch, p, w, b)[7])), "dx");
            FiniteDifferences.assertMatches(grads[1],
                    FiniteDifferences.gradient(w, p -> FiniteDifferences.dot(dy, forward(c, s, batch, x, p, b)[7])), "dweight");
            FiniteDifferences.assertMatches(grads[2],
                    FiniteDifferences.gradient(b, p -> FiniteDifferences.dot(dy, forward(c, s, batch, x, w, p)[7])), "dbias");
        }
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(12);
        OpenClTable table = new OpenClTable();
        for (int[] shape : new int[][] {{1, 1}, {3, 1}, {5, 7}, {2, 300}, {4, 32}, {3, 49}}) {
            int c = shape[0], s = shape[1];
            for (boolean training : new boolean[] {true, false}) {
                Kernel k = new BatchNormForward("t_bn_" + c + "_" + s + "_" + training, c, s, 0.1f, 1e-5f, training);
                for (int batch : new int[] {1, 37}) {
                    int n = batch * c * s;
                    float[] runningVar = KernelCheck.random(r, c, 1);
                    for (int i = 0; i < c; i++) runningVar[i] = 0.5f + Math.abs(runningVar[i]);
                    table.add(k, batch, 0, 1e-5, KernelCheck.random(r, n, 2), KernelCheck.random(r, c, 1), KernelCheck.random(r, c, 1),
                            KernelCheck.random(r, c, 1), runningVar, new float[c], new float[c], new float[n]);
                }
            }
            Kernel back = new BatchNormBackward("t_bn_back_" + c + "_" + s, c, s);
            for (int batch : new int[] {1, 37}) {
                int n = batch * c * s;
                float[] x = KernelCheck.random(r, n, 2), w = KernelCheck.random(r, c, 1);
                float[][] fwd = forward(c, s, batch, x, w, new float[c]);
                table.add(back, batch, 0, 1e-4, x, w, fwd[5], fwd[6], KernelCheck.random(r, n, 1), new float[n], new float[c], new float[c]);
            }
        }
        table.assertSame();
    }

    /** Training-mode forward on the JVM; returns every buffer. */
    private static float[][] forward(int c, int s, int batch, float[] x, float[] w, float[] b) {
        float[][] bufs = {x, w, b, new float[c], new float[c], new float[c], new float[c], new float[x.length]};
        new BatchNormForward("fd", c, s, 0.1f, 1e-5f, true).reference(batch, 0, bufs);
        return bufs;
    }
}
