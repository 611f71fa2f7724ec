package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GlobalPoolTest {
    @Test void maxAndMeanOverEachChannel() {
        // two examples, two channels of three positions
        float[] x = {1, 5, 3, -1, -2, -3, 0, 0, 6, 2, 2, 2};
        OpenClTable table = new OpenClTable()
                .add(new GlobalPoolForward("t_gpool_max", 2, 3, true), 2, 0, 0, x, new float[4])
                .add(new GlobalPoolForward("t_gpool_avg", 2, 3, false), 2, 0, 0, x, new float[4])
                .add(new GlobalPoolBackward("t_gpool_max_bwd", 2, 3, true), 2, 0, 0, x, new float[] {1, 2, 3, 4}, new float[12])
                .add(new GlobalPoolBackward("t_gpool_avg_bwd", 2, 3, false), 2, 0, 0, x, new float[] {3, 6, 9, 12}, new float[12]);
        List<float[][]> out = table.assertSame();
        assertThat(out.get(0)[1]).containsExactly(5, -1, 6, 2);
        assertThat(out.get(1)[1]).containsExactly(3, -2, 2, 2);
        // max: to the first largest (the first of the three 2s in the last channel)
        assertThat(out.get(2)[2]).containsExactly(0, 1, 0, 2, 0, 0, 0, 0, 3, 4, 0, 0);
        assertThat(out.get(3)[2]).containsExactly(1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4);
    }

    // As PyTorch's adaptive max pooling to one position: a channel holding NaN has NaN as its max,
    // and its last NaN takes the gradient.
    @Test void aChannelHoldingNanHasNanAsItsMaximum() {
        float nan = Float.NaN;
        float[] x = {1, nan, 3, nan, 2, 7, 5, 0, nan, 4, 4, 4};
        List<float[][]> out = new OpenClTable()
                .add(new GlobalPoolForward("t_gpool_nan", 3, 4, true), 1, 0, 0, x, new float[3])
                .add(new GlobalPoolBackward("t_gpool_nan_bwd", 3, 4, true), 1, 0, 0, x, new float[] {1, 2, 3}, new float[12])
                .assertSame();
        assertThat(out.get(0)[1]).containsExactly(nan, 7, nan);
        assertThat(out.get(1)[2]).containsExactly(0, 0, 0, 1, 0, 2, 0, 0, 3, 0, 0, 0);
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(51);
        OpenClTable table = new OpenClTable();
        for (long[] s : new long[][] {{1, 1}, {3, 49}, {16, 5}, {2, 300}}) {
            for (boolean max : new boolean[] {true, false}) {
                String id = s[0] + "_" + s[1] + (max ? "_max" : "_avg");
                for (int batch : new int[] {1, 37}) {
                    int n = (int) (s[0] * s[1]) * batch, rows = (int) s[0] * batch;
                    table.add(new GlobalPoolForward("t_gpool_fwd_" + id, s[0], s[1], max), batch, 0, 1e-6,
                            KernelCheck.random(r, n, 1), new float[rows]);
                    table.add(new GlobalPoolBackward("t_gpool_bwd_" + id, s[0], s[1], max), batch, 0, 1e-6,
                            KernelCheck.random(r, n, 1), KernelCheck.random(r, rows, 1), KernelCheck.random(r, n, 1));
                }
            }
        }
        table.assertSame();
    }

    // Against central finite differences of the forward, as in PoolTest: distinct inputs 0.1 apart,
    // step 1e-2, tolerance 1e-3 relative to 1 + |gradient|.
    @Test void gradientMatchesFiniteDifferences() {
        Random r = new Random(52);
        for (boolean max : new boolean[] {true, false}) {
            int batch = 3, channels = 4, spatial = 6, n = batch * channels * spatial;
            float[] x = PoolTest.distinct(r, n), dy = KernelCheck.random(r, batch * channels, 1);
            GlobalPoolForward forward = new GlobalPoolForward("fd", channels, spatial, max);
            double[] numeric = FiniteDifferences.gradient(x, p -> {
                float[] y = new float[dy.length];
                forward.reference(batch, 0, new float[][] {p, y});
                return FiniteDifferences.dot(dy, y);
            });
            float[] dx = new float[n];
            new GlobalPoolBackward("fd", channels, spatial, max).reference(batch, 0, new float[][] {x, dy, dx});
            FiniteDifferences.assertMatches(dx, numeric, (max ? "max" : "mean") + " dx");
        }
    }
}
