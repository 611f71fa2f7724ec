package dln.kernel;

import dln.runtime.kernel.C;

/**
 * The pooling windows of a geometry, for the Java references and as OpenCL C: which input elements
 * each output reads, in scan order (depth, height, width), padding left out.
 */
final class PoolWindows {
    private PoolWindows() {}

    /** For each output position of a plane, the plane indices of its window's input elements, in scan order. */
    static int[][] of(PoolGeom g) {
        long[] in = g.in(), k = g.size(), s = g.stride(), p = g.padding(), out = g.out();
        int[][] windows = new int[(int) g.outVolume()][];
        int[] buf = new int[(int) g.windowVolume()];
        int o = 0;
        for (long od = 0; od < out[0]; od++) {
            for (long oh = 0; oh < out[1]; oh++) {
                for (long ow = 0; ow < out[2]; ow++, o++) {
                    int count = 0;
                    for (long kd = 0; kd < k[0]; kd++) {
                        long id = od * s[0] - p[0] + kd;
                        for (long kh = 0; kh < k[1]; kh++) {
                            long ih = oh * s[1] - p[1] + kh;
                            for (long kw = 0; kw < k[2]; kw++) {
                                long iw = ow * s[2] - p[2] + kw;
                                if (id >= 0 && id < in[0] && ih >= 0 && ih < in[1] && iw >= 0 && iw < in[2]) {
                                    buf[count++] = (int) ((id * in[1] + ih) * in[2] + iw);
                                }
                            }
                        }
                    }
                    windows[o] = java.util.Arrays.copyOf(buf, count);
                }
            }
        }
        return windows;
    }

    /**
     * The plane index of the window's maximum, x read from offset, by PyTorch's rule: scanning in
     * order, an element replaces the maximum so far when it is strictly greater or NaN. So the first
     * of equal maxima wins, and a window holding NaN has its last NaN as the maximum (PyTorch's
     * max_pool indices), which makes the output NaN and sends the gradient there.
     */
    static int argmax(int[] window, float[] x, int offset) {
        int best = window[0];
        for (int i : window) if (replaces(x[offset + i], x[offset + best])) best = i;
        return best;
    }

    /**
     * Whether the windows are 2 × 2 with stride 2, no padding, tiling each plane exactly (LeNet's and
     * most networks' pooling): the references then read the four elements straight, in scan order.
     */
    static boolean twoByTwo(PoolGeom g) {
        long[] in = g.in(), k = g.size(), s = g.stride(), p = g.padding(), o = g.out();
        return k[0] == 1 && s[0] == 1 && k[1] == 2 && k[2] == 2 && s[1] == 2 && s[2] == 2 && p[0] == 0 && p[1] == 0 && p[2] == 0
                && in[0] == o[0] && in[1] == 2 * o[1] && in[2] == 2 * o[2];
    }

    /*
     * The 2 × 2 window's maximum and its index without a branch on the data: which element wins is
     * random, and mispredicted branches were most of a 2 × 2 pooling's time on the JVM (LeNet's first
     * pooling: 0.49 ms a launch at batch 64, a branch-free maximum 3 times faster).
     */

    /**
     * The maximum of the 2 × 2 window at b (its top left) in rows of width w, as {@link #argmax}'s
     * element: Math.max's, which is NaN when one is and has no branch, unless the window holds a
     * negative zero (a ReLU's output never does), where the scan's choice between two zeros decides.
     */
    static float max2x2(float[] x, int offset, int b, int w) {
        float x0 = x[offset + b], x1 = x[offset + b + 1], x2 = x[offset + b + w], x3 = x[offset + b + w + 1];
        if (negativeZero(x0) | negativeZero(x1) | negativeZero(x2) | negativeZero(x3)) return x[offset + argmax2x2(x, offset, b, w)];
        return Math.max(Math.max(x0, x1), Math.max(x2, x3));
    }

    private static boolean negativeZero(float v) {
        return Float.floatToRawIntBits(v) == 0x80000000;
    }

    /** The plane index of the maximum of the 2 × 2 window at b (its top left) in rows of width w, by {@link #argmax}'s rule. */
    static int argmax2x2(float[] x, int offset, int b, int w) {
        float x0 = x[offset + b], x1 = x[offset + b + 1], x2 = x[offset + b + w], x3 = x[offset + b + w + 1];
        int nan = (x0 != x0 ? 1 : 0) | (x1 != x1 ? 2 : 0) | (x2 != x2 ? 4 : 0) | (x3 != x3 ? 8 : 0);
        int k;
        if (nan != 0) {
            k = 31 - Integer.numberOfLeadingZeros(nan);   // the last NaN
        } else {
            float m = Math.max(Math.max(x0, x1), Math.max(x2, x3));
            k = Integer.numberOfTrailingZeros((x0 == m ? 1 : 0) | (x1 == m ? 2 : 0) | (x2 == m ? 4 : 0) | (x3 == m ? 8 : 0));   // the first maximum
        }
        return b + (k & 1) + (k >> 1) * w;
    }

    /** Whether v replaces the maximum so far, top: strictly greater, or NaN (PyTorch's max pooling). */
    static boolean replaces(float v, float top) {
        return v > top || Float.isNaN(v);
    }

    /** {@link #replaces} as a C condition over the C expressions {@code v} and {@code top}. */
    static String replaces(String v, String top) {
        return "((%s > %s) | (%s != %s))".formatted(v, top, v, v);
    }

    /**
     * Emits {@code int <fn>(__global const float* x, od, oh, ow)}: the plane index of the maximum of
     * output (od, oh, ow)'s window in plane x, by the rule of {@link #argmax(int[], float[], int)}.
     */
    static void argmax(C out, String fn, PoolGeom g) {
        out.line("int %s(__global const float* x, const int od, const int oh, const int ow) {", fn);
        out.line("int best = -1;");
        out.line("float top = 0.0f;");
        scan(out, g, "od", "oh", "ow");
        out.line("const float v = x[i];");
        out.line("if (best < 0 || %s) { best = i; top = v; }", replaces("v", "top"));
        closeScan(out);
        out.line("return best;");
        out.line("}");
        out.line("");
    }

    /**
     * Opens a kernel with a work-item per output element {@code e} of [N, channels, out]: its
     * {@code plane} (example and channel) and its window's output position {@code od, oh, ow}.
     */
    static void openPerOutput(C out, String name, PoolGeom g, String... buffers) {
        long[] o = g.out();
        out.kernel(name, buffers);
        out.line("const int e = get_global_id(0);");
        out.line("if (e >= batch * %d) return;", g.channels() * g.outVolume());
        out.line("const int plane = e / %d, ow = e %% %d, oh = e / %d %% %d, od = e / %d %% %d;",
                g.outVolume(), o[2], o[2], o[1], o[1] * o[2], o[0]);
    }

    /**
     * The plane offsets of a window's elements from its first (depth, row, column order, the order
     * of {@link #scan}), for geometries without padding, where every element lies inside the input.
     */
    static long[] offsets(PoolGeom g) {
        long[] in = g.in(), k = g.size();
        long[] out = new long[(int) g.windowVolume()];
        int j = 0;
        for (long kd = 0; kd < k[0]; kd++) {
            for (long kh = 0; kh < k[1]; kh++) {
                for (long kw = 0; kw < k[2]; kw++) out[j++] = (kd * in[1] + kh) * in[2] + kw;
            }
        }
        return out;
    }

    /** Opens loops over the window of output (od, oh, ow) that define {@code i}, the plane index of each input element inside. */
    static void scan(C out, PoolGeom g, String od, String oh, String ow) {
        long[] in = g.in(), k = g.size(), s = g.stride(), p = g.padding();
        String[] o = {od, oh, ow}, v = {"id", "ih", "iw"}, kv = {"kd", "kh", "kw"};
        for (int d = 0; d < 3; d++) {
            out.line("for (int %s = 0; %s < %d; %s++) {", kv[d], kv[d], k[d], kv[d]);
            out.line("const int %s = %s * %d - %d + %s;", v[d], o[d], s[d], p[d], kv[d]);
            // Without padding every window lies inside the input (out = floor((in - k) / s) + 1), so
            // the bounds test is left out.
            if (p[d] > 0) out.line("if (%s < 0 || %s >= %d) continue;", v[d], v[d], in[d]);
        }
        out.line("const int i = (id * %d + ih) * %d + iw;", in[1], in[2]);
    }

    static void closeScan(C out) {
        for (int d = 0; d < 3; d++) out.line("}");
    }
}
