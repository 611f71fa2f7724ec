package dln.kernel;

import static dln.kernel.Lanes.each;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Choice;

/**
 * The OpenCL C of {@link ConvBackwardWeight} for a convolution whose output is as large as its
 * input, at stride 1 ({@link FlatConv#applies}): a tap then reads the input plane
 * shifted by a constant, so the sums run along the flattened plane, 16 positions a vector, whatever
 * the row length. A lane whose source leaves the plane or wraps into the next row reads zero.
 *
 * <p>A work-item owns a block of output channels × the width taps of one kernel row (input channel,
 * kernel depth and height): per 16 positions, one vector of dy per channel and one of the input per
 * tap, their products added into float16 partial sums, which are summed across lanes at the end.
 * The order is fixed (blocks of examples, positions, the block's examples, then the lanes; with
 * the batch split, each part so and then the parts in order, {@link #store}), and
 * there are no atomics. Within a block the positions run outside the examples: the lanes' masks
 * (padding, row ends, the plane's end) depend on the positions alone, so a block makes them once per
 * 16 positions for all its examples.
 */
final class FlatWeight {
    private static final int LANES = 16;
    /** Partial sums per work-item: channels × width taps, with the vectors they read, fits 32 registers. */
    private static final int SUMS = 20;
    /**
     * The examples a block takes position by position unless the tuner chose otherwise
     * (WEIGHT_EXAMPLES, a build option). On this project's 2-core PoCL (fashion_cnn at batch 128,
     * `dlnc bench --tune`'s timings): the 16 -> 32 layer on 14 x 14 took 3.0-3.3 ms a launch with the
     * masks made per example, 2.3-2.4 with blocks of 4, 8, 16 or the whole batch; the 1 -> 16 layer on
     * 28 x 28, whose larger planes make more streams than the prefetcher follows, 0.38 with blocks of 4
     * as per example, 0.39-0.48 with larger blocks.
     */
    static final int EXAMPLES = 4;

    private FlatWeight() {}

    /** Output channels per work-item: as many as SUMS allows beside the width taps, spread evenly over the blocks. */
    static int channels(ConvGeom g) {
        long most = Math.max(1, Math.min(8, SUMS / g.kernel()[2])), blocks = (g.outChannels() + most - 1) / most;
        return (int) ((g.outChannels() + blocks - 1) / blocks);
    }

    /**
     * One work-item per kernel row (input channel, kernel depth, height), block of {@code channels}
     * output channels and part of the batch ({@code parts} of them, a work-group).
     */
    static long[] global(ConvGeom g, int channels, int parts) {
        long[] k = g.kernel();
        return new long[] {g.inChannels() * k[0] * k[1], (g.outChannels() + channels - 1) / channels, parts};
    }

    /**
     * The macro of the output channels a work-item takes ({@link ConvBackwardWeight#PARAM}), declared
     * with {@code defaults}, beside the parts of the batch (one by default).
     */
    static String declare(C out, String name, int defaults) {
        out.line("// The block sizes are build options (-D NAME=value) that a tuner may choose; these are the defaults.");
        Choice.of(ConvBackwardWeight.PARAM, defaults, ConvBackwardWeight.PARTS, 1).declare(out, name);
        return Choice.macro(ConvBackwardWeight.PARAM, name);
    }

    /**
     * Declares this work-item's part of the batch, examples [nFrom, nTo): the {@link
     * ConvBackwardWeight#PARTS} work-items of a group (which share the block) split it evenly.
     */
    static void part(C out, String name) {
        String parts = Choice.macro(ConvBackwardWeight.PARTS, name);
        out.line("const int part = get_local_id(2), nFrom = batch * part / %s, nTo = batch * (part + 1) / %s;", parts, parts);
    }

    static void emit(C out, String name, ConvGeom g, boolean bias) {
        long[] in = g.in(), k = g.kernel(), p = g.padding(), dil = g.dilation();
        long plane = g.inVolume(), outC = g.outChannels(), inC = g.inChannels();
        int kw = (int) k[2];
        out.line("float16 %s_load(__global const float* a, const int start, const int end) {", name);
        out.line("if (start >= 0 && start + 16 <= end) return vload16(0, a + start);");
        out.line("float e[16];");
        out.line("for (int j = 0; j < 16; j++) e[j] = start + j >= 0 && start + j < end ? a[start + j] : 0.0f;");
        out.line("return vload16(0, e);");
        out.line("}");
        out.line("");
        Lanes.sum(out, name + "_sum", LANES);
        out.line("// dweight [outC, inC, kernel] = sum over examples and positions of dy times the input under each tap;");
        out.line("// %s, stride 1, padding %s, dilation %s: planes of %d positions in and out.",
                g.toString().replaceAll(", stride.*", "]"), java.util.Arrays.toString(p), java.util.Arrays.toString(dil), plane);
        out.line("// The block sizes are build options (-D NAME=value) that a tuner may choose; these are the defaults.");
        Choice.of(ConvBackwardWeight.PARAM, channels(g), ConvBackwardWeight.EXAMPLES, EXAMPLES, ConvBackwardWeight.PARTS, 1).declare(out, name);
        String ch = Choice.macro(ConvBackwardWeight.PARAM, name), examples = Choice.macro(ConvBackwardWeight.EXAMPLES, name);
        out.line("// A work-item's block: %s output channels x the %d width taps of one kernel row, float16 partial sums along the plane,", ch, kw);
        out.line("// the examples %s at a time position by position.", examples);
        if (bias) {
            out.line("// and dbias [outC] = sum of dy over examples and positions, by the work-items of the first kernel row.");
            out.kernel(name, "const x", "const dy", "dweight", "dbias");
        } else {
            out.kernel(name, "const x", "const dy", "dweight");
        }
        out.line("const int r = get_global_id(0), o0 = get_global_id(1) * %s;", ch);
        out.line("if (r >= %d || o0 >= %d) return;", inC * k[0] * k[1], outC);
        out.line("const int c = r / %d, sd = r / %d %% %d * %d - %d, sh = r %% %d * %d - %d;", k[0] * k[1], k[1], k[0], dil[0], p[0], k[1], dil[1], p[1]);
        out.line("const int shift = (sd * %d + sh) * %d - %d;", in[1], in[2], p[2]);
        out.line("const int xEnd = batch * %d, yEnd = batch * %d;", inC * plane, outC * plane);
        part(out, name);
        declareBlock(out, ch, kw, bias);
        // blocks of EXAMPLES examples; in a block, positions outside and examples inside: the lanes' masks
        // depend on the positions only, so a block makes them once per 16 positions for all its examples
        out.line("for (int n0 = nFrom; n0 < nTo; n0 += %s) {", examples);
        out.line("const int n1 = min(n0 + %s, nTo);", examples);
        out.line("int16 ow = %s, oh = %s, od = %s;", lanes(j -> j % in[2]), lanes(j -> j / in[2] % in[1]), lanes(j -> j / (in[1] * in[2])));
        long full = plane / LANES * LANES;
        out.line("for (int q = 0; q < %d; q += 16) {", full);
        step(out, name, g, ch, false, bias);
        advance(out, in);
        out.line("}");
        if (full < plane) {
            out.line("{");
            out.line("const int q = %d;", full);
            step(out, name, g, ch, true, bias);
            out.line("}");
        }
        out.line("}");
        store(out, name, g, ch, "r", bias);
        out.line("}");
    }

    /**
     * Declares a work-item's block of {@code ch} (a macro) output channels: the sums s[channel][width
     * tap] and, with the bias, b[channel], all zero; and each channel's dy offset yb and vector y.
     */
    static void declareBlock(C out, String ch, int kw, boolean bias) {
        out.line("float16 s[%s][%d];", ch, kw);
        out.unrolled("i", ch, each(kw, j -> "s[i][%d] = 0.0f;".formatted(j)));
        if (bias) {
            out.line("float16 b[%s];", ch);
            out.unrolled("i", ch, "b[i] = 0.0f;");
        }
        out.line("int yb[%s];", ch);
        out.line("float16 y[%s];", ch);
    }

    /**
     * Stores the block's sums s[channel][width tap] for the channels that exist, at kernel row
     * {@code row} (a C variable), and the bias's b[channel] by the work-items of kernel row 0. With
     * the batch in parts, each work-item of the group first puts its lane sums in local memory, and
     * each of the block's sums is then the parts' added in order (part 0 first), by one work-item:
     * the same order on every device and in every run.
     */
    static void store(C out, String name, ConvGeom g, String ch, String row, boolean bias) {
        int kw = (int) g.kernel()[2];
        long outC = g.outChannels();
        String parts = Choice.macro(ConvBackwardWeight.PARTS, name);
        out.line("#if %s == 1", parts);
        out.line("__global float* dst = dweight + o0 * %d + %s * %d;", g.taps(), row, kw);
        out.unrolled("i", ch, "if (o0 + i < %d) { %s }".formatted(outC, each(kw, j -> "dst[i * %d + %d] = %s_sum(s[i][%d]);".formatted(g.taps(), j, name, j))));
        if (bias) {
            out.line("if (%s == 0) {", row);
            out.unrolled("i", ch, "if (o0 + i < %d) dbias[o0 + i] = %s_sum(b[i]);".formatted(outC, name));
            out.line("}");
        }
        out.line("#else");
        String sums = bias ? "%s * %d + %s".formatted(ch, kw, ch) : "%s * %d".formatted(ch, kw);
        out.line("// each part's sums: the weights' [channel][width tap]%s", bias ? ", then the bias's [channel] (kernel row 0's)" : "");
        out.line("__local float sums[%s][%s];", parts, sums);
        out.unrolled("i", ch, each(kw, j -> "sums[part][i * %d + %d] = %s_sum(s[i][%d]);".formatted(kw, j, name, j)));
        if (bias) out.unrolled("i", ch, "sums[part][%s * %d + i] = %s_sum(b[i]);".formatted(ch, kw, name));
        out.line("__global float* dst = dweight + o0 * %d + %s * %d;", g.taps(), row, kw);
        out.line("const int channels = min(%s, %d - o0);", ch, outC);
        if (bias) out.line("const int biases = %s == 0 ? channels : 0;", row);
        out.line("barrier(CLK_LOCAL_MEM_FENCE);");
        out.line("// each of the block's sums by one work-item, the parts added in order");
        out.line("for (int e = part; e < %s; e += %s) {", sums, parts);
        out.line("float total = sums[0][e];");
        out.line("for (int p = 1; p < %s; p++) total += sums[p][e];", parts);
        out.line("const int i = e / %d;", kw);
        out.line("if (i < channels) dst[i * %d + e %% %d] = total;", g.taps(), kw);
        if (bias) out.line("else if (e >= %s * %d && e - %s * %d < biases) dbias[o0 + e - %s * %d] = total;", ch, kw, ch, kw, ch, kw);
        out.line("}");
        out.line("#endif");
    }

    /**
     * The sums' update for the 16 positions from q: dy's vectors (zero past the plane's end in the
     * last, partial vector) and, per width tap, the input's, zero where the source is outside.
     */
    private static void step(C out, String name, ConvGeom g, String ch, boolean tail, boolean bias) {
        long[] in = g.in(), dil = g.dilation(), p = g.padding();
        long inC = g.inChannels(), outC = g.outChannels(), plane = g.inVolume();
        int kw = (int) g.kernel()[2];
        String inside = "(od + sd >= 0) & (od + sd < %d) & (oh + sh >= 0) & (oh + sh < %d)".formatted(in[0], in[1]);
        if (tail) inside += " & (%s < %d)".formatted(lanes(j -> j), g.inVolume() - q(g));
        out.line("const int16 inside = %s;", inside);
        for (int j = 0; j < kw; j++) {
            long at = j * dil[2];
            out.line("const int16 m%d = inside & (ow >= %d) & (ow < %d);", j, p[2] - at, in[2] + p[2] - at);
        }
        out.line("for (int n = n0; n < n1; n++) {");
        out.line("const int xb = (n * %d + c) * %d + shift;", inC, plane);
        // channels past the end repeat the last one: computed, never stored
        out.unrolled("i", ch, "yb[i] = (n * %d + min(o0 + i, %d)) * %d;".formatted(outC, outC - 1, plane));
        out.unrolled("i", ch, tail ? "y[i] = select((float16) 0.0f, %s_load(dy, yb[i] + q, yEnd), inside);".formatted(name)
                : "y[i] = vload16(0, dy + yb[i] + q);");
        if (bias) {
            // dy's own vectors, whatever the taps read: past the plane's end only in the tail
            String whole = tail ? "select((float16) 0.0f, %s_load(dy, yb[i] + q, yEnd), %s < %d)".formatted(name, lanes(j -> j), g.inVolume() - q(g)) : "vload16(0, dy + yb[i] + q)";
            out.line("if (r == 0) {");
            out.unrolled("i", ch, "b[i] += %s;".formatted(whole));
            out.line("}");
        }
        for (int j = 0; j < kw; j++) {
            out.line("const float16 u%d = select((float16) 0.0f, %s_load(x, xb + q + %d, xEnd), m%d);", j, name, j * dil[2], j);
        }
        out.unrolled("i", ch, each(kw, j -> "s[i][%d] = fma(y[i], u%d, s[i][%d]);".formatted(j, j, j)));
        out.line("}");
    }

    /** The start of the last, partial vector of a plane. */
    private static long q(ConvGeom g) { return g.inVolume() / LANES * LANES; }

    /** Moves the lanes' (od, oh, ow) on by 16 positions: at most 1 + 15 / width carries into the next row, and those into depth. */
    private static void advance(C out, long[] in) {
        out.line("ow += 16;");
        for (long i = 0; i <= 15 / in[2]; i++) {
            out.line("{ const int16 wrap = ow >= %d; ow -= wrap & %d; oh -= wrap; }", in[2], in[2]);
        }
        if (in[0] > 1) {
            for (long i = 0; i <= (1 + 15 / in[2]) / in[1]; i++) {
                out.line("{ const int16 wrap = oh >= %d; oh -= wrap & %d; od -= wrap; }", in[1], in[1]);
            }
        }
    }

    private static String lanes(java.util.function.LongUnaryOperator lane) {
        StringBuilder s = new StringBuilder("(int16) (");
        for (int j = 0; j < LANES; j++) s.append(j == 0 ? "" : ", ").append(lane.applyAsLong(j));
        return s.append(')').toString();
    }
}
