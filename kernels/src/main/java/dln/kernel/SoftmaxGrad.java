package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * The softmax's backward pass from its output: dx = y·(dy − Σ dy·y) per row of {@code width}.
 * One work-item per row; dx is overwritten.
 */
public record SoftmaxGrad(String name, Dim rows, long width) implements Kernel {

    public SoftmaxGrad {
        if (width < 1) throw new IllegalArgumentException("softmax width must be at least 1, not " + width);
    }

    public List<String> args() { return List.of("y", "dy", "dx"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] y = bufs[0], dy = bufs[1], dx = bufs[2];
        int w = Math.toIntExact(width);
        ParallelFor.range(rows.at(batch), 2L * w, r -> {
            int at = r * w;
            float dot = 0;
            for (int j = 0; j < w; j++) dot += dy[at + j] * y[at + j];
            for (int j = 0; j < w; j++) dx[at + j] = y[at + j] * (dy[at + j] - dot);
        });
    }

    public void opencl(C out) {
        out.kernel(name, "const y", "const dy", "dx");
        out.line("const int r = get_global_id(0);");
        out.line("if (r >= %s) return;", rows.c());
        out.line("const int at = r * %d;", width);
        out.line("float dot = 0.0f;");
        out.line("for (int j = 0; j < %d; j++) dot += dy[at + j] * y[at + j];", width);
        out.line("for (int j = 0; j < %d; j++) dx[at + j] = y[at + j] * (dy[at + j] - dot);", width);
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {rows.at(batch)}; }

    public long[] local() { return WorkGroups.items(); }
}
