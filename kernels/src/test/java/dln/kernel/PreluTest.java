package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.kernel.Kernel;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PreluTest {
    @Test void slopesNegativeInputsPerChannel() {
        // N = 1, C = 2, S = 2, slopes 0.25 and 2
        float[][] out = new OpenClTable().add(new PreluForward("t_prelu_hand", 2, 2), 1, 0, 0,
                new float[] {-2, 3, -1, 0}, new float[] {0.25f, 2}, new float[4]).assertSame().get(0);
        assertThat(out[2]).containsExactly(-0.5f, 3, -2, 0);
        float[][] back = new OpenClTable().add(new PreluBackward("t_prelu_back_hand", 2, 2), 1, 0, 0,
                new float[] {-2, 3, -1, 0}, new float[] {0.25f, 2}, new float[] {1, 1, 1, 1}, new float[4], new float[] {9, 9})
                .assertSame().get(0);
        assertThat(back[3]).containsExactly(0.25f, 1, 2, 1);
        assertThat(back[4]).containsExactly(-2, -1);
    }

    // As torch.nn.functional.prelu: NaN stays NaN whatever the slope.
    @Test void nanStaysNan() {
        float nan = Float.NaN;
        float[][] out = new OpenClTable().add(new PreluForward("t_prelu_nan", 1, 3), 1, 0, 0,
                new float[] {nan, -2, 3}, new float[] {0.25f}, new float[3]).assertSame().get(0);
        assertThat(out[2]).containsExactly(nan, -0.5f, 3);
    }

    @Test void backwardMatchesFiniteDifferences() {
        Random r = new Random(23);
        int batch = 3, c = 2, s = 4, n = batch * c * s;
        float[] x = KernelCheck.random(r, n, 1), w = {0.25f, -0.5f}, dy = KernelCheck.random(r, n, 1);
        for (int i = 0; i < n; i++) x[i] += Math.copySign(0.1f, x[i]); // a finite-difference step away from the kink
        float[] dx = new float[n], dw = new float[c];
        new PreluBackward("fd", c, s).reference(batch, 0, new float[][] {x, w, dy, dx, dw});
        FiniteDifferences.assertMatches(dx, FiniteDifferences.gradient(x, p -> FiniteDifferences.dot(dy, forward(c, s, batch, p, w))), "dx");
        FiniteDifferences.assertMatches(dw, FiniteDifferences.gradient(w, p -> FiniteDifferences.dot(dy, forward(c, s, batch, x, p))), "dweight");
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(24);
        OpenClTable table = new OpenClTable();
        for (int[] shape : new int[][] {{1, 1}, {3, 1}, {4, 9}, {2, 300}}) {
            int c = shape[0], s = shape[1];
            Kernel forward = new PreluForward("t_prelu_" + c + "_" + s, c, s);
            Kernel backward = new PreluBackward("t_prelu_back_" + c + "_" + s, c, s);
            for (int batch : new int[] {1, 37}) {
                float[] x = KernelCheck.random(r, batch * c * s, 1), w = KernelCheck.random(r, c, 0.3);
                table.add(forward, batch, 0, 0, x, w, new float[x.length]);
                table.add(backward, batch, 0, 1e-5, x, w, KernelCheck.random(r, x.length, 1), new float[x.length], new float[c]);
            }
        }
        table.assertSame();
    }

    private static float[] forward(int c, int s, int batch, float[] x, float[] w) {
        float[] y = new float[x.length];
        new PreluForward("fd", c, s).reference(batch, 0, new float[][] {x, w, y});
        return y;
    }
}
