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
            y[at + j] = (float) Math.exp(x[at + j] - max);
            sum += y[at + j];
        }
        float inv = 1f / sum;
        for (int j = 0; j < w; j++) y[at + j] *= inv;
    }

    public void opencl(C out) {
        row(out, name + "_row", width);
        out.kernel(name, "const x", "y");
        out.line("const int r = get_global_id(0);");
        out.line("if (r < %s) %s_row(x, y, r * %d);", rows.c(), name, width);
        out.line("}");
    }

    /** Emits {@code void function(x, y, at)}: one row of {@code width} (the OpenCL of {@link #row}); shared with {@link LossTotals}. */
    static void row(C out, String function, long width) {
        out.line("void %s(__global const float* x, __global float* y, const int at) {", function);
        out.line("float max = x[at];");
        out.line("for (int j = 1; j < %d; j++) max = fmax(max, x[at + j]);", width);
        out.line("float sum = 0.0f;");
        out.line("for (int j = 0; j < %d; j++) {", width);
        out.line("y[at + j] = exp(x[at + j] - max);");
        out.line("sum += y[at + j];");
        out.line("}");
        out.line("const float inv = 1.0f / sum;");
        out.line("for (int j = 0; j < %d; j++) y[at + j] *= inv;", width);
        out.line("}");
        out.line("");
    }

    public long[] global(int batch) { return new long[] {rows.at(batch)}; }

    public long[] local() { return WorkGroups.items(); }
}
