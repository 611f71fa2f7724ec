package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * y [N, channels, out] = the max or the mean of each window of x [N, channels, in]. Max leaves the
 * padding out; the mean counts it as zeros (PyTorch's count_include_pad), dividing by the window size.
 * A window holding NaN has NaN as its max, as in PyTorch ({@link Windows#argmax(int[], float[], int)}).
 * On OpenCL, 2 × 2 windows at stride 2 go a row of windows a work-item ({@link PoolRows}).
 */
public record PoolForward(String name, PoolGeom g, boolean max) implements Kernel {

    public List<String> args() { return List.of("x", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        if (PoolWindows.twoByTwo(g)) twoByTwo(batch, bufs[0], bufs[1]);
        else byWindows(batch, bufs[0], bufs[1]);
    }

    /** The reference for any geometry: each output's window as a list of plane indices. */
    void byWindows(int batch, float[] x, float[] y) {
        int[][] windows = PoolWindows.of(g);
        int in = (int) g.inVolume(), out = (int) g.outVolume();
        float size = g.windowVolume();
        ParallelFor.range(batch * (int) g.channels(), (long) out * windows.length, plane -> {
            for (int o = 0; o < out; o++) {
                int[] w = windows[o];
                if (max) {
                    y[plane * out + o] = x[plane * in + PoolWindows.argmax(w, x, plane * in)];
                } else {
                    float sum = 0;
                    for (int i : w) sum += x[plane * in + i];
                    y[plane * out + o] = sum / size;
                }
            }
        });
    }

    /** The reference for 2 × 2 windows of stride 2 tiling the planes: the same values, the four elements read straight. */
    private void twoByTwo(int batch, float[] x, float[] y) {
        int in = (int) g.inVolume(), out = (int) g.outVolume(), w = (int) g.in()[2], rows = (int) (g.out()[0] * g.out()[1]), cols = (int) g.out()[2];
        ParallelFor.range(batch * (int) g.channels(), 4L * out, plane -> {
            int at = plane * out;
            for (int r = 0; r < rows; r++) {
                for (int c = 0, b = 2 * r * w; c < cols; c++, b += 2) {
                    if (max) y[at++] = PoolWindows.max2x2(x, plane * in, b, w);
                    else y[at++] = (0f + x[plane * in + b] + x[plane * in + b + 1] + x[plane * in + b + w] + x[plane * in + b + w + 1]) / 4f;   // summed as the windows are
                }
            }
        });
    }

    public void opencl(C out) {
        if (PoolRows.applies(g)) {
            PoolRows.forward(out, name, g, max);
            return;
        }
        if (unrolled()) {
            unrolledWindows(out);
            return;
        }
        if (max) PoolWindows.argmax(out, name + "_argmax", g);
        out.line("// y = the %s of each window: %s.", max ? "max" : "mean (padding counted as zeros)", g);
        PoolWindows.openPerOutput(out, name, g, "const x", "y");
        out.line("__global const float* xp = x + plane * %d;", g.inVolume());
        if (max) {
            out.line("y[e] = xp[%s_argmax(xp, od, oh, ow)];", name);
        } else {
            out.line("float sum = 0.0f;");
            PoolWindows.scan(out, g, "od", "oh", "ow");
            out.line("sum += xp[i];");
            PoolWindows.closeScan(out);
            out.line("y[e] = sum / %s;", C.f(g.windowVolume()));
        }
        out.line("}");
    }

    /** Without padding and with small windows, each window is a list of constant offsets from its corner. */
    private boolean unrolled() {
        for (long p : g.padding()) if (p != 0) return false;
        return g.windowVolume() <= 64;
    }

    /**
     * The window's elements read at constant offsets, in the order of the general scan (depth, row,
     * column), with the same rule (the first element, then any strictly greater or NaN) or the same sum:
     * the results are those of the general kernel, bit for bit, without its loops and calls.
     */
    private void unrolledWindows(C out) {
        long[] in = g.in(), st = g.stride();
        out.line("// y = the %s of each window: %s; window offsets unrolled.", max ? "max" : "mean", g);
        PoolWindows.openPerOutput(out, name, g, "const x", "y");
        out.line("__global const float* xp = x + plane * %d + (od * %d * %d + oh * %d) * %d + ow * %d;",
                g.inVolume(), st[0], in[1], st[1], in[2], st[2]);
        long[] offsets = PoolWindows.offsets(g);
        out.line(max ? "float acc = xp[%d];".formatted(offsets[0]) : "float acc = 0.0f;");
        for (int j = max ? 1 : 0; j < offsets.length; j++) {
            out.line(max ? "{ const float v = xp[%d]; acc = %s ? v : acc; }".formatted(offsets[j], PoolWindows.replaces("v", "acc"))
                    : "acc += xp[%d];".formatted(offsets[j]));
        }
        out.line(max ? "y[e] = acc;" : "y[e] = acc / %s;", C.f(g.windowVolume()));
        out.line("}");
    }

    public long[] global(int batch) { return PoolRows.applies(g) ? PoolRows.global(g, batch) : new long[] {batch * g.channels() * g.outVolume()}; }

    @Override public long[] local() { return PoolRows.applies(g) ? PoolRows.local() : WorkGroups.items(); }
}
