package dln.kernel;

import static dln.kernel.Lanes.each;

import dln.runtime.kernel.C;
import java.util.List;

/**
 * The OpenCL C of a convolution gathered row by row, shared by the forward pass (y from x) and the
 * input gradient (dx from dy, the convolution transposed). A work-item computes a block of up to 12
 * target channels × up to 32 consecutive positions of one target row, in float registers: for each
 * source channel, kernel depth and height whose source row exists, and each kernel width tap, one
 * vector of the source row (a plain load where it is contiguous and inside, else gathered with
 * zeros for the padding) times 12 broadcast weights. Like {@link Gemm}, the last block moves back to
 * end at the row's end, and no local memory is used.
 *
 * <p>The input gradient of a convolution with a width stride S > 1 runs in phases: a work-item's
 * lanes hold target columns of one residue p mod S (p, p + S, p + 2S, ...), so that a width tap
 * either feeds every lane, from consecutive source columns, or none. Gathering consecutive target
 * columns instead left most lanes zero and tested each one (ResNet's strided layers: 4.5 GFLOP/s).
 */
final class ConvRows {
    private ConvRows() {}

    /** The spatial sizes the kernel writes: the output forward, the input transposed. */
    private static long[] target(ConvGeom g, boolean transposed) { return transposed ? g.in() : g.out(); }

    /**
     * The target channels a work-item computes by default: at most 12, spread evenly over the blocks
     * as {@link FlatConv#rows} does (16 channels as 8 + 8, not 12 + 4: the tuner chose 8 for
     * LeNet-5's second convolution, 0.91 -> 0.62 ms a launch on PoCL, docs/PERFORMANCE.md).
     */
    static int rows(ConvGeom g, boolean transposed) {
        return FlatConv.rows(g, transposed);
    }

    /** Whether the target row runs in phases of the width stride (see the class comment). */
    private static boolean phased(ConvGeom g, boolean transposed) {
        long stride = g.stride()[2];
        return transposed && stride > 1 && g.in()[2] >= stride;
    }

    /** The phases of a target row: the width stride when phased, else 1. */
    private static long phases(ConvGeom g, boolean transposed) { return phased(g, transposed) ? g.stride()[2] : 1; }

    /**
     * Whether one block of lanes wider than the row covers it (a row of 10 or 14 in one float16
     * rather than two overlapping float8 blocks: half the loop steps per multiply-add). The lanes
     * past the row compute what is never stored: rows under 32 that are not a power of two, forward
     * (whose reads past the row stay inside the buffer or go through the checked copy) or, when the
     * row is taken whole by {@link #shuffled} loads, transposed.
     */
    static boolean wide(ConvGeom g, boolean transposed) {
        long width = target(g, transposed)[2];
        if (width <= 1 || width >= 32 || Long.bitCount(width) == 1 || phased(g, transposed)) return false;
        return !transposed || shuffled(g, true);
    }

    /**
     * Whether a wide block takes its lanes from two float16 loads of the source row, masked to zero
     * outside it, and a permute per width tap ({@link #shuffledSegment}) rather than a load per tap:
     * stride 1 along the row, a target row under 32 and a kernel reach of at most 16 columns.
     * Loads were what bounded these kernels on PoCL: LeNet-5's second convolution's input gradient
     * 0.93 -> 0.31 ms a launch, its forward pass 0.28 -> ... (docs/PERFORMANCE.md).
     */
    private static boolean shuffled(ConvGeom g, boolean transposed) {
        long width = target(g, transposed)[2], reach = (g.kernel()[2] - 1) * g.dilation()[2], stride = g.stride()[2];
        if (stride == 1) return width < 2 * Lanes.WIDEST && reach <= Lanes.WIDEST;
        return !transposed && strided(width, stride, reach);
    }

    /**
     * A forward row of at most 16 columns at width stride S > 1 whose source columns, (width − 1)·S +
     * reach + 1 of them, fit in the two float16 loads: lane j of width tap kw is then element
     * j·S + kw·dilation of the pair, one permute as at stride 1 (ResNet's and the autoencoder's
     * stride-2 layers, 28 → 14 and 14 → 7, took their lanes one by one through private memory).
     */
    private static boolean strided(long width, long stride, long reach) {
        return width <= Lanes.WIDEST && (width - 1) * stride + reach + 1 <= 2 * Lanes.WIDEST;
    }

    /** A work-item's lanes along the row: as wide as the shortest phase allows, or past the row's end when wide. */
    private static Lanes rowLanes(ConvGeom g, boolean transposed, boolean wide) {
        long width = target(g, transposed)[2];
        if (wide) return width > Lanes.WIDEST ? new Lanes(2, Lanes.WIDEST) : new Lanes(1, (int) Long.highestOneBit(width) * 2);
        return Lanes.of(width / phases(g, transposed));
    }

    /** Blocks of lanes per phase: enough for the longest phase. */
    private static long blocks(ConvGeom g, boolean transposed, boolean wide) {
        long phases = phases(g, transposed), longest = (target(g, transposed)[2] + phases - 1) / phases;
        return (longest + rowLanes(g, transposed, wide).cols() - 1) / rowLanes(g, transposed, wide).cols();
    }

    static long[] global(ConvGeom g, boolean transposed, int batch, int rows) {
        long[] t = target(g, transposed);
        long channels = transposed ? g.inChannels() : g.outChannels();
        boolean wide = wide(g, transposed);
        return new long[] {blocks(g, transposed, wide) * phases(g, transposed) * t[0] * t[1], (channels + rows - 1) / rows, batch};
    }

    static long[] local() { return new long[] {4, 4, 1}; }

    static void emit(C out, String name, ConvGeom g, boolean transposed, String src, String dst, Epilogue epilogue) {
        long[] in = g.in(), outs = g.out(), k = g.kernel(), s = g.stride(), p = g.padding(), dil = g.dilation();
        long[] tgt = transposed ? in : outs, from = transposed ? outs : in;
        long tC = transposed ? g.inChannels() : g.outChannels(), sC = transposed ? g.outChannels() : g.inChannels();
        boolean wide = wide(g, transposed);
        Lanes l = rowLanes(g, transposed, wide);
        String rows = ChannelBlock.macro(name);
        boolean phased = phased(g, transposed);
        long blocks = blocks(g, transposed, wide), phases = phases(g, transposed), kvol = g.kernelVolume();
        out.line("// %s: %s, stride %s, padding %s, dilation %s.", transposed ? "dx [N, inC, in] = the transposed convolution of dy" : "y [N, outC, out] = x convolved with weight",
                g.toString().replaceAll(", stride.*", "]"), java.util.Arrays.toString(s), java.util.Arrays.toString(p), java.util.Arrays.toString(dil));
        out.line("// A work-item's block: %s %s channels x %d positions of one %s row in %s registers.", rows,
                transposed ? "input" : "output", l.cols(), transposed ? "input" : "output", l.type());
        if (!epilogue.none()) out.line("// then, as the block is stored: %s.", epilogue.describe().replace("bias", "bias[channel]"));
        ChannelBlock.declare(out, name, rows(g, transposed));
        List<String> buffers = new java.util.ArrayList<>(List.of("const " + src, "const weight", dst));
        for (String read : epilogue.args()) buffers.add("const " + read);
        out.kernel(name, buffers.toArray(String[]::new));
        out.line("const int n = get_global_id(2), row = get_global_id(0) / %d, t0 = get_global_id(1) * %s;", blocks * phases, rows);
        out.line("if (n >= batch || row >= %d || t0 >= %d) return;", tgt[0] * tgt[1], tC);
        out.line("const int td = row / %d, th = row %% %d;", tgt[1], tgt[1]);
        if (phased) {
            // lanes j hold target columns phase + S·(jb + j); the phase has `count` of them
            out.line("const int phase = get_global_id(0) / %d %% %d, count = (%d - phase + %d) / %d;", blocks, phases, tgt[2], phases - 1, phases);
            out.line("const int j0 = get_global_id(0) %% %d * %d, jb = min(j0, count - %d);", blocks, l.cols(), l.cols());
            out.line("if (j0 >= count) return;");
        } else {
            out.line("const int j0 = get_global_id(0) %% %d * %d, jb = %s;", blocks, l.cols(), wide ? "0" : "min(j0, %d)".formatted(tgt[2] - l.cols()));
        }
        // weight [outC, inC, k]: a target channel's weights start every inC·k forward, every k transposed
        long rowStride = transposed ? kvol : g.inChannels() * kvol, sourceStride = transposed ? g.inChannels() * kvol : kvol;
        out.line("__global const float* w[%s];", rows);
        out.unrolled("i", rows, "w[i] = weight + min(t0 + i, %d) * %d;".formatted(tC - 1, rowStride));
        out.line(each(l.vectors(), x -> "%s c%d[%s];".formatted(l.type(), x, rows)));
        out.unrolled("i", rows, each(l.vectors(), x -> "c%d[i] = 0.0f;".formatted(x)));
        out.line("__global const float* from = %s + n * %d;", src, sC * from[0] * from[1] * from[2]);
        out.line("for (int s = 0; s < %d; s++) {", sC);
        out.line("for (int kd = 0; kd < %d; kd++) {", k[0]);
        coordinate(out, "sd", "td", "kd", transposed, s[0], p[0], dil[0], from[0]);
        out.line("for (int kh = 0; kh < %d; kh++) {", k[1]);
        coordinate(out, "sh", "th", "kh", transposed, s[1], p[1], dil[1], from[1]);
        out.line("if (!(sd_ok && sh_ok)) continue;");
        out.line("__global const float* r = from + ((s * %d + sd) * %d + sh) * %d;", from[0], from[1], from[2]);
        out.line("const int wk = s * %d + (kd * %d + kh) * %d;", sourceStride, k[1], k[2]);
        boolean shuffle = wide && shuffled(g, transposed);
        boolean segment = !shuffle && (!transposed || s[2] == 1);
        if (segment) segment(out, l, transposed, k[2], s[2], p[2], dil[2], from[2], wide ? tgt[2] : l.cols(), src, sC * from[0] * from[1] * from[2]);
        if (shuffle) shuffledSegment(out, l.vectors() + 1, transposed ? p[2] - (k[2] - 1) * dil[2] : -p[2], from[2], src, sC * from[0] * from[1] * from[2]);
        if (shuffle) out.line("#pragma unroll");
        out.line("for (int kw = 0; kw < %d; kw++) {", k[2]);
        if (shuffle) {
            // constant lanes once the loop is unrolled: one two-source permute
            out.line("const uint at = %s;", transposed ? "(%d - kw) * %d".formatted(k[2] - 1, dil[2]) : "kw * " + dil[2]);
            // lanes past the row (never stored) at a stride over 1 may point past the pair: clamped to it
            long step = transposed ? 1 : s[2];
            String lanes = each(l.width(), j -> (step == 1 ? "at + " + j : "min(at + %du, 31u)".formatted(j * step)) + (j < l.width() - 1 ? "," : ""));
            out.line(each(l.vectors(), x -> "const %s v%d = shuffle2(s%d, s%d, (uint%d) (%s));".formatted(l.type(), x, x, x + 1, l.width(), lanes)));
        } else if (segment) segmentLanes(out, l, transposed, k[2], s[2], dil[2]);
        else if (phased) phaseLanes(out, l, s[2], p[2], dil[2], from[2]);
        else lanes(out, l, s[2], p[2], dil[2], from[2]);
        out.unrolled("i", rows, "{ const %s a = w[i][wk + kw]; %s }".formatted(l.type(), each(l.vectors(), x -> "c%d[i] = fma(a, v%d, c%d[i]);".formatted(x, x, x))));
        out.line("}");
        out.line("}");
        out.line("}");
        out.line("}");
        List<String> accumulators = new java.util.ArrayList<>();
        for (int x = 0; x < l.vectors(); x++) accumulators.add("c" + x + "[i]");
        ChannelBlock.epilogue(out, epilogue, rows, accumulators, l.type(), tC);
        if (phased) storePhased(out, l, rows, dst, tC, tgt, phases);
        else if (wide) storeWide(out, l, rows, dst, tC, tgt);
        else store(out, l, rows, dst, tC, tgt);
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
     * the part its first {@code valid} lanes read lies inside the row (and all of it inside the
     * buffer) the taps load straight from r, else from a private copy with zeros outside the row,
     * so that no tap needs a check per lane.
     */
    private static void segment(C out, Lanes l, boolean transposed, long k, long stride, long pad, long dil, long size, long valid,
                                String src, long example) {
        long len = transposed ? l.cols() + (k - 1) * dil : (l.cols() - 1) * stride + (k - 1) * dil + 1;
        long used = transposed ? valid + (k - 1) * dil : (valid - 1) * stride + (k - 1) * dil + 1;
        out.line("const int lo = %s;", transposed ? "jb + %d".formatted(pad - (k - 1) * dil) : "jb * %d - %d".formatted(stride, pad));
        if (used == len) {
            out.line("const bool inside = lo >= 0 && lo + %d <= %d;", len, size);
        } else {
            // the lanes past the row read on into the buffer, never past its end
            out.line("const bool inside = lo >= 0 && lo + %d <= %d && (r - %s) + lo + %d <= batch * %d;", used, size, src, len, example);
        }
        out.line("float seg[%d];", len);
        out.line("if (!inside) {");
        out.line("for (int j = 0; j < %d; j++) seg[j] = lo + j >= 0 && lo + j < %d ? r[lo + j] : 0.0f;", len, size);
        out.line("}");
    }

    /**
     * A wide block's source segment as {@code loads} float16, s0, s1...: the columns from {@code lo}
     * (a constant: the block starts at column 0), zero outside the row by a constant mask, from plain
     * loads where they stay inside the buffer, else element by element. Vector x of a width tap's
     * lanes is then consecutive columns of s(x) and s(x + 1), one shuffle.
     */
    private static void shuffledSegment(C out, int loads, long lo, long size, String src, long example) {
        out.line("const int ro = (int) (r - %s) + %d;", src, lo);
        out.line("float16 %s;", each(loads, i -> "s" + i + (i < loads - 1 ? "," : "")));
        out.line("if (ro >= 0 && ro + %d <= batch * %d) {", 16 * loads, example);
        out.line(each(loads, i -> "s%d = vload16(0, r + %d);".formatted(i, lo + 16 * i)));
        out.line("} else {");
        out.line("float e[%d];", 16 * loads);
        out.line("for (int j = 0; j < %d; j++) e[j] = j + %d >= 0 && j + %d < %d ? r[j + %d] : 0.0f;", 16 * loads, lo, lo, size, lo);
        out.line(each(loads, i -> "s%d = vload16(%d, e);".formatted(i, i)));
        out.line("}");
        for (int i = 0; i < loads; i++) {
            StringBuilder m = new StringBuilder();
            for (int j = 0; j < 16; j++) m.append(j == 0 ? "" : ", ").append(lo + 16 * i + j >= 0 && lo + 16 * i + j < size ? -1 : 0);
            out.line("s%d = select((float16) 0.0f, s%d, (int16) (%s));", i, i, m);
        }
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

    /**
     * The phased transposed convolution's vectors for width tap kw: target column phase + S·(jb + j)
     * takes source column (phase + padding − kw·dilation)/S + jb + j when S divides the numerator,
     * for every lane at once; else the tap adds nothing to this phase.
     */
    private static void phaseLanes(C out, Lanes l, long stride, long pad, long dil, long size) {
        out.line("const int num = phase + %d - kw * %d;", pad, dil);
        out.line("if (num %% %d != 0) continue;", stride);
        out.line("const int u0 = num / %d + jb;", stride);
        out.line("float e[%d];", l.cols());
        out.line("const bool whole = u0 >= 0 && u0 + %d <= %d;", l.cols(), size);
        out.line("if (!whole) for (int j = 0; j < %d; j++) e[j] = u0 + j >= 0 && u0 + j < %d ? r[u0 + j] : 0.0f;", l.cols(), size);
        out.line(each(l.vectors(), x -> "const %s v%d = whole ? %s : %s;".formatted(l.type(), x, l.load(x, "(r + u0)"), l.load(x, "e"))));
    }

    /** Stores a phased block: lane j to column phase + S·(jb + j), skipping the lanes an earlier block wrote. */
    private static void storePhased(C out, Lanes l, String rows, String dst, long channels, long[] tgt, long stride) {
        long volume = tgt[0] * tgt[1] * tgt[2];
        out.line("__global float* o = %s + (n * %d + t0) * %d + row * %d + phase;", dst, channels, volume, tgt[2]);
        spill(out, l, rows);
        out.line("for (int i = 0; i < %s && t0 + i < %d; i++) {", rows, channels);
        out.line("for (int j = j0 - jb; j < %d; j++) o[i * %d + (jb + j) * %d] = t[i][j];", l.cols(), volume, stride);
        out.line("}");
    }

    /** The block's accumulators into t[channel][lane], for the stores that take lanes one by one. */
    private static void spill(C out, Lanes l, String rows) {
        out.line("float t[%s][%d];", rows, l.cols());
        out.unrolled("i", rows, each(l.vectors(), x -> l.store("c" + x + "[i]", x, "t[i]") + ";"));
    }

    /**
     * Stores a wide block: the row's columns only, in vectors of 8, 4, 2 and 1 lanes (a row of 10 as
     * 8 + 2), each channel of the block that exists.
     */
    private static void storeWide(C out, Lanes l, String rows, String dst, long channels, long[] tgt) {
        long volume = tgt[0] * tgt[1] * tgt[2];
        out.line("__global float* o = %s + (n * %d + t0) * %d + row * %d;", dst, channels, volume, tgt[2]);
        out.line("#pragma unroll");
        out.line("for (int i = 0; i < %s; i++) {", rows);
        out.line("if (t0 + i >= %d) break;", channels);
        List<String> vectors = new java.util.ArrayList<>();
        for (int x = 0; x < l.vectors(); x++) vectors.add("c" + x + "[i]");
        out.line(Lanes.storeFirst(vectors, l.width(), tgt[2], "(o + i * %d)".formatted(volume)));
        out.line("}");
    }

    private static void store(C out, Lanes l, String rows, String dst, long channels, long[] tgt) {
        long volume = tgt[0] * tgt[1] * tgt[2];
        out.line("__global float* o = %s + (n * %d + t0) * %d + row * %d + jb;", dst, channels, volume, tgt[2]);
        out.line("if (jb == j0 && t0 + %s <= %d) {", rows, channels);
        out.unrolled("i", rows, each(l.vectors(), x -> l.store("c" + x + "[i]", x, "(o + i * " + volume + ")") + ";"));
        out.line("} else {");
        spill(out, l, rows);
        out.line("for (int i = 0; i < %s && t0 + i < %d; i++) {", rows, channels);
        out.line("for (int j = j0 - jb; j < %d; j++) o[i * %d + j] = t[i][j];", l.cols(), volume);
        out.line("}");
        out.line("}");
    }
}
