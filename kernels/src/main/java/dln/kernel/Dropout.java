package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * Inverted dropout: y = x/(1 − rate) where the element is kept, 0 where it is dropped. Whether
 * element i is kept at step t is a pure function of (seed, t, i): a counter-based generator made
 * of the "lowbias32" integer hash (Wellons), u = hash(hash(key ^ t) + i) / 2^32 with key = hash(hi ^
 * hash(lo)) of the seed's two halves, kept when u ≥ rate. Integer operations and a power-of-two
 * scale make the mask identical bit for bit on the JVM and in OpenCL, and the same kernel applied
 * to dy at the same step gives dx: the mask is recomputed, never stored. The compiler gives each
 * dropout layer its own seed; the step is the launch's {@code step} argument.
 */
public record Dropout(String name, Dim size, float rate, long seed) implements Kernel {

    public Dropout {
        if (!(rate >= 0 && rate <= 1)) throw new IllegalArgumentException("dropout rate must be in [0, 1], not " + rate);
    }

    public List<String> args() { return List.of("x", "y"); }

    /** What a kept element is multiplied by; with rate 1 nothing is kept and the scale is never used. */
    private float scale() { return rate < 1 ? 1f / (1f - rate) : 0f; }

    private int key() { return hash((int) (seed >>> 32) ^ hash((int) seed)); }

    /**
     * y[i] = x[i]·scale where kept, +0 where dropped, as the OpenCL select gives it (NaN and −0
     * included), a block at a time in loops the JIT vectorizes ({@link Bits}).
     */
    public void reference(int batch, int step, float[][] bufs) {
        float[] x = bufs[0], y = bufs[1];
        int stream = hash(key() ^ step), keepFrom = keepFrom();
        float scale = scale();
        ParallelFor.chunks(size.at(batch), 8, (from, to) -> apply(x, y, stream, keepFrom, scale, from, to));
    }

    /**
     * The smallest top 24 bits of a kept element's hash: u·2⁻²⁴ ≥ rate exactly when u ≥ ⌈rate·2²⁴⌉
     * (both sides scaled by a power of two, so exactly); 2²⁴, which no u reaches, for rate 1.
     */
    int keepFrom() { return (int) Math.ceil(rate * 0x1p24); }

    /** y[i] for i in [from, to) (y may be x): x·scale where hash(stream + i)'s top 24 bits reach keepFrom, else +0. */
    private static void apply(float[] x, float[] y, int stream, int keepFrom, float scale, int from, int to) {
        Bits b = Bits.local();
        for (int start = from; start < to; start += Bits.BLOCK) {
            int n = Math.min(Bits.BLOCK, to - start), base = stream + start;
            for (int j = 0; j < n; j++) b.mask[j] = ~(((hash(base + Bits.INDEX[j]) >>> 8) - keepFrom) >> 31);
            System.arraycopy(x, start, b.floats, 0, n);
            for (int j = 0; j < n; j++) b.floats[j] *= scale;
            b.toInts(b.floats, 0, n);
            for (int j = 0; j < n; j++) b.ints[j] &= b.mask[j];
            b.toFloats(y, start, n);
        }
    }

    /** Chris Wellons' lowbias32, a bijective 32-bit mixer; unsigned arithmetic as C's uint. */
    static int hash(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }

    public void opencl(C out) {
        hashFunction(out, name + "_hash");
        out.line("");
        out.kernel(name, "const x", "y");
        out.line("const int i = get_global_id(0);");
        out.line("if (i >= %s) return;", size.c());
        out.line("const uint stream = %s;", streamExpression(name + "_hash"));
        out.line("y[i] = %s;", keptExpression(name + "_hash", "stream", "i", "x[i]"));
        out.line("}");
    }

    /** The OpenCL function {@code fn}: lowbias32 on uint. */
    void hashFunction(C out, String fn) { hashFunction(out, fn, 1); }

    /** The OpenCL function {@code fn}: lowbias32 on uint, or on each lane of a uint{@code width}. */
    void hashFunction(C out, String fn, int width) {
        String type = width == 1 ? "uint" : "uint" + width;
        out.line("%s %s(%s x) {", type, fn, type);
        out.line("x ^= x >> 16;");
        out.line("x *= 0x7feb352du;");
        out.line("x ^= x >> 15;");
        out.line("x *= 0x846ca68bu;");
        out.line("x ^= x >> 16;");
        out.line("return x;");
        out.line("}");
    }

    /** The C expression of this step's stream (a kernel's {@code step} argument), hashed by {@code fn}. */
    String streamExpression(String fn) {
        return "%s(0x%08xu ^ (uint) step)".formatted(fn, key());
    }

    /**
     * A statement that applies the mask in place to {@code v}, a float{@code width} of consecutive
     * elements from flat index {@code index}: the lanes of {@link #keptExpression}, by select().
     */
    String keptStatement(String fn, String stream, String index, String v, int width) {
        if (width == 1) return "%s = %s;".formatted(v, keptExpression(fn, stream, index, v));
        String lanes = java.util.stream.IntStream.range(0, width).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(", "));
        return "{ const uint%d h = %s(%s + (uint%d) (uint) (%s) + (uint%d) (%s)); %s = select((float%d) 0.0f, %s * %s, convert_float%d(h >> 8) * 0x1p-24f >= %s); }"
                .formatted(width, fn, stream, width, index, width, lanes, v, width, v, C.f(scale()), width, C.f(rate));
    }

    /** The C expression of element {@code index} of the output whose input is {@code value}: scaled where kept, 0 where dropped. */
    String keptExpression(String fn, String stream, String index, String value) {
        return "(float) (%s(%s + (uint) (%s)) >> 8) * 0x1p-24f >= %s ? (%s) * %s : 0.0f".formatted(fn, stream, index, C.f(rate), value, C.f(scale()));
    }

    public long[] global(int batch) { return new long[] {size.at(batch)}; }

    public long[] local() { return WorkGroups.items(); }
}
