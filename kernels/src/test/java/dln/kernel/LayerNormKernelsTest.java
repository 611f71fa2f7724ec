package dln.kernel;

import dln.runtime.jvm.JvmBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Layer norm's kernels: OpenCL against the references over odd widths and batches, the references against finite differences. */
class LayerNormKernelsTest {
    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(4);
        OpenClTable table = new OpenClTable();
        for (long w : new long[] {1, 3, 8, 257}) {
            for (int batch : new int[] {1, 5}) {
                int rows = 3 * batch, n = rows * (int) w;
                float[] x = KernelCheck.random(r, n, 2), weight = KernelCheck.random(r, (int) w, 1), bias = KernelCheck.random(r, (int) w, 1);
                float[][] forward = KernelCheck.run(new JvmBackend(), new LayerNormKernels.Forward("ref", Dim.batch(3), w, 1e-5f), batch, 0,
                        x, weight, bias, new float[n], new float[rows], new float[rows]);
                table.add(new LayerNormKernels.Forward("t_ln_fwd_w" + w, Dim.batch(3), w, 1e-5f), batch, 0, 1e-5,
                        x, weight, bias, new float[n], new float[rows], new float[rows]);
                float[] dy = KernelCheck.random(r, n, 1);
                table.add(new LayerNormKernels.BackwardData("t_ln_dx_w" + w, Dim.batch(3), w), batch, 0, 1e-4,
                        x, weight, forward[4], forward[5], dy, new float[n]);
                table.add(new LayerNormKernels.BackwardParams("t_ln_dparams_w" + w, Dim.batch(3), w), batch, 0, 1e-4,
                        x, forward[4], forward[5], dy, new float[(int) w], new float[(int) w]);
            }
        }
        table.assertSame();
    }

    @Test void gradientsMatchFiniteDifferences() {
        Random r = new Random(5);
        for (long w : new long[] {2, 5}) {
            int rows = 3, n = rows * (int) w;
            float[] x = KernelCheck.random(r, n, 2), weight = KernelCheck.random(r, (int) w, 1), bias = KernelCheck.random(r, (int) w, 1);
            float[] dy = KernelCheck.random(r, n, 1);
            float[][] f = forward(x, weight, bias, w, rows);
            float[] dx = new float[n], dw = new float[(int) w], db = new float[(int) w];
            new LayerNormKernels.BackwardData("fd", Dim.batch(1), w).reference(rows, 0, new float[][] {x, weight, f[4], f[5], dy, dx});
            new LayerNormKernels.BackwardParams("fd", Dim.batch(1), w).reference(rows, 0, new float[][] {x, f[4], f[5], dy, dw, db});
            FiniteDifferences.assertMatches(dx, FiniteDifferences.gradient(x, p -> FiniteDifferences.dot(dy, forward(p, weight, bias, w, rows)[3])), "dx, width " + w);
            FiniteDifferences.assertMatches(dw, FiniteDifferences.gradient(weight, p -> FiniteDifferences.dot(dy, forward(x, p, bias, w, rows)[3])), "dweight, width " + w);
            FiniteDifferences.assertMatches(db, FiniteDifferences.gradient(bias, p -> FiniteDifferences.dot(dy, forward(x, weight, p, w, rows)[3])), "dbias, width " + w);
        }
    }

    private static float[][] forward(float[] x, float[] weight, float[] bias, long w, int rows) {
        int n = x.length;
        return KernelCheck.run(new JvmBackend(), new LayerNormKernels.Forward("ref", Dim.batch(1), w, 1e-5f), rows, 0,
                x, weight, bias, new float[n], new float[rows], new float[rows]);
    }
}
