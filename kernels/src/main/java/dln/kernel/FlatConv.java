package dln.kernel;

import static dln.kernel.Lanes.each;

import dln.runtime.kernel.C;
import java.util.List;

/**
 * The OpenCL C of a convolution whose output is as large as its input, at stride 1 (3x3 with
 * padding 1, 5x5 with padding 2...), shared by the forward pass (y from x) and the input gradient (dx from dy, the
 * convolution transposed, which is then one too). A tap reads the source plane shifted by a
 * constant, so a work-item's positions are 16 consecutive ones of the flattened plane, whatever the
 * row length: for narrow planes (14 or 7 wide) a full vector where a row-by-row block
 * ({@link ConvRows}) has a half or a quarter of one. A lane whose source leaves the plane or wraps
 * into another row reads zero.
 *
 * <p>A work-item computes a block of target channels × 16 positions in float16 registers: for each
 * tap, the lanes' mask (once), then for each source channel one vector of the source times a
 * broadcast weight per target channel. Taps that read only padding for all 16 lanes are skipped.
 */
final class FlatConv {
    private static final int LANES = 16, CHANNELS = 12;

    private FlatConv() {}

    /** Whether the convolution has stride 1 and its output as large as its input in every dimension. */
    static boolean applies(ConvGeom g) {
        long[] s = g.stride(), in = g.in(), out = g.out();
        for (int d = 0; d < 3; d++) if (s[d] != 1 || in[d] != out[d]) return false;
        return true;
    }

    /** Target channels per work-item by default: at most 12, spread evenly over the blocks. */
    static int rows(ConvGeom g, boolean transposed) {
        long channels = transposed ? g.inChannels() : g.outChannels(), blocks = (channels + CHANNELS - 1) / CHANNELS;
        return (int) ((channels + blocks - 1) / blocks);
    }

    static long[] global(ConvGeom g, boolean transposed, int batch, int rows) {
        long channels = transposed ? g.inChannels() : g.outChannels();
        return new long[] {(g.inVolume() + LANES - 1) / LANES, (channels + rows - 1) / rows, batch};
    }

    static long[] local() { return new long[] {4, 4, 1}; }

    static void emit(C out, String name, ConvGeom g, boolean transposed, String src, String dst, Epilogue epilogue) {
        long[] size = g.in(), k = g.kernel(), p = g.padding(), dil = g.dilation();
        long plane = g.inVolume(), kvol = g.kernelVolume();
        long tC = transposed ? g.inChannels() : g.outChannels(), sC = transposed ? g.outChannels() : g.inChannels();
        // weight [outC, inC, k]: a target channel's weights start every inC·k forward, every k transposed
        long rowStride = transposed ? kvol : g.inChannels() * kvol, sourceStride = transposed ? g.inChannels() * kvol : kvol;
        String rows = ChannelBlock.macro(name);
        out.line("float16 %s_load(__global const float* a, const int start, const int end) {", name);
        out.line("if (start >= 0 && start + 16 <= end) return vload16(0, a + start);");
        out.line("float e[16];");
        out.line("for (int j = 0; j < 16; j++) e[j] = start + j >= 0 && start + j < end ? a[start + j] : 0.0f;");
        out.line("return vload16(0, e);");
        out.line("}");
        out.line("");
        out.line("// %s: %s, stride 1, padding %s, dilation %s; planes of %d positions.",
                transposed ? "dx [N, inC, in] = the transposed convolution of dy" : "y [N, outC, out] = x convolved with weight",
                g.toString().replaceAll(", stride.*", "]"), java.util.Arrays.toString(p), java.util.Arrays.toString(dil), plane);
        out.line("// A work-item's block: %s %s channels x 16 consecutive positions of the plane in float16 registers.", rows,
                transposed ? "input" : "output");
        if (!epilogue.none()) out.line("// then, as the block is stored: %s.", epilogue.describe().replace("bias", "bias[channel]"));
        ChannelBlock.declare(out, name, rows(g, transposed));
        List<String> buffers = new java.util.ArrayList<>(List.of("const " + src, "const weight", dst));
        for (String read : epilogue.args()) buffers.add("const " + read);
        out.kernel(name, buffers.toArray(String[]::new));
        out.line("const int n = get_global_id(2), t0 = get_global_id(1) * %s, p0 = get_global_id(0) * 16;", rows);
        out.line("if (n >= batch || t0 >= %d || p0 >= %d) return;", tC, plane);
        out.line("const int16 at = p0 + %s;", lanes());
        out.line("const int16 ow = at %% %d, oh = at / %d %% %d, od = at / %d, valid = at < %d;", size[2], size[2], size[1], size[1] * size[2], plane);
        out.line("__global const float* w[%s];", rows);
        out.unrolled("i", rows, "w[i] = weight + min(t0 + i, %d) * %d;".formatted(tC - 1, rowStride));
        out.line("float16 c[%s];", rows);
        out.unrolled("i", rows, "c[i] = 0.0f;");
        out.line("const int end = batch * %d;", sC * plane);
        out.line("for (int tap = 0; tap < %d; tap++) {", kvol);
        // a tap reads source (target + shift) forward, (target − shift) transposed
        String sign = transposed ? "-" : "";
        out.line("const int sd = %s(tap / %d * %d - %d), sh = %s(tap / %d %% %d * %d - %d), sw = %s(tap %% %d * %d - %d);",
                sign, k[1] * k[2], dil[0], p[0], sign, k[2], k[1], dil[1], p[1], sign, k[2], dil[2], p[2]);
        out.line("const int16 inside = valid & (od + sd >= 0) & (od + sd < %d) & (oh + sh >= 0) & (oh + sh < %d) & (ow + sw >= 0) & (ow + sw < %d);",
                size[0], size[1], size[2]);
        out.line("if (!any(inside)) continue;");
        out.line("int from = n * %d + p0 + (sd * %d + sh) * %d + sw;", sC * plane, size[1], size[2]);
        out.line("for (int s = 0; s < %d; s++, from += %d) {", sC, plane);
        out.line("const float16 u = select((float16) 0.0f, %s_load(%s, from, end), inside);", name, src);
        out.line("const int wk = s * %d + tap;", sourceStride);
        out.unrolled("i", rows, "c[i] = fma((float16) w[i][wk], u, c[i]);");
        out.line("}");
        out.line("}");
        ChannelBlock.epilogue(out, epilogue, rows, List.of("c[i]"), "float16", tC);
        out.line("__global float* o = %s + (n * %d + t0) * %d + p0;", dst, tC, plane);
        out.line("if (p0 + 16 <= %d && t0 + %s <= %d) {", plane, rows, tC);
        out.unrolled("i", rows, "vstore16(c[i], 0, o + i * %d);".formatted(plane));
        out.line("} else {");
        out.line("float t[%s][16];", rows);
        out.unrolled("i", rows, "vstore16(c[i], 0, t[i]);");
        out.line("for (int i = 0; i < %s && t0 + i < %d; i++) {", rows, tC);
        out.line("for (int j = 0; j < 16 && p0 + j < %d; j++) o[i * %d + j] = t[i][j];", plane, plane);
        out.line("}");
        out.line("}");
        out.line("}");
    }

    private static String lanes() {
        return "(int16) (" + each(LANES, j -> j + (j < LANES - 1 ? "," : "")) + ")";
    }
}
