package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * A strided convolution's input as rows of the batch's output positions: {@code xRows} [batch · P, T]
 * holds the input under each of the kernel's T = inC · kernel volume taps at each position, zero where
 * a tap falls in the padding (PyTorch's unfold, transposed). With dy's channels last ({@link
 * ChannelsLast}: dyRows [batch · P, outC]), the weight gradient is dweight = dyRowsᵀ · xRows and the
 * bias gradient the sums of dyRows' columns, one {@link Gemm} of the Aᵀ·B form with its sums epilogue
 * (a dense layer's weight gradient); the input gradient is dyRows · weight folded back ({@link
 * PositionFold}). The compiler's lowering takes this road where {@link #pays}.
 *
 * <p>{@link ConvBackwardWeight}'s direct kernels walk output rows with a float16 of positions; at
 * stride 2 every tap's vector is a deinterleave of two checked loads, and the autoencoder's second
 * layer (16 → 32 channels, 14 × 14 → 7 × 7) ran at about 15 GFLOP/s on PoCL. Its rows here are
 * 49 · 144 floats an example, written once, and the products run in the register blocks every
 * dense layer uses (docs/PERFORMANCE.md).
 *
 * <p>OpenCL: a work-item per position and input channel writes that channel's taps of the row; a
 * window wholly inside the input copies them unchecked, another loads the channel's first element for
 * a padding tap (a select, not a branch) and stores 0 there.
 */
public record PositionRows(String name, ConvGeom g) implements Kernel {

    /**
     * Whether the lowering takes the gradients of {@code g} (and a transposed convolution's forward
     * pass) through rows and products: strided (where the direct kernels load least well), with at
     * least 16 taps (a row of the product fills a float16), and at most 65,536 floats of rows and dy's
     * rows an example (256 KB; 32 MB at batch 128).
     */
    public static boolean pays(ConvGeom g) {
        long[] s = g.stride();
        boolean strided = s[0] > 1 || s[1] > 1 || s[2] > 1;
        return strided && g.taps() >= 16 && g.outVolume() * (g.taps() + g.outChannels()) <= 1 << 16;
    }

    public List<String> args() { return List.of("x", "xRows"); }

    /** The rows' floats per example. */
    public long perExample() { return g.outVolume() * g.taps(); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], xRows = bufs[1];
        int positions = (int) g.outVolume(), taps = (int) g.taps(), inC = (int) g.inChannels();
        int[] in = ints(g.in()), o = ints(g.out()), k = ints(g.kernel()), s = ints(g.stride()), p = ints(g.padding()), d = ints(g.dilation());
        int inVolume = in[0] * in[1] * in[2], plane = in[1] * in[2];
        int[] offsets = tapOffsets(g);    // a window wholly inside the input is a gather by these
        ParallelFor.chunks(batch * positions, taps, (from, to) -> {
            for (int q = from; q < to; q++) {
                int n = q / positions, pos = q % positions;
                int d0 = pos / (o[1] * o[2]) * s[0] - p[0], h0 = pos / o[2] % o[1] * s[1] - p[1], w0 = pos % o[2] * s[2] - p[2];
                boolean inside = d0 >= 0 && d0 + (k[0] - 1) * d[0] < in[0] && h0 >= 0 && h0 + (k[1] - 1) * d[1] < in[1]
                        && w0 >= 0 && w0 + (k[2] - 1) * d[2] < in[2];
                int t = q * taps;
                if (inside) {
                    int at = n * inC * inVolume + d0 * plane + h0 * in[2] + w0;
                    for (int j = 0; j < taps; j++) xRows[t + j] = x[at + offsets[j]];
                }
                for (int c = 0; c < inC && !inside; c++) {
                    int xc = (n * inC + c) * inVolume;
                    for (int kd = 0; kd < k[0]; kd++) {
                        int id = d0 + kd * d[0];
                        for (int kh = 0; kh < k[1]; kh++) {
                            int ih = h0 + kh * d[1], at = xc + id * plane + ih * in[2] + w0;
                            boolean row = id >= 0 && id < in[0] && ih >= 0 && ih < in[1];
                            for (int kw = 0; kw < k[2]; kw++) {
                                int iw = w0 + kw * d[2];
                                xRows[t++] = row && iw >= 0 && iw < in[2] ? x[at + kw * d[2]] : 0f;
                            }
                        }
                    }
                }
            }
        });
    }

    /** Each tap's offset in an example's input from its window's first element, taps in weight order. */
    static int[] tapOffsets(ConvGeom g) {
        int[] in = ints(g.in()), k = ints(g.kernel()), d = ints(g.dilation());
        int inVolume = in[0] * in[1] * in[2], plane = in[1] * in[2];
        int[] offsets = new int[(int) g.taps()];
        for (int c = 0, t = 0; c < g.inChannels(); c++) {
            for (int kd = 0; kd < k[0]; kd++) {
                for (int kh = 0; kh < k[1]; kh++) {
                    for (int kw = 0; kw < k[2]; kw++) offsets[t++] = c * inVolume + kd * d[0] * plane + kh * d[1] * in[2] + kw * d[2];
                }
            }
        }
        return offsets;
    }

    static int[] ints(long[] a) {
        int[] out = new int[a.length];
        for (int i = 0; i < a.length; i++) out[i] = Math.toIntExact(a[i]);
        return out;
    }

    public void opencl(C out) {
        long[] in = g.in(), o = g.out(), k = g.kernel(), s = g.stride(), p = g.padding(), d = g.dilation();
        long taps = g.taps(), positions = g.outVolume(), kv = g.kernelVolume();
        out.line("// xRows [batch * %d, %d] = the input under each tap at each output position (0 in the padding), %s;", positions, taps, g);
        out.line("// a work-item per position and input channel writes that channel's taps, the kernel's width unrolled.");
        out.kernel(name, "const x", "xRows");
        out.line("const int c = get_global_id(0), q = get_global_id(1);");
        out.line("if (c >= %d || q >= batch * %d) return;", g.inChannels(), positions);
        out.line("const int n = q / %d, pos = q %% %d;", positions, positions);
        out.line("const int d0 = pos / %d * %d - %d, h0 = pos / %d %% %d * %d - %d, w0 = pos %% %d * %d - %d;",
                o[1] * o[2], s[0], p[0], o[2], o[1], s[1], p[1], o[2], s[2], p[2]);
        out.line("__global float* row = xRows + q * %d + c * %d;", taps, kv);
        out.line("const __global float* xc = x + (n * %d + c) * %d;", g.inChannels(), g.inVolume());
        // a window wholly inside the input copies its taps unchecked
        out.line("if (d0 >= 0 && d0 + %d < %d && h0 >= 0 && h0 + %d < %d && w0 >= 0 && w0 + %d < %d) {",
                (k[0] - 1) * d[0], in[0], (k[1] - 1) * d[1], in[1], (k[2] - 1) * d[2], in[2]);
        out.line("for (int kd = 0; kd < %d; kd++) {", k[0]);
        out.line("for (int kh = 0; kh < %d; kh++) {", k[1]);
        out.line("const __global float* src = xc + ((d0 + kd * %d) * %d + h0 + kh * %d) * %d + w0;", d[0], in[1], d[1], in[2]);
        out.line("__global float* dst = row + kd * %d + kh * %d;", k[1] * k[2], k[2]);
        for (int j = 0; j < k[2]; j++) out.line("dst[%d] = src[%d];", j, j * d[2]);
        out.line("}");
        out.line("}");
        out.line("} else {");
        for (int j = 0; j < k[2]; j++) out.line("const bool in%d = w0 + %d >= 0 && w0 + %d < %d;", j, j * d[2], j * d[2], in[2]);
        out.line("for (int kd = 0; kd < %d; kd++) {", k[0]);
        out.line("for (int kh = 0; kh < %d; kh++) {", k[1]);
        out.line("const int id = d0 + kd * %d, ih = h0 + kh * %d, t = kd * %d + kh * %d;", d[0], d[1], k[1] * k[2], k[2]);
        out.line("const bool r = id >= 0 && id < %d && ih >= 0 && ih < %d;", in[0], in[1]);
        out.line("const int at = (id * %d + ih) * %d + w0;", in[1], in[2]);
        for (int j = 0; j < k[2]; j++) {
            out.line("{ const bool ok = r && in%d; const float v = xc[ok ? at + %d : 0]; row[t + %d] = ok ? v : 0.0f; }", j, j * d[2], j);
        }
        out.line("}");
        out.line("}");
        out.line("}");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {g.inChannels(), (long) batch * g.outVolume()}; }
}
