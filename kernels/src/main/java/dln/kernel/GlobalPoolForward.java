package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * y [N, channels] = the max or the mean of x [N, channels, spatial] over the spatial positions; the
 * max of a channel holding NaN is NaN, as PyTorch's adaptive max pooling to one position gives.
 */
public record GlobalPoolForward(String name, long channels, long spatial, boolean max) implements Kernel {

    public List<String> args() { return List.of("x", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], y = bufs[1];
        int s = (int) spatial;
        ParallelFor.range(batch * (int) channels, spatial, row -> {
            if (max) {
                y[row] = x[row * s + argmax(x, row * s, s)];
            } else {
                float sum = 0;
                for (int i = row * s; i < (row + 1) * s; i++) sum += x[i];
                y[row] = sum / s;
            }
        });
    }

    /** The offset of the maximum of x[from, from + count): the first largest, or the last NaN ({@link Windows#replaces}). */
    static int argmax(float[] x, int from, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) if (PoolWindows.replaces(x[from + i], x[from + best])) best = i;
        return best;
    }

    public void opencl(C out) {
        out.line("// y [N, %d] = the %s of x [N, %d, %d] over its last dimension; one work-item per row.", channels, max ? "max" : "mean", channels, spatial);
        out.kernel(name, "const x", "y");
        out.line("const int row = get_global_id(0);");
        out.line("if (row >= batch * %d) return;", channels);
        out.line("__global const float* xr = x + row * %d;", spatial);
        if (max) {
            out.line("float top = xr[0];");
            out.line("for (int i = 1; i < %d; i++) top = %s ? xr[i] : top;", spatial, PoolWindows.replaces("xr[i]", "top"));
            out.line("y[row] = top;");
        } else {
            out.line("float sum = 0.0f;");
            out.line("for (int i = 0; i < %d; i++) sum += xr[i];", spatial);
            out.line("y[row] = sum / %s;", C.f(spatial));
        }
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {batch * channels}; }

    @Override public long[] local() { return WorkGroups.items(); }
}
