package dln.kernel;

import dln.runtime.kernel.C;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenCL C of 2 × 2 pooling at stride 2 that tiles its input exactly (LeNet's and most small
 * CNNs' poolings), forward ({@link PoolForward}) and backward ({@link PoolBackward}), a work-item
 * per output row: the two input rows under it are loaded as whole vectors, split into their even
 * and odd columns (the four elements of every window of the row, one window a lane), and the
 * row's windows are then decided side by side. The backward pass interleaves the four gradients
 * back into the two input rows and stores them whole. A work-item per window, as the general
 * kernels have, reads and writes single floats at a stride of 2, which PoCL gathers and scatters
 * lane by lane.
 *
 * <p>Same rules and order as the general kernels, so the same bits: the window's elements in
 * row-major order, the first the maximum unless a later one is greater or NaN (PyTorch's
 * max_pool), the mean as ((x00 + x01) + x10) + x11 over the window size.
 */
final class PoolRows {
    private PoolRows() {}

    /** Whether the pooling is 2-D 2 × 2 at stride 2 without padding, tiling rows of at most 32. */
    static boolean applies(PoolGeom g) {
        long[] in = g.in(), k = g.size(), s = g.stride(), p = g.padding(), o = g.out();
        return k[0] == 1 && s[0] == 1 && k[1] == 2 && k[2] == 2 && s[1] == 2 && s[2] == 2 && p[0] == 0 && p[1] == 0 && p[2] == 0
                && in[0] == o[0] && in[1] == 2 * o[1] && in[2] == 2 * o[2] && o[2] <= 16;
    }

    /** Windows a work-item's vectors hold: 8 or 16, at least the output row. */
    private static int lanes(PoolGeom g) { return g.out()[2] <= 8 ? 8 : 16; }

    static long[] global(PoolGeom g, int batch) { return new long[] {g.out()[0] * g.out()[1], batch * g.channels()}; }

    static long[] local() { return new long[] {4, 4}; }

    static void forward(C out, String name, PoolGeom g, boolean max) {
        int n = lanes(g);
        loads(out, name, n);
        out.line("// y = the %s of each 2 x 2 window: %s; a work-item per output row, a window a lane.", max ? "max" : "mean", g);
        open(out, name, g, "const x", "y");
        String type = "float" + n;
        if (max) {
            out.line("%s top = x00;", type);
            for (String v : new String[] {"x01", "x10", "x11"}) out.line("top = select(top, %s, %s);", v, PoolWindows.replaces(v, "top"));
        } else {
            out.line("const %s top = ((((0.0f + x00) + x01) + x10) + x11) / 4.0f;", type);
        }
        out.line(Lanes.storeFirst(List.of("top"), n, g.out()[2], "(y + plane * %d + row * %d)".formatted(g.outVolume(), g.out()[2])));
        out.line("}");
    }

    /**
     * dx from dy: max sends each window's gradient to the element the forward pass took, the mean a
     * quarter to each; times the folded activation's gradient at x, when there is one.
     */
    static void backward(C out, String name, PoolGeom g, boolean max, Act act, float alpha) {
        int n = lanes(g);
        String type = "float" + n, itype = "int" + n;
        loads(out, name, n);
        out.line("// dx = the %s gradient of each 2 x 2 window: %s; a work-item per output row, a window a lane.", max ? "max" : "mean", g);
        open(out, name, g, "const x", "const dy", "dx");
        out.line("const %s d = %s_ld%d(dy, plane * %d + row * %d, batch * %d);", type, name, n, g.outVolume(), g.out()[2], g.channels() * g.outVolume());
        String[] xs = {"x00", "x01", "x10", "x11"};
        if (max) {
            out.line("%s top = x00;", type);
            out.line("%s best = 0;", itype);
            for (int j = 1; j < 4; j++) {
                out.line("{ const %s r = %s; best = select(best, (%s) %d, r); top = select(top, %s, r); }", itype, PoolWindows.replaces(xs[j], "top"), itype, j, xs[j]);
            }
            for (int j = 0; j < 4; j++) out.line("%s g%d = select((%s) 0.0f, d, best == %d);", type, j, type, j);
        } else {
            out.line("const %s share = d / 4.0f;", type);
            for (int j = 0; j < 4; j++) out.line("%s g%d = share;", type, j);
        }
        if (act != Act.LINEAR) {
            for (int j = 0; j < 4; j++) out.line("g%d = g%d * %s;", j, j, act.openclGradVector(xs[j], C.f(alpha), type));
        }
        // interleave each input row's even and odd columns back: (g00, g01) and (g10, g11)
        String front = interleave(n, 0), back = interleave(n, n / 2);
        long width = g.in()[2];
        for (int r = 0; r < 2; r++) {
            String even = "g" + (2 * r), odd = "g" + (2 * r + 1);
            out.line("{ const float16 a = shuffle2(%s, %s, (uint16) (%s));%s", even, odd, front,
                    n == 16 ? " const float16 b = shuffle2(%s, %s, (uint16) (%s));".formatted(even, odd, back) : "");
            out.line("%s }", Lanes.storeFirst(n == 16 ? List.of("a", "b") : List.of("a"), 16, width, "(dx + s%d)".formatted(r)));
        }
        out.line("}");
    }

    /** The shuffle2 lanes that interleave the even and odd columns' 8 windows from {@code from}: (from, n + from, from + 1, ...). */
    private static String interleave(int n, int from) {
        List<String> lanes = new ArrayList<>();
        for (int j = 0; j < 8; j++) {
            lanes.add(String.valueOf(from + j));
            lanes.add(String.valueOf(n + from + j));
        }
        return String.join(", ", lanes);
    }

    /**
     * The kernel's start (after {@link #loads}): the work-item's output
     * row of its plane, its two input rows s0 and s1, and their even and odd columns x00, x01 (the
     * first row) and x10, x11 (the second).
     */
    private static void open(C out, String name, PoolGeom g, String... buffers) {
        int n = lanes(g);
        out.kernel(name, buffers);
        long[] in = g.in(), o = g.out();
        out.line("const int row = get_global_id(0), plane = get_global_id(1);");
        out.line("if (row >= %d || plane >= batch * %d) return;", o[0] * o[1], g.channels());
        out.line("const int s0 = plane * %d + (row / %d * %d + row %% %d * 2) * %d, s1 = s0 + %d, end = batch * %d;",
                g.inVolume(), o[1], in[1], o[1], in[2], in[2], g.channels() * g.inVolume());
        for (int r = 0; r < 2; r++) {
            if (n == 8) {
                out.line("const float16 a%d = %s_ld16(x, s%d, end);", r, name, r);
                out.line("const float8 x%d0 = a%d.even, x%d1 = a%d.odd;", r, r, r, r);
            } else {
                out.line("const float16 a%d = %s_ld16(x, s%d, end), b%d = %s_ld16(x, s%d + 16, end);", r, name, r, r, name, r);
                out.line("const float16 x%d0 = (float16) (a%d.even, b%d.even), x%d1 = (float16) (a%d.odd, b%d.odd);", r, r, r, r, r, r);
            }
        }
    }

    /** {@code <name>_ld16} and, for dy's rows of 8 windows, {@code <name>_ld8}: consecutive floats from start, zero at and past end. */
    private static void loads(C out, String name, int n) {
        for (int w : n == 8 ? new int[] {16, 8} : new int[] {16}) {
            out.line("float%d %s_ld%d(__global const float* a, const int start, const int end) {", w, name, w);
            out.line("if (start + %d <= end) return vload%d(0, a + start);", w, w);
            out.line("float e[%d];", w);
            out.line("for (int j = 0; j < %d; j++) e[j] = start + j < end ? a[start + j] : 0.0f;", w);
            out.line("return vload%d(0, e);", w);
            out.line("}");
            out.line("");
        }
    }
}
