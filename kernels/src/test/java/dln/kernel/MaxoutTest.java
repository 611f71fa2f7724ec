package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.kernel.Kernel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaxoutTest {
    @Test void takesTheMaximumAndRoutesTheGradientToTheFirstOne() {
        float[] z = {1, 5, 3, -2, -1, -1};
        float[][] fwd = new OpenClTable().add(new MaxoutForward("t_maxout_hand", 2, 3), 1, 0, 0, z, new float[2]).assertSame().get(0);
        assertThat(fwd[1]).containsExactly(5, -1);
        float[][] back = new OpenClTable().add(new MaxoutBackward("t_maxout_back_hand", 2, 3), 1, 0, 0, z, new float[] {10, 20},
                new float[] {9, 9, 9, 9, 9, 9}).assertSame().get(0);
        assertThat(back[2]).containsExactly(0, 10, 0, 0, 20, 0);
    }

    // As torch.max(z, dim), which maxout is in PyTorch: a unit with a NaN piece is NaN, and its
    // first NaN is the maximum (torch's scan stops there) and takes the gradient.
    @Test void aUnitWithANanPieceIsNanAndItsFirstNanTakesTheGradient() {
        float nan = Float.NaN;
        float[] z = {1, nan, 5, nan, nan, 2, 3, 0, 3, nan, 0, 0};
        List<float[][]> out = new OpenClTable()
                .add(new MaxoutForward("t_maxout_nan", 4, 3), 1, 0, 0, z, new float[4])
                .add(new MaxoutBackward("t_maxout_nan_back", 4, 3), 1, 0, 0, z, new float[] {10, 20, 30, 40}, new float[12])
                .assertSame();
        assertThat(out.get(0)[1]).containsExactly(nan, nan, 3, nan);
        assertThat(out.get(1)[2]).containsExactly(0, 10, 0, 20, 0, 0, 30, 0, 0, 40, 0, 0);
    }

    @Test void backwardMatchesFiniteDifferences() {
        Random r = new Random(21);
        int batch = 3, units = 4, pieces = 3, n = batch * units * pieces;
        float[] z = new float[n];
        // pieces 0.1 apart at least, so a finite-difference step never changes which is largest
        for (int u = 0; u < batch * units; u++) {
            int top = r.nextInt(pieces);
            for (int k = 0; k < pieces; k++) z[u * pieces + k] = (float) r.nextGaussian() * 0.1f + (k == top ? 1 : -k);
        }
        float[] dy = KernelCheck.random(r, batch * units, 1), dz = new float[n];
        new MaxoutBackward("fd", units, pieces).reference(batch, 0, new float[][] {z, dy, dz});
        double[] numeric = FiniteDifferences.gradient(z, p -> {
            float[] y = new float[batch * units];
            new MaxoutForward("fd", units, pieces).reference(batch, 0, new float[][] {p, y});
            return FiniteDifferences.dot(dy, y);
        });
        FiniteDifferences.assertMatches(dz, numeric, "maxout dz");
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(22);
        OpenClTable table = new OpenClTable();
        for (int[] shape : new int[][] {{1, 1}, {3, 2}, {16, 5}}) {
            int units = shape[0], pieces = shape[1];
            Kernel forward = new MaxoutForward("t_maxout_" + units + "_" + pieces, units, pieces);
            Kernel backward = new MaxoutBackward("t_maxout_back_" + units + "_" + pieces, units, pieces);
            for (int batch : new int[] {1, 37}) {
                float[] z = KernelCheck.random(r, batch * units * pieces, 1);
                table.add(forward, batch, 0, 0, z, new float[batch * units]);
                table.add(backward, batch, 0, 0, z, KernelCheck.random(r, batch * units, 1), new float[z.length]);
            }
        }
        table.assertSame();
    }
}
