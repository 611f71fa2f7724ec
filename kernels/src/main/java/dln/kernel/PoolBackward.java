package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.Arrays;
import java.util.List;

/**
 * dx [N, channels, in] from dy [N, channels, out], overwritten: max sends each output's gradient to
 * the element its forward pass took (recomputed from x: the first largest, or the last NaN, as
 * PyTorch's max_pool indices), the mean spreads it evenly over the
 * window size. Where windows overlap the shares add up: on OpenCL each input element gathers them
 * from the windows that cover it, in output order (no atomics), which is also the order the Java
 * reference adds them in. Where they do not (stride at least the window), each window writes its
 * own tile of dx instead, finding its maximum once rather than once per element; 2 × 2 windows at
 * stride 2 a row of windows a work-item ({@link PoolRows}).
 */
public record PoolBackward(String name, PoolGeom g, boolean max, Act act, float alpha) implements Kernel {

    /** The pooling's gradient alone. */
    public PoolBackward(String name, PoolGeom g, boolean max) { this(name, g, max, Act.LINEAR, 0f); }

    /**
     * The same with the gradient of the activation that produced x folded in: dx · act'(x), where x
     * is that activation's output (a convolution's relu before its pooling): the activation's own
     * gradient launch, and its pass over dx, are saved. Only an activation whose derivative is a
     * function of its output folds in ({@link Act#gradFromOutput()}).
     */
    public PoolBackward withAct(Act a, float al) {
        if (!a.gradFromOutput()) throw new IllegalArgumentException(a + "'s derivative needs its input, which a pooling does not read");
        return new PoolBackward(name, g, max, a, al);
    }

    public List<String> args() { return List.of("x", "dy", "dx"); }

    public void reference(int batch, int step, float[][] bufs) {
        if (PoolWindows.twoByTwo(g)) twoByTwo(batch, bufs[0], bufs[1], bufs[2]);
        else byWindows(batch, bufs[0], bufs[1], bufs[2]);
    }

    /** The reference for any geometry: each output's window as a list of plane indices. */
    void byWindows(int batch, float[] x, float[] dy, float[] dx) {
        int[][] windows = PoolWindows.of(g);
        int in = (int) g.inVolume(), out = (int) g.outVolume();
        float size = g.windowVolume();
        ParallelFor.range(batch * (int) g.channels(), (long) out * windows.length, plane -> {
            Arrays.fill(dx, plane * in, (plane + 1) * in, 0);
            for (int o = 0; o < out; o++) {
                int[] w = windows[o];
                float d = dy[plane * out + o];
                if (max) dx[plane * in + PoolWindows.argmax(w, x, plane * in)] += d;
                else for (int i : w) dx[plane * in + i] += d / size;
            }
            if (act != Act.LINEAR) act.grad(x, dx, dx, plane * in, (plane + 1) * in, alpha);
        });
    }

    /**
     * The reference for 2 × 2 windows of stride 2 tiling the planes: the same values, the four
     * elements read straight. A folded relu's derivative (0 or 1, never NaN) multiplies only the
     * window's maximum, the others being zeros it leaves zero: the same values as a pass over the
     * plane afterwards, without the pass (lenet5's first pooling on the JVM: 350-453 -> 270-287 µs a launch).
     */
    private void twoByTwo(int batch, float[] x, float[] dy, float[] dx) {
        int in = (int) g.inVolume(), out = (int) g.outVolume(), w = (int) g.in()[2], rows = (int) (g.out()[0] * g.out()[1]), cols = (int) g.out()[2];
        boolean relu = max && act == Act.RELU;
        ParallelFor.range(batch * (int) g.channels(), 4L * out, plane -> {
            int from = plane * in, at = plane * out;
            Arrays.fill(dx, from, from + in, 0);
            for (int r = 0; r < rows; r++) {
                for (int c = 0, b = 2 * r * w; c < cols; c++, b += 2) {
                    float d = dy[at++];
                    if (relu) {
                        int top = from + PoolWindows.argmax2x2(x, from, b, w);
                        dx[top] = (dx[top] + d) * Act.reluGrad(x[top]);
                    } else if (max) {
                        dx[from + PoolWindows.argmax2x2(x, from, b, w)] += d;
                    } else {
                        dx[from + b] += d / 4f;
                        dx[from + b + 1] += d / 4f;
                        dx[from + b + w] += d / 4f;
                        dx[from + b + w + 1] += d / 4f;
                    }
                }
            }
            if (act != Act.LINEAR && !relu) act.grad(x, dx, dx, from, from + in, alpha);
        });
    }

    /** {@code value} times the folded activation's gradient at {@code x}, as C; the value alone without one. */
    private String times(String value, String x) {
        return act == Act.LINEAR ? value : "(" + value + ") * " + act.openclGrad(x, C.f(alpha));
    }

    public void opencl(C out) {
        if (act != Act.LINEAR) {
            out.line("// then times %s'(x), the gradient of the activation whose output x is, folded in.", act.name().toLowerCase(java.util.Locale.ROOT));
        }
        if (PoolRows.applies(g)) {
            PoolRows.backward(out, name, g, max, act, alpha);
            return;
        }
        if (exactTiles()) {
            unrolledTiles(out);
            return;
        }
        if (max) PoolWindows.argmax(out, name + "_argmax", g);
        if (disjoint()) tiles(out);
        else gather(out);
    }

    /** Whether no two windows overlap (stride at least the window in every dimension). */
    private boolean disjoint() {
        long[] k = g.size(), s = g.stride();
        for (int d = 0; d < 3; d++) if (s[d] < k[d]) return false;
        return true;
    }

    /**
     * Disjoint windows: a work-item per window writes the window's tile of dx, from the window's first
     * element to the next window's (the last tile to the end of the input): the window's share, zero
     * elsewhere. The tiles cover the input once, gaps between windows included.
     */
    /** Windows that tile the input exactly (stride = size, no padding, nothing left over), each small. */
    private boolean exactTiles() {
        long[] in = g.in(), k = g.size(), st = g.stride(), p = g.padding(), o = g.out();
        for (int d = 0; d < 3; d++) if (st[d] != k[d] || p[d] != 0 || in[d] != o[d] * k[d]) return false;
        return g.windowVolume() <= 64;
    }

    /**
     * A work-item per window, its elements at constant offsets from the corner: the maximum
     * (strictly greater or NaN replaces, the rule of the general kernel) takes dy, the others 0; for the
     * mean every element takes dy / size.
     */
    private void unrolledTiles(C out) {
        long[] in = g.in(), k = g.size();
        out.line("// dx = the %s gradient of each window, a work-item per window writing its tile, offsets unrolled: %s.",
                max ? "max" : "mean", g);
        PoolWindows.openPerOutput(out, name, g, "const x", "const dy", "dx");
        out.line("const int corner = plane * %d + (od * %d * %d + oh * %d) * %d + ow * %d;", g.inVolume(), k[0], in[1], k[1], in[2], k[2]);
        long[] offsets = PoolWindows.offsets(g);
        if (max) {
            out.line("__global const float* xp = x + corner;");
            out.line("float top = xp[%d];", offsets[0]);
            out.line("int best = 0;");
            for (int j = 1; j < offsets.length; j++) {
                // selects, not a branch: PoCL then runs the work-items' windows side by side in vector lanes
                out.line("{ const float v = xp[%d]; const int r = %s; best = r ? %d : best; top = r ? v : top; }",
                        offsets[j], PoolWindows.replaces("v", "top"), j);
            }
            out.line("const float grad = dy[e];");
            for (int j = 0; j < offsets.length; j++) {
                out.line("dx[corner + %d] = %s;", offsets[j], times("best == %d ? grad : 0.0f".formatted(j), "xp[%d]".formatted(offsets[j])));
            }
        } else {
            out.line("const float share = dy[e] / %s;", C.f(g.windowVolume()));
            for (long off : offsets) out.line("dx[corner + %d] = %s;", off, times("share", "x[corner + %d]".formatted(off)));
        }
        out.line("}");
    }

    private void tiles(C out) {
        long[] in = g.in(), k = g.size(), s = g.stride(), p = g.padding(), o = g.out();
        out.line("// dx = the %s gradient of each window, a work-item per window writing its tile: %s.", max ? "max" : "mean", g);
        PoolWindows.openPerOutput(out, name, g, "const x", "const dy", "dx");
        out.line("__global float* dxp = dx + plane * %d;", g.inVolume());
        out.line(max ? "const int best = %s_argmax(x + plane * %d, od, oh, ow);".formatted(name, g.inVolume())
                : "const float share = dy[e] / %s;".formatted(C.f(g.windowVolume())));
        String[] iv = {"id", "ih", "iw"}, ov = {"od", "oh", "ow"};
        for (int d = 0; d < 3; d++) {
            out.line("const int %s0 = %s * %d - %d, %s1 = %s == %d ? %d : %s0 + %d;", iv[d], ov[d], s[d], p[d], iv[d], ov[d], o[d] - 1, in[d], iv[d], s[d]);
        }
        for (int d = 0; d < 3; d++) out.line("for (int %s = max(%s0, 0); %s < %s1; %s++) {", iv[d], iv[d], iv[d], iv[d], iv[d]);
        out.line("const int i = (id * %d + ih) * %d + iw;", in[1], in[2]);
        String xi = "x[plane * %d + i]".formatted(g.inVolume());
        out.line(max ? "dxp[i] = %s;".formatted(times("i == best ? dy[e] : 0.0f", xi))
                : "dxp[i] = %s;".formatted(times("id < id0 + %d && ih < ih0 + %d && iw < iw0 + %d ? share : 0.0f".formatted(k[0], k[1], k[2]), xi)));
        for (int d = 0; d < 3; d++) out.line("}");
        out.line("}");
    }

    private void gather(C out) {
        long[] in = g.in(), k = g.size(), s = g.stride(), p = g.padding(), o = g.out();
        out.line("// dx = the %s gradient of each window gathered per input element: %s.", max ? "max" : "mean", g);
        out.kernel(name, "const x", "const dy", "dx");
        out.line("const int e = get_global_id(0);");
        out.line("if (e >= batch * %d) return;", g.channels() * g.inVolume());
        out.line("const int plane = e / %d, iw = e %% %d, ih = e / %d %% %d, id = e / %d %% %d;",
                g.inVolume(), in[2], in[2], in[1], in[1] * in[2], in[0]);
        out.line("const int self = e - plane * %d;", g.inVolume());
        out.line("__global const float* xp = x + plane * %d;", g.inVolume());
        out.line("__global const float* dyp = dy + plane * %d;", g.outVolume());
        // the windows o covering i: o·stride − padding <= i < o·stride − padding + size
        String[] iv = {"id", "ih", "iw"}, ov = {"od", "oh", "ow"};
        for (int d = 0; d < 3; d++) {
            out.line("const int %s_lo = %s + %d <= 0 ? 0 : (%s + %d) / %d, %s_hi = min(%d, (%s + %d) / %d);",
                    ov[d], iv[d], p[d] - k[d] + 1, iv[d], p[d] - k[d] + s[d], s[d], ov[d], o[d] - 1, iv[d], p[d], s[d]);
        }
        out.line("float sum = 0.0f;");
        for (int d = 0; d < 3; d++) out.line("for (int %s = %s_lo; %s <= %s_hi; %s++) {", ov[d], ov[d], ov[d], ov[d], ov[d]);
        out.line("const float d = dyp[(od * %d + oh) * %d + ow];", o[1], o[2]);
        if (max) out.line("if (%s_argmax(xp, od, oh, ow) == self) sum += d;", name);
        else out.line("sum += d / %s;", C.f(g.windowVolume()));
        for (int d = 0; d < 3; d++) out.line("}");
        out.line("dx[e] = %s;", times("sum", "xp[self]"));
        out.line("}");
    }

    public long[] global(int batch) {
        if (PoolRows.applies(g)) return PoolRows.global(g, batch);
        return new long[] {batch * g.channels() * (disjoint() ? g.outVolume() : g.inVolume())};
    }

    @Override public long[] local() { return PoolRows.applies(g) ? PoolRows.local() : WorkGroups.items(); }
}
