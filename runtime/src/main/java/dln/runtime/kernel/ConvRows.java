package dln.runtime.kernel;

import static dln.runtime.kernel.Lanes.each;

/**
 * The OpenCL C of a convolution gathered row by row, shared by the forward pass (y from x) and the
 * input gradient (dx from dy, the convolution transposed). A work-item computes a block of up to 12
 * target channels × up to 32 consecutive positions of one target row, in float registers: for each
 * source channel, kernel depth and height whose source row exists, and each kernel width tap, one
 * vector of the source row (a plain load where it is contiguous and inside, else gathered with
 * zeros for the padding) times 12 broadcast weights. Like {@link Gemm}, the last block moves back to
 * end at the row's end, and no local memory is used.
 */
final class ConvRows {
    private static final int CHANNELS = 12;

    private ConvRows() {}

    /** The spatial sizes the kernel writes: the output forward, the input transposed. */
    private static long[] target(ConvGeom g, boolean transposed) { return transposed ? g.in() : g.out(); }

    /** The target channels a work-item computes: 12, or all of them when fewer. */
    private static int rows(ConvGeom g, boolean transposed) {
        return (int) Math.min(CHANNELS, transposed ? g.inChannels() : g.outChannels());
    }

    static long[] global(ConvGeom g, boolean transposed, int batch) {
        long[] t = target(g, transposed);
        long channels = transposed ? g.inChannels() : g.outChannels();
        long blocks = (t[2] + Lanes.of(t[2]).cols() - 1) / Lanes.of(t[2]).cols();
        return new long[] {blocks * t[0] * t[1], (channels + rows(g, transposed) - 1) / rows(g, transposed), batch};
    }

    static long[] local() { return new long[] {4, 4, 1}; }

    static void emit(C out, String name, ConvGeom g, boolean transposed, String src, String dst) {
        long[] in = g.in(), outs = g.out(), k = g.kernel(), s = g.stride(), p = g.padding(), dil = g.dilation();
        long[] tgt = transposed ? in : outs, from = transposed ? outs : in;
        long tC = transposed ? g.inChannels() : g.outChannels(), sC = transposed ? g.outChannels() : g.inChannels();
        Lanes l = Lanes.of(tgt[2]);
        int rows = rows(g, transposed);
        long blocks = (tgt[2] + l.cols() - 1) / l.cols(), kvol = g.kernelVolume();
        out.line("// %s: %s, stride %s, padding %s, dilation %s.", transposed ? "dx [N, inC, in] = the transposed convolution of dy" : "y [N, outC, out] = x convolved with weight",
                g.toString().replaceAll(", stride.*", "]"), java.util.Arrays.toString(s), java.util.Arrays.toString(p), java.util.Arrays.toString(dil));
        out.line("// A work-item's block: %d %s channels x %d positions of one %s row in %s registers.", rows,
                transposed ? "input" : "output", l.cols(), transposed ? "input" : "output", l.type());
        out.line("__attribute__((reqd_work_group_size(4, 4, 1)))");
        out.kernel(name, "const " + src, "const weight", dst);
        out.line("const int n = get_global_id(2), row = get_global_id(0) / %d, t0 = get_global_id(1) * %d;", blocks, rows);
        out.line("if (n >= batch || row >= %d || t0 >= %d) return;", tgt[0] * tgt[1], tC);
        out.line("const int td = row / %d, th = row %% %d;", tgt[1], tgt[1]);
        out.line("const int j0 = get_global_id(0) %% %d * %d, jb = min(j0, %d);", blocks, l.cols(), tgt[2] - l.cols());
        // weight [outC, inC, k]: a target channel's weights start every inC·k forward, every k transposed
        long rowStride = transposed ? kvol : g.inChannels() * kvol, sourceStride = transposed ? g.inChannels() * kvol : kvol;
        for (int i = 0; i < rows; i++) out.line("__global const float* w%d = weight + min(t0 + %d, %d) * %d;", i, i, tC - 1, rowStride);
        for (int i = 0; i < rows; i++) {
            int row = i;
            out.line(each(l.vectors(), x -> "%s c%d_%d = 0.0f;".formatted(l.type(), row, x)));
        }
        out.line("__global const float* from = %s + n * %d;", src, sC * from[0] * from[1] * from[2]);
        out.line("for (int s = 0; s < %d; s++) {", sC);
        out.line("for (int kd = 0; kd < %d; kd++) {", k[0]);
        coordinate(out, "sd", "td", "kd", transposed, s[0], p[0], dil[0], from[0]);
        out.line("for (int kh = 0; kh < %d; kh++) {", k[1]);
        coordinate(out, "sh", "th", "kh", transposed, s[1], p[1], dil[1], from[1]);
        out.line("if (!(sd_ok && sh_ok)) continue;");
        out.line("__global const float* r = from + ((s * %d + sd) * %d + sh) * %d;", from[0], from[1], from[2]);
        out.line("const int wk = s * %d + (kd * %d + kh) * %d;", sourceStride, k[1], k[2]);
        boolean segment = !transposed || s[2] == 1;
        if (segment) segment(out, l, transposed, k[2], s[2], p[2], dil[2], from[2]);
        out.line("for (int kw = 0; kw < %d; kw++) {", k[2]);
        if (segment) segmentLanes(out, l, transposed, k[2], s[2], dil[2]);
        else lanes(out, l, s[2], p[2], dil[2], from[2]);
        for (int i = 0; i < rows; i++) {
            int row = i;
            out.line("{ const %s a = w%d[wk + kw]; %s }", l.type(), i, each(l.vectors(), x -> "c%d_%d = fma(a, v%d, c%d_%d);".formatted(row, x, x, row, x)));
        }
        out.line("}");
        out.line("}");
        out.line("}");
        out.line("}");
        store(out, l, rows, dst, tC, tgt);
        out.line("}");
    }

    /**
     * The source coordinate {@code v} (with {@code v_ok}) under target coordinate {@code t} and tap
     * {@code kv}: forward t·stride − padding + kv·dilation; transposed the t' with t'·stride =
     * t + padding − kv·dilation, when there is one.
     */
    private static void coordinate(C out, String v, String t, String kv, boolean transposed, long stride, long pad, long dil, long size) {
        if (!transposed) {
            out.line("const int %s = %s * %d - %d + %s * %d;", v, t, stride, pad, kv, dil);
            out.line("const bool %s_ok = %s >= 0 && %s < %d;", v, v, v, size);
            return;
        }
        out.line("const int %s_t = %s + %d - %s * %d, %s = %s_t / %d;", v, t, pad, kv, dil, v, v, stride);
        out.line("const bool %s_ok = %s_t >= 0 && %s < %d%s;", v, v, v, size, stride == 1 ? "" : " && %s_t %% %d == 0".formatted(v, stride));
    }

    /**
     * The part of source row r that the block's lanes read over all width taps, from {@code lo}: where
     * it lies inside the row the taps load straight from r, else from a private copy with zeros for
     * the padding, so that no tap needs a check per lane.
     */
    private static void segment(C out, Lanes l, boolean transposed, long k, long stride, long pad, long dil, long size) {
        long len = transposed ? l.cols() + (k - 1) * dil : (l.cols() - 1) * stride + (k - 1) * dil + 1;
        out.line("const int lo = %s;", transposed ? "jb + %d".formatted(pad - (k - 1) * dil) : "jb * %d - %d".formatted(stride, pad));
        out.line("const bool inside = lo >= 0 && lo + %d <= %d;", len, size);
        out.line("float seg[%d];", len);
        out.line("if (!inside) {");
        out.line("for (int j = 0; j < %d; j++) seg[j] = lo + j >= 0 && lo + j < %d ? r[lo + j] : 0.0f;", len, size);
        out.line("}");
    }

    /**
     * The vectors v0.. under the lanes for width tap kw, read from the segment: lane j of tap kw is
     * element kw·dilation + j·stride forward, (k − 1 − kw)·dilation + j transposed.
     */
    private static void segmentLanes(C out, Lanes l, boolean transposed, long k, long stride, long dil) {
        out.line("const int at = %s;", transposed ? "(%d - kw) * %d".formatted(k - 1, dil) : "kw * " + dil);
        if (stride == 1) {
            out.line(each(l.vectors(), x -> "const %s v%d = inside ? %s : %s;".formatted(l.type(), x, l.load(x, "(r + lo + at)"), l.load(x, "(seg + at)"))));
            return;
        }
        out.line("float e[%d];", l.cols());
        out.line("for (int j = 0; j < %d; j++) e[j] = inside ? r[lo + at + j * %d] : seg[at + j * %d];", l.cols(), stride, stride);
        out.line(each(l.vectors(), x -> "const %s v%d = %s;".formatted(l.type(), x, l.load(x, "e"))));
    }

    /** The transposed convolution's vectors for a width stride over 1: lane j reads output (jb + j + padding − kw·dilation) / stride, where whole. */
    private static void lanes(C out, Lanes l, long stride, long pad, long dil, long size) {
        out.line("const int q = jb + %d - kw * %d;", pad, dil);
        out.line("float e[%d];", l.cols());
        out.line("for (int j = 0; j < %d; j++) {", l.cols());
        out.line("const int u = q + j;");
        out.line("e[j] = u >= 0 && u %% %d == 0 && u / %d < %d ? r[u / %d] : 0.0f;", stride, stride, size, stride);
        out.line("}");
        out.line(each(l.vectors(), x -> "const %s v%d = %s;".formatted(l.type(), x, l.load(x, "e"))));
    }

    private static void store(C out, Lanes l, int rows, String dst, long channels, long[] tgt) {
        long volume = tgt[0] * tgt[1] * tgt[2];
        out.line("__global float* o = %s + (n * %d + t0) * %d + row * %d + jb;", dst, channels, volume, tgt[2]);
        out.line("if (jb == j0 && t0 + %d <= %d) {", rows, channels);
        for (int i = 0; i < rows; i++) {
            int row = i;
            out.line(each(l.vectors(), x -> l.store("c" + row + "_" + x, x, "(o + " + row * volume + ")") + ";"));
        }
        out.line("} else {");
        out.line("float t[%d][%d];", rows, l.cols());
        for (int i = 0; i < rows; i++) {
            int row = i;
            out.line(each(l.vectors(), x -> l.store("c" + row + "_" + x, x, "t[" + row + "]") + ";"));
        }
        out.line("for (int i = 0; i < %d && t0 + i < %d; i++) {", rows, channels);
        out.line("for (int j = j0 - jb; j < %d; j++) o[i * %d + j] = t[i][j];", l.cols(), volume);
        out.line("}");
        out.line("}");
    }
}
