package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * acc[0] += the number of examples in the batch that the model classifies right (for accuracy).
 * {@code out} is [N, width]; {@code target} is [N, width], or [N] class indices stored as floats
 * with {@code labels}. The rule:
 * <ul>
 * <li>width above 1: the prediction is the index of the row's first maximum; the truth is the
 *     label (a label outside [0, width) or NaN matches nothing) or the target row's first maximum.
 * <li>width 1 (one output, a binary classifier): right when {@code out ≥ 0.5} and {@code target ≥ 0.5}
 *     agree. This is the decision of a sigmoid or step output against 0/1 targets. Targets of −1/1
 *     (hinge) are judged by the same threshold, so an output in [0, 0.5) counts as the −1 class;
 *     a trained margin classifier keeps its outputs beyond ±1, where the two thresholds agree.
 * </ul>
 * Counts are whole numbers below 2^24, exact in float, so the OpenCL sum (one work-group, a
 * {@link WorkGroups} tree) equals the reference's exactly.
 */
public record Correct(String name, long width, boolean labels) implements Kernel {

    public Correct {
        if (width < 1) throw new IllegalArgumentException("accuracy width must be at least 1, not " + width);
    }

    public List<String> args() { return List.of("out", "target", "acc"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] out = bufs[0], target = bufs[1], acc = bufs[2];
        int right = 0;
        for (int n = 0; n < batch; n++) if (right(out, target, n)) right++;
        acc[0] += right;
    }

    /** Whether example n is classified right. */
    boolean right(float[] out, float[] target, int n) {
        int w = Math.toIntExact(width);
        if (w == 1) return (out[n] >= 0.5f) == (target[n] >= 0.5f);
        int truth;
        if (labels) truth = target[n] >= 0 && target[n] < width ? (int) target[n] : -1;
        else truth = argmax(target, n * w, w);
        return argmax(out, n * w, w) == truth;
    }

    /** The first index of the maximum; NaNs never win (unless the first element is one). */
    private static int argmax(float[] a, int at, int w) {
        int best = 0;
        for (int j = 1; j < w; j++) if (a[at + j] > a[at + best]) best = j;
        return best;
    }

    public void opencl(C out) {
        right(out, name + "_right");
        out.kernel(name, "const out", "const target", "acc");
        WorkGroups.declare(out, "total");
        out.line("const int lid = get_local_id(0);");
        out.line("float right = 0.0f;");
        out.line("for (int n = lid; n < batch; n += %s) right += %s_right(out, target, n);", WorkGroups.SIZE, name);
        WorkGroups.sum(out, "total", "right");
        out.line("if (lid == 0) acc[0] += total;");
        out.line("}");
    }

    /** Emits {@code float function(out, target, n)}: 1 when example n is classified right, else 0 (the OpenCL of {@link #right}); shared with {@link LossTotals}. */
    void right(C out, String function) {
        if (width > 1) {
            out.line("int %s_argmax(__global const float* a, const int at) {", function);
            out.line("int best = 0;");
            out.line("for (int j = 1; j < %d; j++) if (a[at + j] > a[at + best]) best = j;", width);
            out.line("return best;");
            out.line("}");
            out.line("");
        }
        out.line("float %s(__global const float* out, __global const float* target, const int n) {", function);
        if (width == 1) {
            out.line("return (out[n] >= 0.5f) == (target[n] >= 0.5f) ? 1.0f : 0.0f;");
        } else {
            if (labels) {
                out.line("const float label = target[n];");
                out.line("const int truth = label >= 0.0f && label < %s ? (int) label : -1;", C.f(width));
            } else {
                out.line("const int truth = %s_argmax(target, n * %d);", function, width);
            }
            out.line("return %s_argmax(out, n * %d) == truth ? 1.0f : 0.0f;", function, width);
        }
        out.line("}");
        out.line("");
    }

    public long[] global(int batch) { return new long[] {batch == 0 ? 0 : WorkGroups.REDUCE}; }

    public long[] local() { return WorkGroups.reduce(); }
}
