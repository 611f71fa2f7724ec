package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * The gradient of a learned position embedding weight [maxLen, D] added to every example's
 * [T, D] (its first T rows): dweight[p] = Σ over the batch of dy[p] for the T·D values used, 0 for
 * the rows no sequence reaches (overwritten). One work-item per weight, summing in batch order.
 */
public record PositionalGrad(String name, long used, long size) implements Kernel {
    public PositionalGrad {
        if (used > size) throw new IllegalArgumentException("a position embedding of " + size + " values cannot cover " + used);
    }

    public List<String> args() { return List.of("dy", "dweight"); }

    public void reference(int batch, int step, float[][] b) {
        float[] dy = b[0], dw = b[1];
        int per = (int) used;
        ParallelFor.range((int) size, batch, e -> {
            float sum = 0;
            if (e < per) for (int n = 0; n < batch; n++) sum += dy[n * per + e];
            dw[e] = sum;
        });
    }

    public void opencl(C out) {
        out.line("// dweight [%d] = Σ over the batch of dy [N, %d], zero past the steps used.", size, used);
        out.kernel(name, "const dy", "dweight");
        out.line("const int e = get_global_id(0);");
        out.line("if (e >= %d) return;", size);
        out.line("float sum = 0.0f;");
        out.line("if (e < %d) for (int n = 0; n < batch; n++) sum += dy[n * %d + e];", used, used);
        out.line("dweight[e] = sum;");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {size}; }
}
