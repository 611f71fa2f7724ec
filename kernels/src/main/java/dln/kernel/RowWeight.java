package dln.kernel;

import static dln.kernel.Lanes.each;

import dln.runtime.kernel.C;

/**
 * The OpenCL C of {@link ConvBackwardWeight} for the convolutions {@link FlatConv} does not take
 * (strided, or smaller output than input): the sums run along output rows. A vector of 16 lanes
 * holds R output rows of G positions each (G the output width rounded up to a power of two, at most
 * 16; R = 16 / G), so a 7-wide output fills two rows a vector rather than half of one. The input
 * under a tap is a row read at the stride: one load at stride 1, every other element of a load
 * twice as long at stride 2, one element at a time otherwise. Lanes past a row, outside the input
 * or past the last row read zero.
 *
 * <p>A work-item owns a block of output channels × the width taps of one kernel row, as in {@link
 * FlatWeight}: float16 partial sums, summed across lanes at the end, in a fixed order.
 */
final class RowWeight {
    private RowWeight() {}

    /** Positions of a row per group of lanes: the output width rounded up to a power of two, at most 16. */
    private static int group(ConvGeom g) {
        return (int) Math.min(16, Long.highestOneBit(g.out()[2] * 2 - 1));
    }

    static void emit(C out, String name, ConvGeom g, boolean bias) {
        long[] in = g.in(), o = g.out(), k = g.kernel(), s = g.stride(), p = g.padding(), dil = g.dilation();
        long outC = g.outChannels(), inC = g.inChannels(), rows = o[0] * o[1];
        int kw = (int) k[2], gw = group(g), r = 16 / gw;
        String vg = gw == 1 ? "float" : "float" + gw;
        loads(out, name, gw, s[2]);
        Lanes.sum(out, name + "_sum", 16);
        out.line("// dweight [outC, inC, kernel] = sum over examples and positions of dy times the input under each tap;");
        out.line("// %s, stride %s, padding %s, dilation %s.", g.toString().replaceAll(", stride.*", "]"), java.util.Arrays.toString(s),
                java.util.Arrays.toString(p), java.util.Arrays.toString(dil));
        String ch = FlatWeight.declare(out, name, FlatWeight.channels(g));
        out.line("// A work-item's block: %s output channels x the %d width taps of one kernel row; a vector holds %d output row%s of %d.",
                ch, kw, r, r == 1 ? "" : "s", gw);
        if (bias) {
            out.line("// and dbias [outC] = sum of dy over examples and positions, by the work-items of the first kernel row.");
            out.kernel(name, "const x", "const dy", "dweight", "dbias");
        } else {
            out.kernel(name, "const x", "const dy", "dweight");
        }
        out.line("const int kr = get_global_id(0), o0 = get_global_id(1) * %s;", ch);
        out.line("if (kr >= %d || o0 >= %d) return;", inC * k[0] * k[1], outC);
        out.line("const int c = kr / %d, kd = kr / %d %% %d, kh = kr %% %d;", k[0] * k[1], k[1], k[0], k[1]);
        out.line("const int xEnd = batch * %d, yEnd = batch * %d;", inC * g.inVolume(), outC * g.outVolume());
        out.line("const int16 j0 = %s;", lanes(j -> j % gw));
        FlatWeight.part(out, name);
        FlatWeight.declareBlock(out, ch, kw, bias);
        out.line("for (int n = nFrom; n < nTo; n++) {");
        out.unrolled("i", ch, "yb[i] = (n * %d + min(o0 + i, %d)) * %d;".formatted(outC, outC - 1, g.outVolume()));
        out.line("for (int row0 = 0; row0 < %d; row0 += %d) {", rows, r);
        // per group of lanes: its output row, whether the kernel row's input row exists, and where it starts
        for (int q = 0; q < r; q++) {
            out.line("const int od%d = (row0 + %d) / %d, oh%d = (row0 + %d) %% %d;", q, q, o[1], q, q, o[1]);
            out.line("const int id%d = od%d * %d - %d + kd * %d, ih%d = oh%d * %d - %d + kh * %d;", q, q, s[0], p[0], dil[0], q, q, s[1], p[1], dil[1]);
            out.line("const bool ok%d = row0 + %d < %d && id%d >= 0 && id%d < %d && ih%d >= 0 && ih%d < %d;", q, q, rows, q, q, in[0], q, q, in[1]);
            out.line("const int xr%d = (((n * %d + c) * %d + id%d) * %d + ih%d) * %d;", q, inC, in[0], q, in[1], q, in[2]);
        }
        out.line("for (int jb = 0; jb < %d; jb += %d) {", o[2], gw);
        out.line("const int16 ow = jb + j0;");
        out.unrolled("i", ch, "y[i] = %s;".formatted(join(r, q -> "%s_ld%d(dy, yb[i] + (row0 + %d) * %d + jb, yEnd)".formatted(name, gw, q, o[2]))));
        if (bias) {
            // dy's lanes past its row, or past the last row, belong to other positions
            out.line("if (kr == 0) {");
            out.line("const int16 mine = (ow < %d) & %s;", o[2], r == 1 ? "(int16) (row0 < %d ? -1 : 0)".formatted(rows)
                    : "(int16) (" + joinInts(r, gw, q -> "row0 + %d < %d ? -1 : 0".formatted(q, rows)) + ")");
            out.unrolled("i", ch, "b[i] += select((float16) 0.0f, y[i], mine);");
            out.line("}");
        }
        if (shuffled(g)) {
            shuffledTaps(out, g);
        } else {
            for (int j = 0; j < kw; j++) {
                long shift = j * dil[2] - p[2];
                out.line("const float16 u%d = select((float16) 0.0f, %s, (ow < %d) & (ow * %d >= %d) & (ow * %d < %d));", j,
                        join(r, q -> "(ok%d ? %s_at(x, xr%d + jb * %d + %d, xEnd) : (%s) 0.0f)".formatted(q, name, q, s[2], shift, vg)),
                        o[2], s[2], -shift, s[2], in[2] - shift);
            }
        }
        out.unrolled("i", ch, each(kw, j -> "s[i][%d] = fma(y[i], u%d, s[i][%d]);".formatted(j, j, j)));
        out.line("}");
        out.line("}");
        out.line("}");
        FlatWeight.store(out, name, g, ch, "kr", bias);
        out.line("}");
    }

    /**
     * Whether a row's taps come from one float16 of the input row and a permute each ({@link
     * #shuffledTaps}): stride 1, one output row a vector (G = 16) that the output row and the kernel's
     * reach fit in 16 columns together (LeNet-5's second convolution: 10 + 4).
     */
    private static boolean shuffled(ConvGeom g) {
        long reach = (g.kernel()[2] - 1) * g.dilation()[2];
        return g.stride()[2] == 1 && group(g) == 16 && g.out()[2] + reach <= 16;
    }

    /**
     * The taps' input vectors u0.. of one output row from a single load: the input row's 16 columns
     * from −padding (zero outside the row), then lane ow of tap j is column ow + j·dilation of it, a
     * constant permute that takes zero for the lanes past the output row. One load where each tap
     * had its own checked load: LeNet-5's second convolution's weight gradient ... (docs/PERFORMANCE.md).
     */
    private static void shuffledTaps(C out, ConvGeom g) {
        long[] in = g.in(), p = g.padding(), dil = g.dilation(), o = g.out();
        int kw = (int) g.kernel()[2];
        out.line("float16 row = 0.0f;");
        out.line("if (ok0) {");
        out.line("const int start = xr0 - %d;", p[2]);
        out.line("if (start >= 0 && start + 16 <= xEnd) row = vload16(0, x + start);");
        out.line("else { float e[16]; for (int j = 0; j < 16; j++) e[j] = start + j >= 0 && start + j < xEnd ? x[start + j] : 0.0f; row = vload16(0, e); }");
        StringBuilder m = new StringBuilder();
        for (int j = 0; j < 16; j++) m.append(j == 0 ? "" : ", ").append(j - p[2] >= 0 && j - p[2] < in[2] ? -1 : 0);
        out.line("row = select((float16) 0.0f, row, (int16) (%s));", m);
        out.line("}");
        for (int j = 0; j < kw; j++) {
            StringBuilder lanes = new StringBuilder();
            for (int ow = 0; ow < 16; ow++) lanes.append(ow == 0 ? "" : ", ").append(ow < o[2] ? ow + j * dil[2] : 16);
            out.line("const float16 u%d = shuffle2(row, (float16) 0.0f, (uint16) (%s));", j, lanes);
        }
    }

    /** r groups of gw lanes, each lane of group q the expression of q. */
    private static String joinInts(int r, int gw, java.util.function.IntFunction<String> part) {
        StringBuilder b = new StringBuilder();
        for (int q = 0; q < r; q++) for (int j = 0; j < gw; j++) b.append(b.length() == 0 ? "" : ", ").append(part.apply(q));
        return b.toString();
    }

    /**
     * Emits {@code <name>_ld<G>(a, start, end)}, G consecutive floats from start (zero outside [0,
     * end)), and {@code <name>_at(a, start, end)}, G floats from start at the width stride: the same
     * load at stride 1, every other element of twice as many at stride 2, else one at a time.
     */
    private static void loads(C out, String name, int gw, long stride) {
        java.util.Set<Integer> widths = new java.util.TreeSet<>(java.util.List.of(gw));
        if (stride == 2) widths.add(Math.min(16, 2 * gw));
        for (int w : widths) {
            String v = w == 1 ? "float" : "float" + w;
            out.line("%s %s_ld%d(__global const float* a, const int start, const int end) {", v, name, w);
            out.line("if (start >= 0 && start + %d <= end) return %s;", w, w == 1 ? "a[start]" : "vload%d(0, a + start)".formatted(w));
            out.line("float e[%d];", w);
            out.line("for (int j = 0; j < %d; j++) e[j] = start + j >= 0 && start + j < end ? a[start + j] : 0.0f;", w);
            out.line("return %s;", w == 1 ? "e[0]" : "vload%d(0, e)".formatted(w));
            out.line("}");
            out.line("");
        }
        String v = gw == 1 ? "float" : "float" + gw;
        out.line("%s %s_at(__global const float* a, const int start, const int end) {", v, name);
        if (stride == 1) {
            out.line("return %s_ld%d(a, start, end);", name, gw);
        } else if (stride == 2 && gw == 16) {
            out.line("const float16 lo = %s_ld16(a, start, end), hi = %s_ld16(a, start + 16, end);", name, name);
            out.line("return (float16) (lo.even, hi.even);");
        } else if (stride == 2 && gw > 1) {
            out.line("return %s_ld%d(a, start, end).even;", name, 2 * gw);
        } else {
            out.line("float e[%d];", gw);
            out.line("for (int j = 0; j < %d; j++) {", gw);
            out.line("const int u = start + j * %d;", stride);
            out.line("e[j] = u >= 0 && u < end ? a[u] : 0.0f;");
            out.line("}");
            out.line("return %s;", gw == 1 ? "e[0]" : "vload%d(0, e)".formatted(gw));
        }
        out.line("}");
        out.line("");
    }

    /** The float16 made of r groups, one expression each. */
    private static String join(int r, java.util.function.IntFunction<String> part) {
        if (r == 1) return part.apply(0);
        StringBuilder b = new StringBuilder("(float16) (");
        for (int q = 0; q < r; q++) b.append(q == 0 ? "" : ", ").append(part.apply(q));
        return b.append(')').toString();
    }

    private static String lanes(java.util.function.IntUnaryOperator lane) {
        StringBuilder b = new StringBuilder("(int16) (");
        for (int j = 0; j < 16; j++) b.append(j == 0 ? "" : ", ").append(lane.applyAsInt(j));
        return b.append(')').toString();
    }
}
