package dln.runtime.kernel;

import java.util.List;

/**
 * y [N, channels, out] = the max or the mean of each window of x [N, channels, in]. Max leaves the
 * padding out; the mean counts it as zeros (PyTorch's count_include_pad), dividing by the window size.
 */
public record PoolForward(String name, PoolGeom g, boolean max) implements Kernel {

    public List<String> args() { return List.of("x", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], y = bufs[1];
        int[][] windows = Windows.of(g);
        int in = (int) g.inVolume(), out = (int) g.outVolume();
        float size = g.windowVolume();
        ParallelFor.range(batch * (int) g.channels(), (long) out * windows.length, plane -> {
            for (int o = 0; o < out; o++) {
                int[] w = windows[o];
                if (max) {
                    y[plane * out + o] = x[plane * in + Windows.argmax(w, x, plane * in)];
                } else {
                    float sum = 0;
                    for (int i : w) sum += x[plane * in + i];
                    y[plane * out + o] = sum / size;
                }
            }
        });
    }

    public void opencl(C out) {
        long[] o = g.out();
        if (max) Windows.argmax(out, name + "_argmax", g);
        out.line("// y = the %s of each window: %s.", max ? "max" : "mean (padding counted as zeros)", g);
        out.kernel(name, "const x", "y");
        out.line("const int e = get_global_id(0);");
        out.line("if (e >= batch * %d) return;", g.channels() * g.outVolume());
        out.line("const int plane = e / %d, ow = e %% %d, oh = e / %d %% %d, od = e / %d %% %d;",
                g.outVolume(), o[2], o[2], o[1], o[1] * o[2], o[0]);
        out.line("__global const float* xp = x + plane * %d;", g.inVolume());
        if (max) {
            out.line("y[e] = xp[%s_argmax(xp, od, oh, ow)];", name);
        } else {
            out.line("float sum = 0.0f;");
            Windows.scan(out, g, "od", "oh", "ow");
            out.line("sum += xp[i];");
            Windows.closeScan(out);
            out.line("y[e] = sum / %s;", C.f(g.windowVolume()));
        }
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {batch * g.channels() * g.outVolume()}; }

    @Override public long[] local() { return WorkGroups.items(); }
}
