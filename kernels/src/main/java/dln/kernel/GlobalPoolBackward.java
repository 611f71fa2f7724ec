package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.Arrays;
import java.util.List;

/**
 * dx [N, channels, spatial] from dy [N, channels], overwritten: the mean spreads each gradient evenly
 * over the row; max sends it to the element the forward pass took (the first largest, or the last
 * NaN), the rest of the row 0.
 */
public record GlobalPoolBackward(String name, long channels, long spatial, boolean max) implements Kernel {

    public List<String> args() { return List.of("x", "dy", "dx"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], dy = bufs[1], dx = bufs[2];
        int s = (int) spatial;
        ParallelFor.range(batch * (int) channels, spatial, row -> {
            if (max) {
                Arrays.fill(dx, row * s, (row + 1) * s, 0);
                dx[row * s + GlobalPoolForward.argmax(x, row * s, s)] = dy[row];
            } else {
                Arrays.fill(dx, row * s, (row + 1) * s, dy[row] / s);
            }
        });
    }

    public void opencl(C out) {
        out.line("// dx [N, %d, %d] = the %s gradient from dy [N, %d]; one work-item per %s.", channels, spatial, max ? "max" : "mean", channels,
                max ? "row" : "element");
        out.kernel(name, "const x", "const dy", "dx");
        if (max) {
            out.line("const int row = get_global_id(0);");
            out.line("if (row >= batch * %d) return;", channels);
            out.line("__global const float* xr = x + row * %d;", spatial);
            out.line("int best = 0;");
            out.line("for (int i = 1; i < %d; i++) if %s best = i;", spatial, PoolWindows.replaces("xr[i]", "xr[best]"));
            out.line("for (int i = 0; i < %d; i++) dx[row * %d + i] = i == best ? dy[row] : 0.0f;", spatial, spatial);
        } else {
            out.line("const int e = get_global_id(0);");
            out.line("if (e >= batch * %d) return;", channels * spatial);
            out.line("dx[e] = dy[e / %d] / %s;", spatial, C.f(spatial));
        }
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {batch * channels * (max ? 1 : spatial)}; }

    @Override public long[] local() { return WorkGroups.items(); }
}
