package dln.kernel;

import dln.runtime.kernel.C;

/**
 * The OpenCL C loop of the kernels that run one work-group per channel of an [N, C, S] buffer
 * (batch norm, bias gradients) over the channel's values: N runs of S floats, one every C·S. When a
 * run is at least 16 long, the work-items take its 16-float chunks in turn (chunk i to work-item
 * i mod the group size, {@link WorkGroups#SIZE}) as float16 vectors; the last chunk of a run may be shorter, its
 * missing lanes read as zero and are never written. Shorter runs go one value at a time (value e
 * to work-item e mod REDUCE). Either way each work-item's share and order are fixed.
 */
final class ChannelLoop {
    private static final int LANES = 16;
    private final String kernel;
    private final long channels, spatial;
    private final boolean chunks;

    ChannelLoop(String kernel, long channels, long spatial) {
        this.kernel = kernel;
        this.channels = channels;
        this.spatial = spatial;
        this.chunks = spatial >= LANES;
    }

    /** The C functions the loop's expressions call; before the kernel. */
    void helpers(C out) {
        if (!chunks) {
            WorkGroups.channelIndex(out, kernel, channels, spatial);
            return;
        }
        out.line("float16 %s_get(__global const float* a, const int at, const int len) {", kernel);
        out.line("if (len == 16) return vload16(0, a + at);");
        out.line("float e[16];");
        out.line("for (int j = 0; j < 16; j++) e[j] = j < len ? a[at + j] : 0.0f;");
        out.line("return vload16(0, e);");
        out.line("}");
        out.line("");
        out.line("void %s_put(__global float* a, const int at, const int len, const float16 v) {", kernel);
        out.line("if (len == 16) {");
        out.line("vstore16(v, 0, a + at);");
        out.line("return;");
        out.line("}");
        out.line("float e[16];");
        out.line("vstore16(v, 0, e);");
        out.line("for (int j = 0; j < len; j++) a[at + j] = e[j];");
        out.line("}");
        out.line("");
        Lanes.sum(out, kernel + "_sum", LANES);
    }

    /** The type of the loop's values: float, or float16 in chunks. */
    String type() { return chunks ? "float16" : "float"; }

    /**
     * Opens the loop over this work-item's values of channel {@code c} (local id {@code lid}) in
     * {@code runs} runs (a C expression); the caller closes it.
     */
    void open(C out, String runs) {
        if (!chunks) {
            out.line("for (int e = lid; e < %s * %d; e += %s) {", runs, spatial, WorkGroups.SIZE);
            out.line("const int at = %s_at(c, e);", kernel);
            return;
        }
        long perRun = (spatial + LANES - 1) / LANES;
        out.line("for (int i = lid; i < %s * %d; i += %s) {", runs, perRun, WorkGroups.SIZE);
        out.line("const int n = i / %d, v = i - n * %d;", perRun, perRun);
        out.line("const int at = (n * %d + c) * %d + v * 16, len = %s;", channels, spatial,
                spatial % LANES == 0 ? "16" : "min(16, %d - v * 16)".formatted(spatial));
    }

    /** The values of buffer {@code buf} at the loop's position. */
    String load(String buf) { return chunks ? "%s_get(%s, at, len)".formatted(kernel, buf) : buf + "[at]"; }

    /** The statement storing {@code value} into buffer {@code buf} at the loop's position. */
    String store(String buf, String value) { return chunks ? "%s_put(%s, at, len, %s);".formatted(kernel, buf, value) : "%s[at] = %s;".formatted(buf, value); }

    /** {@code value} with the lanes past a short chunk's end set to 0: for terms that are not 0 where the values are. */
    String inside(String value) {
        if (!chunks || spatial % LANES == 0) return value;
        return "select((float16) 0.0f, %s, (int16) (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) < len)".formatted(value);
    }

    /** A work-item's partial sum as one float. */
    String total(String part) { return chunks ? "%s_sum(%s)".formatted(kernel, part) : part; }
}
