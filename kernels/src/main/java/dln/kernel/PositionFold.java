package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * The fold that ends a strided convolution's input gradient taken by rows ({@link PositionRows}):
 * from {@code dxRows} [batch · P, T], each output position's gradient with respect to the input under
 * each of its taps (dyRows · weight, one {@link Gemm}), dx [batch, inC, in] = for each input element
 * the sum of the rows' entries that read it: PyTorch's fold (col2im), overwritten. Padding taps
 * read nothing and give nothing.
 *
 * <p>Each element's terms are added in one order on both backends, so the two give the same bits:
 * by output position ascending, which is the kernel's taps descending. Java walks each example's
 * rows in order and adds every entry onto its element (the examples in parallel). OpenCL gives a
 * work-item an example's input channel, whose plane it sums in private memory position by position,
 * where the plane has at most {@link #PLANE} elements (0.84 → 0.52–0.63 ms for the autoencoder's
 * second layer at batch 128 against the form below); else an input row, to which it adds the entries
 * of the output rows that read it, kernel rows and width taps from the last to the first.
 */
public record PositionFold(String name, ConvGeom g) implements Kernel {

    public List<String> args() { return List.of("dxRows", "dx"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] rows = bufs[0], dx = bufs[1];
        int positions = (int) g.outVolume(), taps = (int) g.taps(), inC = (int) g.inChannels();
        int[] in = PositionRows.ints(g.in()), o = PositionRows.ints(g.out()), k = PositionRows.ints(g.kernel()), s = PositionRows.ints(g.stride());
        int[] p = PositionRows.ints(g.padding()), d = PositionRows.ints(g.dilation()), offsets = PositionRows.tapOffsets(g);
        int inVolume = in[0] * in[1] * in[2], plane = in[1] * in[2], example = inC * inVolume;
        ParallelFor.chunks(batch, (long) positions * taps, (from, to) -> {
            for (int n = from; n < to; n++) {
                java.util.Arrays.fill(dx, n * example, (n + 1) * example, 0f);
                for (int pos = 0; pos < positions; pos++) {
                    int d0 = pos / (o[1] * o[2]) * s[0] - p[0], h0 = pos / o[2] % o[1] * s[1] - p[1], w0 = pos % o[2] * s[2] - p[2];
                    int row = (n * positions + pos) * taps;
                    if (d0 >= 0 && d0 + (k[0] - 1) * d[0] < in[0] && h0 >= 0 && h0 + (k[1] - 1) * d[1] < in[1]
                            && w0 >= 0 && w0 + (k[2] - 1) * d[2] < in[2]) {
                        int at = n * example + d0 * plane + h0 * in[2] + w0;
                        for (int t = 0; t < taps; t++) dx[at + offsets[t]] += rows[row + t];
                        continue;
                    }
                    for (int c = 0, t = 0; c < inC; c++) {
                        for (int kd = 0; kd < k[0]; kd++) {
                            int id = d0 + kd * d[0];
                            for (int kh = 0; kh < k[1]; kh++) {
                                int ih = h0 + kh * d[1];
                                boolean inRow = id >= 0 && id < in[0] && ih >= 0 && ih < in[1];
                                for (int kw = 0; kw < k[2]; kw++, t++) {
                                    int iw = w0 + kw * d[2];
                                    if (inRow && iw >= 0 && iw < in[2]) dx[n * example + c * inVolume + id * plane + ih * in[2] + iw] += rows[row + t];
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    public void opencl(C out) {
        if (g.inVolume() <= PLANE) plane(out);
        else rows(out);
    }

    /** The largest input plane a work-item accumulates whole in private memory (32 × 32). */
    static final long PLANE = 1024;

    /**
     * A work-item per example and input channel: its plane's sums in private memory, each output
     * position's row segment for the channel added in position order (a window wholly inside the
     * input unchecked), then the plane stored.
     */
    private void plane(C out) {
        long[] in = g.in(), o = g.out(), k = g.kernel(), s = g.stride(), p = g.padding(), d = g.dilation();
        long taps = g.taps(), positions = g.outVolume(), kv = g.kernelVolume(), plane = in[1] * in[2];
        out.line("// dx [batch, %d, %d x %d x %d] = for each input element the sum of the rows' entries that read it, %s;",
                g.inChannels(), in[0], in[1], in[2], g);
        out.line("// a work-item per example and input channel adds each position's taps onto a private copy of its plane,");
        out.line("// positions ascending, as Java adds them.");
        out.kernel(name, "const dxRows", "dx");
        out.line("const int r = get_global_id(0);");
        out.line("if (r >= batch * %d) return;", g.inChannels());
        out.line("float acc[%d];", g.inVolume());
        out.line("for (int j = 0; j < %d; j++) acc[j] = 0.0f;", g.inVolume());
        out.line("const __global float* rows = dxRows + r / %d * %d + r %% %d * %d;", g.inChannels(), positions * taps, g.inChannels(), kv);
        out.line("for (int pos = 0; pos < %d; pos++) {", positions);
        out.line("const __global float* e = rows + pos * %d;", taps);
        out.line("const int d0 = pos / %d * %d - %d, h0 = pos / %d %% %d * %d - %d, w0 = pos %% %d * %d - %d;",
                o[1] * o[2], s[0], p[0], o[2], o[1], s[1], p[1], o[2], s[2], p[2]);
        out.line("if (d0 >= 0 && d0 + %d < %d && h0 >= 0 && h0 + %d < %d && w0 >= 0 && w0 + %d < %d) {",
                (k[0] - 1) * d[0], in[0], (k[1] - 1) * d[1], in[1], (k[2] - 1) * d[2], in[2]);
        out.line("const int at = (d0 * %d + h0) * %d + w0;", in[1], in[2]);
        for (long kd = 0, t = 0; kd < k[0]; kd++) {
            for (long kh = 0; kh < k[1]; kh++) {
                for (long kw = 0; kw < k[2]; kw++, t++) {
                    out.line("acc[at + %d] += e[%d];", kd * d[0] * plane + kh * d[1] * in[2] + kw * d[2], t);
                }
            }
        }
        out.line("} else {");
        out.line("for (int kd = 0; kd < %d; kd++) {", k[0]);
        out.line("const int id = d0 + kd * %d;", d[0]);
        out.line("for (int kh = 0; kh < %d; kh++) {", k[1]);
        out.line("const int ih = h0 + kh * %d;", d[1]);
        out.line("if (id < 0 || id >= %d || ih < 0 || ih >= %d) continue;", in[0], in[1]);
        out.line("for (int kw = 0; kw < %d; kw++) {", k[2]);
        out.line("const int iw = w0 + kw * %d;", d[2]);
        out.line("if (iw >= 0 && iw < %d) acc[(id * %d + ih) * %d + iw] += e[(kd * %d + kh) * %d + kw];", in[2], in[1], in[2], k[1], k[2]);
        out.line("}");
        out.line("}");
        out.line("}");
        out.line("}");
        out.line("}");
        out.line("__global float* to = dx + r * %d;", g.inVolume());
        out.line("for (int j = 0; j < %d; j++) to[j] = acc[j];", g.inVolume());
        out.line("}");
    }

    /**
     * A work-item per input row: for each kernel row whose output row reads it, that output row's
     * entries added onto a private copy of the row, kernel rows and width taps from the last to the
     * first (output positions ascending), the width taps unrolled over constant column ranges.
     */
    private void rows(C out) {
        long[] in = g.in(), o = g.out(), k = g.kernel(), s = g.stride(), p = g.padding(), d = g.dilation();
        long taps = g.taps(), positions = g.outVolume(), rows = g.inChannels() * in[0] * in[1];
        out.line("// dx [batch, %d, %d x %d x %d] = for each input element the sum of the rows' entries that read it, %s;",
                g.inChannels(), in[0], in[1], in[2], g);
        out.line("// a work-item per input row adds, for each kernel row whose output row reads it, that output row's");
        out.line("// entries onto a private copy of the row: kernel rows and width taps from the last to the first, so that");
        out.line("// each element's terms come by output position ascending, as Java adds them.");
        out.kernel(name, "const dxRows", "dx");
        out.line("const int r = get_global_id(0);");
        out.line("if (r >= batch * %d) return;", rows);
        out.line("const int n = r / %d, c = r / %d %% %d, id = r / %d %% %d, ih = r %% %d;", rows, in[0] * in[1], g.inChannels(), in[1], in[0], in[1]);
        out.line("float acc[%d];", in[2]);
        out.line("for (int j = 0; j < %d; j++) acc[j] = 0.0f;", in[2]);
        out.line("for (int kd = %d; kd >= 0; kd--) {", k[0] - 1);
        out.line("const int td = id + %d - kd * %d;", p[0], d[0]);
        out.line("if (td < 0 || td %% %d != 0 || td / %d >= %d) continue;", s[0], s[0], o[0]);
        out.line("for (int kh = %d; kh >= 0; kh--) {", k[1] - 1);
        out.line("const int th = ih + %d - kh * %d;", p[1], d[1]);
        out.line("if (th < 0 || th %% %d != 0 || th / %d >= %d) continue;", s[1], s[1], o[1]);
        out.line("const __global float* from = dxRows + (n * %d + (td / %d * %d + th / %d) * %d) * %d + ((c * %d + kd) * %d + kh) * %d;",
                positions, s[0], o[1], s[1], o[2], taps, k[0], k[1], k[2]);
        for (long kw = k[2] - 1; kw >= 0; kw--) {
            // output column ow reads input column ow * stride - padding + kw * dilation: those inside the row
            long shift = kw * d[2] - p[2], lo = Math.max(0, ceilDiv(-shift, s[2])), hi = Math.min(o[2], Math.floorDiv(in[2] - 1 - shift, s[2]) + 1);
            if (lo >= hi) continue;
            if (hi - lo <= 16) {
                for (long ow = lo; ow < hi; ow++) out.line("acc[%d] += from[%d];", ow * s[2] + shift, ow * taps + kw);
            } else {
                out.line("for (int ow = %d; ow < %d; ow++) acc[ow * %d + %d] += from[ow * %d + %d];", lo, hi, s[2], shift, taps, kw);
            }
        }
        out.line("}");
        out.line("}");
        out.line("__global float* to = dx + r * %d;", in[2]);
        out.line("for (int j = 0; j < %d; j++) to[j] = acc[j];", in[2]);
        out.line("}");
    }

    private static long ceilDiv(long a, long b) { return -Math.floorDiv(-a, b); }

    public long[] global(int batch) {
        return new long[] {(long) batch * g.inChannels() * (g.inVolume() <= PLANE ? 1 : g.in()[0] * g.in()[1])};
    }
}
