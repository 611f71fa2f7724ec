package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dln.runtime.jvm.JvmBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Attention's kernels, and the mean over an axis and position gradient that a transformer encoder
 * uses beside them: OpenCL against the references over odd shapes, the references against finite
 * differences, and the causal mask against what it means.
 */
class AttentionKernelsTest {
    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(14);
        OpenClTable table = new OpenClTable();
        for (long[] s : new long[][] {{1, 1, 1}, {3, 4, 2}, {5, 6, 3}, {7, 8, 1}}) {
            for (boolean causal : new boolean[] {false, true}) {
                for (int batch : new int[] {1, 3}) {
                    var g = new AttentionKernels.Geometry(s[0], s[1], s[2], causal);
                    String id = "t" + s[0] + "d" + s[1] + "h" + s[2] + (causal ? "c" : "") + "b" + batch;
                    int qkvSize = (int) (batch * s[0] * 3 * s[1]), pSize = (int) (batch * s[2] * s[0] * s[0]), oSize = (int) (batch * s[0] * s[1]);
                    float[] qkv = KernelCheck.random(r, qkvSize, 2), dout = KernelCheck.random(r, oSize, 1);
                    float[] p = KernelCheck.run(new JvmBackend(), new AttentionKernels.Scores("ref", g), batch, 0, qkv, new float[pSize])[1];
                    float[] ds = KernelCheck.run(new JvmBackend(), new AttentionKernels.BackwardScores("ref", g), batch, 0, p, qkv, dout, new float[pSize])[3];
                    table.add(new AttentionKernels.Scores("scores_" + id, g), batch, 0, 1e-5, qkv, new float[pSize]);
                    table.add(new AttentionKernels.Mix("mix_" + id, g), batch, 0, 1e-5, p, qkv, new float[oSize]);
                    table.add(new AttentionKernels.BackwardScores("dscores_" + id, g), batch, 0, 1e-5, p, qkv, dout, new float[pSize]);
                    table.add(new AttentionKernels.BackwardQkv("dqkv_" + id, g), batch, 0, 1e-5, p, ds, qkv, dout, new float[qkvSize]);
                }
            }
        }
        for (long[] s : new long[][] {{1, 1, 1}, {2, 5, 3}, {3, 1, 4}}) {
            for (int batch : new int[] {1, 4}) {
                String id = s[0] + "_" + s[1] + "_" + s[2] + "_b" + batch;
                int in = (int) (batch * s[0] * s[1] * s[2]), out = (int) (batch * s[0] * s[2]);
                table.add(new AxisMean.Forward("mean_" + id, s[0], s[1], s[2]), batch, 0, 1e-6, KernelCheck.random(r, in, 1), new float[out]);
                table.add(new AxisMean.Backward("dmean_" + id, s[0], s[1], s[2]), batch, 0, 1e-6, KernelCheck.random(r, out, 1), new float[in]);
            }
        }
        for (int batch : new int[] {1, 3}) {
            table.add(new PositionalGrad("dpos_b" + batch, 6, 10), batch, 0, 1e-6, KernelCheck.random(r, 6 * batch, 1), KernelCheck.random(r, 10, 1));
        }
        table.assertSame();
    }

    @Test void attentionGradientsMatchFiniteDifferences() {
        Random r = new Random(15);
        for (boolean causal : new boolean[] {false, true}) {
            var g = new AttentionKernels.Geometry(4, 6, 2, causal);
            int batch = 2, qkvSize = batch * 4 * 18, pSize = batch * 2 * 16;
            float[] qkv = KernelCheck.random(r, qkvSize, 1), dout = KernelCheck.random(r, batch * 24, 1);
            float[] p = attend(g, batch, qkv)[0];
            float[] ds = new float[pSize], dqkv = new float[qkvSize];
            new AttentionKernels.BackwardScores("fd", g).reference(batch, 0, new float[][] {p, qkv, dout, ds});
            new AttentionKernels.BackwardQkv("fd", g).reference(batch, 0, new float[][] {p, ds, qkv, dout, dqkv});
            FiniteDifferences.assertMatches(dqkv, FiniteDifferences.gradient(qkv, x -> FiniteDifferences.dot(dout, attend(g, batch, x)[1])), "dqkv, causal " + causal);
        }
    }

    /** With the mask, the first step attends only to itself: its output is its own value, in every head. */
    @Test void causalFirstStepSeesOnlyItself() {
        var g = new AttentionKernels.Geometry(3, 4, 2, true);
        float[] qkv = KernelCheck.random(new Random(16), 3 * 12, 3);
        float[][] out = attend(g, 1, qkv);
        for (int c = 0; c < 4; c++) assertThat(out[1][c]).isCloseTo(qkv[8 + c], within(1e-6f));
        for (int j = 1; j < 3; j++) assertThat(out[0][j]).isZero();
    }

    @Test void meanAndPositionGradientsMatchFiniteDifferences() {
        Random r = new Random(17);
        float[] x = KernelCheck.random(r, 2 * 30, 1), dy = KernelCheck.random(r, 2 * 10, 1), dx = new float[60];
        new AxisMean.Backward("fd", 2, 3, 5).reference(2, 0, new float[][] {dy, dx});
        FiniteDifferences.assertMatches(dx, FiniteDifferences.gradient(x, v -> {
            float[] y = new float[20];
            new AxisMean.Forward("fd", 2, 3, 5).reference(2, 0, new float[][] {v, y});
            return FiniteDifferences.dot(dy, y);
        }), "mean over the middle axis");
        float[] w = KernelCheck.random(r, 12, 1), dz = KernelCheck.random(r, 3 * 8, 1), dw = new float[12];
        new PositionalGrad("fd", 8, 12).reference(3, 0, new float[][] {dz, dw});
        FiniteDifferences.assertMatches(dw, FiniteDifferences.gradient(w, v -> {
            double sum = 0;
            for (int n = 0; n < 3; n++) for (int e = 0; e < 8; e++) sum += dz[n * 8 + e] * v[e];
            return sum;
        }), "position weight, 8 of 12 values used");
    }

    /** p and o of the references. */
    private static float[][] attend(AttentionKernels.Geometry g, int batch, float[] qkv) {
        float[] p = new float[(int) (batch * g.heads() * g.time() * g.time())], o = new float[(int) (batch * g.time() * g.width())];
        new AttentionKernels.Scores("ref", g).reference(batch, 0, new float[][] {qkv, p});
        new AttentionKernels.Mix("ref", g).reference(batch, 0, new float[][] {p, qkv, o});
        return new float[][] {p, o};
    }
}
