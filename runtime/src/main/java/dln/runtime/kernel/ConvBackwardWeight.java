package dln.runtime.kernel;

import static dln.runtime.kernel.Lanes.each;

import dln.runtime.jvm.Blas;
import java.util.List;

/**
 * dweight [outC, inC, kernel] = the sum over the batch and the output positions of dy times the
 * input element under each tap, overwritten.
 *
 * <p>Java: per chunk of examples ({@link Im2col}), dy·(unfolded input)ᵀ in one BLAS product, the
 * chunks added in order (the chunk size depends only on the geometry, so the result does not depend
 * on the thread count). OpenCL: a
 * work-item owns a block of 6 output channels × 4 taps and walks every output row of every example,
 * keeping partial dot products in vectors along the output width, summed across lanes at the end:
 * a fixed order, no atomics.
 */
public record ConvBackwardWeight(String name, ConvGeom g) implements Kernel {
    private static final int CHANNELS = 6, TAPS = 4;

    public List<String> args() { return List.of("x", "dy", "dweight"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], dy = bufs[1], dw = bufs[2];
        int taps = (int) g.taps(), positions = (int) g.outVolume(), outC = (int) g.outChannels(), chunk = Im2col.chunk(g);
        if (batch == 0) java.util.Arrays.fill(dw, 0, outC * taps, 0);
        for (int n0 = 0; n0 < batch; n0 += chunk) {
            int count = Math.min(chunk, batch - n0), cols = count * positions, product = taps * cols;
            float[] s = Im2col.scratch((long) (taps + outC) * cols);   // col [taps, cols], then dy's block [outC, cols]
            Im2col.unfold(g, x, n0, count, s);
            Im2col.gather(dy, n0, count, outC, positions, s, product);
            Blas.sgemm(false, true, outC, taps, cols, 1, s, product, cols, s, 0, cols, n0 == 0 ? 0 : 1, dw, 0, taps);
        }
    }

    public void opencl(C out) {
        if (FlatConv.applies(g)) FlatWeight.emit(out, name, g);
        else rows(out);
    }

    private void rows(C out) {
        long[] in = g.in(), o = g.out(), k = g.kernel(), s = g.stride(), p = g.padding(), dil = g.dilation();
        long taps = g.taps(), outC = g.outChannels(), kvol = g.kernelVolume();
        Lanes l = Lanes.single(o[2]);
        String v = l.type();
        // lanes j < count: r[first + j·step] where inside [0, size), else 0
        out.line("%s %s_row(__global const float* r, const int first, const int step, const int size, const int count) {", v, name);
        out.line("if (step == 1 && count >= %d && first >= 0 && first + %d <= size) return %s;", l.width(), l.width(), l.load(0, "(r + first)"));
        out.line("float e[%d];", l.width());
        out.line("for (int j = 0; j < %d; j++) {", l.width());
        out.line("const int u = first + j * step;");
        out.line("e[j] = j < count && u >= 0 && u < size ? r[u] : 0.0f;");
        out.line("}");
        out.line("return %s;", l.load(0, "e"));
        out.line("}");
        out.line("");
        Lanes.sum(out, name + "_sum", l.width());
        out.line("// dweight [outC, inC, kernel] = sum over examples and output positions of dy times the input under each tap;");
        out.line("// %s, stride %s, padding %s, dilation %s.", g.toString().replaceAll(", stride.*", "]"), java.util.Arrays.toString(s),
                java.util.Arrays.toString(p), java.util.Arrays.toString(dil));
        out.line("// A work-item's block: %d output channels x %d taps, partial sums in %s along the output width.", CHANNELS, TAPS, v);
        out.line("__attribute__((reqd_work_group_size(4, 4, 1)))");
        out.kernel(name, "const x", "const dy", "dweight");
        out.line("const int t0 = get_global_id(0) * %d, o0 = get_global_id(1) * %d;", TAPS, CHANNELS);
        out.line("if (t0 >= %d || o0 >= %d) return;", taps, outC);
        // taps and channels past the end repeat the last one: computed, never stored
        for (int j = 0; j < TAPS; j++) {
            out.line("const int k%d = min(t0 + %d, %d), c%d = k%d / %d, kd%d = k%d / %d %% %d, kh%d = k%d / %d %% %d, kw%d = k%d %% %d;",
                    j, j, taps - 1, j, j, kvol, j, j, k[1] * k[2], k[0], j, j, k[2], k[1], j, j, k[2]);
        }
        for (int i = 0; i < CHANNELS; i++) {
            int row = i;
            out.line(each(TAPS, j -> "%s d%d_%d = 0.0f;".formatted(v, row, j)));
        }
        out.line("for (int n = 0; n < batch; n++) {");
        out.line("for (int row = 0; row < %d; row++) {", o[0] * o[1]);
        out.line("const int od = row / %d, oh = row %% %d;", o[1], o[1]);
        for (int i = 0; i < CHANNELS; i++) {
            out.line("__global const float* g%d = dy + (n * %d + min(o0 + %d, %d)) * %d + row * %d;", i, outC, i, outC - 1, g.outVolume(), o[2]);
        }
        for (int j = 0; j < TAPS; j++) {
            out.line("const int id%d = od * %d - %d + kd%d * %d, ih%d = oh * %d - %d + kh%d * %d;", j, s[0], p[0], j, dil[0], j, s[1], p[1], j, dil[1]);
            out.line("const bool ok%d = id%d >= 0 && id%d < %d && ih%d >= 0 && ih%d < %d;", j, j, j, in[0], j, j, in[1]);
            out.line("__global const float* x%d = x + (((n * %d + c%d) * %d + id%d) * %d + ih%d) * %d;", j, g.inChannels(), j, in[0], j, in[1], j, in[2]);
        }
        out.line("for (int ow = 0; ow < %d; ow += %d) {", o[2], l.width());
        for (int i = 0; i < CHANNELS; i++) out.line("const %s y%d = %s_row(g%d, ow, 1, %d, %d - ow);", v, i, name, i, o[2], o[2]);
        for (int j = 0; j < TAPS; j++) {
            out.line("const %s u%d = ok%d ? %s_row(x%d, ow * %d - %d + kw%d * %d, %d, %d, %d - ow) : (%s)(0.0f);", v, j, j, name, j, s[2], p[2], j,
                    dil[2], s[2], in[2], o[2], v);
        }
        for (int i = 0; i < CHANNELS; i++) {
            int row = i;
            out.line(each(TAPS, j -> "d%d_%d = fma(y%d, u%d, d%d_%d);".formatted(row, j, row, j, row, j)));
        }
        out.line("}");
        out.line("}");
        out.line("}");
        out.line("float t[%d][%d];", CHANNELS, TAPS);
        for (int i = 0; i < CHANNELS; i++) {
            int row = i;
            out.line(each(TAPS, j -> "t[%d][%d] = %s_sum(d%d_%d);".formatted(row, j, name, row, j)));
        }
        out.line("for (int i = 0; i < %d && o0 + i < %d; i++) {", CHANNELS, outC);
        out.line("for (int j = 0; j < %d && t0 + j < %d; j++) dweight[(o0 + i) * %d + t0 + j] = t[i][j];", TAPS, taps, taps);
        out.line("}");
        out.line("}");
    }

    public long[] global(int batch) {
        if (FlatConv.applies(g)) return FlatWeight.global(g);
        return new long[] {(g.taps() + TAPS - 1) / TAPS, (g.outChannels() + CHANNELS - 1) / CHANNELS};
    }

    @Override public long[] local() { return new long[] {4, 4}; }
}
