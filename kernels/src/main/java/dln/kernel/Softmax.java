package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * y = softmax(x) over the last axis of {@code rows} rows of {@code width}: the row's maximum is
 * subtracted before exponentiating, so no exponent overflows. One work-item per row.
 */
public record Softmax(String name, Dim rows, long width) implements Kernel {

    public Softmax {
        if (width < 1) throw new IllegalArgumentException("softmax width must be at least 1, not " + width);
    }

    public List<String> args() { return List.of("x", "y"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], y = bufs[1];
        int w = Math.toIntExact(width);
        ParallelFor.range(rows.at(batch), 3L * w, r -> row(x, y, r * w, w));
    }

    /** y[at, at + w) = softmax(x[at, at + w)). */
    static void row(float[] x, float[] y, int at, int w) {
        float max = x[at];
        for (int j = 1; j < w; j++) max = Math.max(max, x[at + j]);
        float sum = 0;
        for (int j = 0; j < w; j++) {
            y[at + j] = exp(x[at + j] - max);
            sum += y[at + j];
        }
        float inv = 1f / sum;
        for (int j = 0; j < w; j++) y[at + j] *= inv;
    }

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;

    /**
     * eˣ in float arithmetic, within 1 ulp of the correctly rounded result over the normal range
     * (SoftmaxTest sweeps it against {@link Math#exp}), as OpenCL's exp and PyTorch's vectorized
     * expf are: x = n·ln 2 + r with |r| ≤ ln2/2 (ln 2 in two parts, so r is exact), eʳ by Cephes'
     * expf polynomial, times 2ⁿ made from its exponent bits in two factors (so results under
     * 2⁻¹²⁶ come out subnormal, not 0). About a quarter of {@code (float) Math.exp(x)}'s time on
     * JDK 17 (15 ns there): the exponentials were two thirds of the fashion MLP's last layer in a
     * prediction batch on the JVM. NaN stays NaN; -∞ gives 0 and +∞ gives +∞.
     */
    static float exp(float x) {
        float v = Math.max(Math.min(x, 89f), -104f);
        float n = (float) Math.floor(v * LOG2E + 0.5f);
        float r = v - n * LN2_HI - n * LN2_LO;
        float p = 1.9875691500e-4f;
        p = p * r + 1.3981999507e-3f;
        p = p * r + 8.3334519073e-3f;
        p = p * r + 4.1665795894e-2f;
        p = p * r + 1.6666665459e-1f;
        p = p * r + 5.0000001201e-1f;
        p = p * r * r + r + 1f;
        int e = (int) n, half = e >> 1;
        return p * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((e - half + 127) << 23);
    }

    public void opencl(C out) {
        row(out, name + "_row", width);
        out.kernel(name, "const x", "y");
        out.line("const int r = get_global_id(0);");
        out.line("if (r < %s) %s_row(x, y, r * %d);", rows.c(), name, width);
        out.line("}");
    }

    /**
     * Emits {@code void function(x, y, at)}: one row of {@code width} (the OpenCL of {@link #row}),
     * sixteen lanes at a time: the maximum, the exponentials and their sum as float16 vectors (a
     * row's exponentials are most of a softmax's time, and PoCL's vector exp is many times faster
     * than as many scalar calls), the lanes past the row's end filled with -∞, whose exponential
     * adds 0. The sum runs in another order than the reference's, so the two agree within rounding.
     * Shared with {@link LossTotals} and {@link Gemm}'s softmax epilogue.
     */
    static void row(C out, String function, long width) {
        int w = Math.toIntExact(width), full = w / 16 * 16, tail = w - full;
        out.line("void %s(__global const float* x, __global float* y, const int at) {", function);
        out.line("float16 m = (float16)(-INFINITY);");
        if (full > 0) out.line("for (int j = 0; j < %d; j += 16) m = fmax(m, vload16(0, x + at + j));", full);
        if (tail > 0) out.line("m = fmax(m, %s);", tailLoad("x + at + " + full, tail));
        out.line("const float8 m8 = fmax(m.lo, m.hi); const float4 m4 = fmax(m8.lo, m8.hi); const float2 m2 = fmax(m4.lo, m4.hi);");
        out.line("const float max = fmax(m2.x, m2.y);");
        out.line("float16 s = 0.0f;");
        if (full > 0) {
            out.line("for (int j = 0; j < %d; j += 16) {", full);
            out.line("const float16 e = exp(vload16(0, x + at + j) - max);");
            out.line("vstore16(e, 0, y + at + j);");
            out.line("s += e;");
            out.line("}");
        }
        if (tail > 0) {
            out.line("{");
            out.line("const float16 e = exp(%s - max);", tailLoad("x + at + " + full, tail));
            out.line(Lanes.storeFirst(java.util.List.of("e"), 16, tail, "(y + at + " + full + ")"));
            out.line("s += e;");
            out.line("}");
        }
        out.line("const float8 s8 = s.lo + s.hi; const float4 s4 = s8.lo + s8.hi; const float2 s2 = s4.lo + s4.hi;");
        out.line("const float inv = 1.0f / (s2.x + s2.y);");
        out.line("for (int j = 0; j < %d; j++) y[at + j] *= inv;", w);
        out.line("}");
        out.line("");
    }

    /** A float16 of the {@code count} (below 16) floats at {@code p}, then -∞. */
    private static String tailLoad(String p, int count) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        int done = 0;
        for (int piece = 8; piece >= 1; piece /= 2) {
            if (count - done >= piece) {
                parts.add(piece == 1 ? "(%s)[%d]".formatted(p, done) : "vload%d(0, %s + %d)".formatted(piece, p, done));
                done += piece;
            }
        }
        for (; done < 16; done++) parts.add("-INFINITY");
        return "(float16)(" + String.join(", ", parts) + ")";
    }

    public long[] global(int batch) { return new long[] {rows.at(batch)}; }

    public long[] local() { return WorkGroups.items(); }
}
