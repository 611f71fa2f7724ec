package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * A training loss over a batch: the per-example loss into {@code losses} [N] and the gradient of
 * L = (1/N)·Σ losses into {@code grad} [N, width], both overwritten. One work-item per example.
 *
 * <p>{@code out} [N, width] is the model's output and {@code target} its target, [N, width]; with
 * {@code labels}, target is [N] class indices stored as floats, read as the one-hot row of the
 * index (for HINGE the row is −1 except a 1 at the index). With width 1 a label is the target
 * value itself, since [N] and [N, 1] are the same tensor. A label outside [0, width) (or NaN)
 * cannot be read as a row: that example's loss is NaN, so the mean shows it, and its gradient is
 * zero, so training goes on with the rest of the batch. Per example, with o = out, t = target:
 * <ul>
 * <li>MSE: mean over width of (o − t)²; MAE: mean |o − t|, subgradient 0 where o = t (NaN where
 *     o − t is NaN, as Java's signum and PyTorch's sgn give; OpenCL's sign would give 0).
 * <li>CROSS_ENTROPY: {@code out} holds softmax probabilities p; loss −Σ t·log(max(p, 1e-7)).
 *     The gradient is with respect to the softmax's input (the fused, stable form): p·Σt − t,
 *     which is p − t for one-hot and probability targets. The clamp only keeps the reported loss
 *     finite; the gradient ignores it.
 * <li>BINARY_CROSS_ENTROPY: −mean(t·log o + (1 − t)·log(1 − o)) with o clamped to [1e-7, 1 − 1e-7];
 *     the gradient (o − t)/(o(1 − o)) uses the clamped o, so a saturated output still learns.
 * <li>HINGE: mean max(0, 1 − t·o) with targets −1 and 1; subgradient 0 at the kink.
 * <li>PERCEPTRON: grad (o − t)/N, not divided by the width (the perceptron rule w += lr·(t − y)·x
 *     as a gradient through a step whose derivative is taken as 1); loss mean |o − t|.
 * </ul>
 * The other gradients are divided by width·N, as the mean over both. A {@code weight} (one output's
 * share of a total Σ weight·loss) multiplies both each example's loss and its gradient.
 *
 * <p>An output that is NaN makes its example's loss NaN, as in PyTorch, so that a diverging run
 * shows in the loss: the clamps and max(0, ·) keep NaN (Java's Math.max and min do; OpenCL's fmax
 * and fmin would drop it, so the OpenCL compares instead).
 */
public record Loss(String name, LossKind kind, long width, boolean labels, float weight) implements Kernel {

    /** The clamps that keep logarithms finite, as floats so that both backends use the same bits. */
    static final float LOW = 1e-7f, HIGH = (float) (1 - 1e-7);

    public Loss {
        if (width < 1) throw new IllegalArgumentException("loss width must be at least 1, not " + width);
    }

    /** The loss at weight 1: a model's only loss. */
    public Loss(String name, LossKind kind, long width, boolean labels) { this(name, kind, width, labels, 1f); }

    public List<String> args() { return List.of("out", "target", "grad", "losses"); }

    /** Whether the target row is built from a class index rather than read. */
    private boolean oneHot() { return labels && width > 1; }

    public void reference(int batch, int step, float[][] bufs) {
        float[] losses = bufs[3];
        ParallelFor.range(batch, 2 * width, n -> losses[n] = example(n, batch, bufs[0], bufs[1], bufs[2]));
    }

    /** Example n's gradient into {@code grad}; returns its loss. */
    float example(int n, int batch, float[] out, float[] target, float[] grad) {
        int w = Math.toIntExact(width), row = n * w;
        int label = -1;
        if (oneHot()) {
            float t = target[n];
            if (!(t >= 0 && t < width)) {
                for (int j = 0; j < w; j++) grad[row + j] = 0;
                return Float.NaN;
            }
            label = (int) t;
        }
        float loss = 0;
        if (kind == LossKind.CROSS_ENTROPY) {
            float tsum = 0;
            for (int j = 0; j < w; j++) {
                float t = target(target, n, row, j, label);
                tsum += t;
                loss -= t * (float) Math.log(Math.max(out[row + j], LOW));
            }
            float scale = weight / batch;
            for (int j = 0; j < w; j++) grad[row + j] = (out[row + j] * tsum - target(target, n, row, j, label)) * scale;
            return loss * weight;
        }
        float scale = weight / (kind == LossKind.PERCEPTRON ? batch : w * batch);
        for (int j = 0; j < w; j++) {
            float o = out[row + j], t = target(target, n, row, j, label);
            switch (kind) {
                case MSE -> { loss += (o - t) * (o - t); grad[row + j] = 2 * (o - t) * scale; }
                case MAE -> { loss += Math.abs(o - t); grad[row + j] = Math.signum(o - t) * scale; }
                case PERCEPTRON -> { loss += Math.abs(o - t); grad[row + j] = (o - t) * scale; }
                case HINGE -> {
                    float margin = 1 - t * o;
                    loss += Math.max(margin, 0);
                    grad[row + j] = margin > 0 ? -t * scale : 0;
                }
                case BINARY_CROSS_ENTROPY -> {
                    float c = Math.min(Math.max(o, LOW), HIGH);
                    loss -= t * (float) Math.log(c) + (1 - t) * (float) Math.log(1 - c);
                    grad[row + j] = (c - t) / (c * (1 - c)) * scale;
                }
                default -> throw new AssertionError(kind);
            }
        }
        return loss / w * weight;
    }

    private float target(float[] target, int n, int row, int j, int label) {
        if (!labels) return target[row + j];
        if (!oneHot()) return target[n];
        return j == label ? 1 : kind == LossKind.HINGE ? -1 : 0;
    }

    public void opencl(C out) {
        example(out, name + "_example");
        out.kernel(name, "const out", "const target", "grad", "losses");
        out.line("const int n = get_global_id(0);");
        out.line("if (n < batch) losses[n] = %s_example(out, target, grad, n, batch);", name);
        out.line("}");
    }

    /**
     * Emits {@code float function(out, target, grad, n, batch)}: example n's gradient into grad, its
     * loss returned (the OpenCL of {@link #example}); shared with {@link LossTotals}.
     */
    void example(C out, String function) {
        out.line("float %s(__global const float* out, __global const float* target, __global float* grad, const int n, const int batch) {", function);
        out.line("const int row = n * %d;", width);
        if (oneHot()) {
            out.line("const float label = target[n];");
            out.line("if (!(label >= 0.0f && label < %s)) {", C.f(width));
            out.line("for (int j = 0; j < %d; j++) grad[row + j] = 0.0f;", width);
            out.line("return NAN;");
            out.line("}");
            out.line("const int k = (int) label;");
        }
        out.line("float loss = 0.0f;");
        if (kind == LossKind.CROSS_ENTROPY) crossEntropy(out);
        else elementwise(out);
        out.line("}");
        out.line("");
    }

    /** The target's element j as a C expression. */
    private String targetC() {
        if (!labels) return "target[row + j]";
        if (!oneHot()) return "target[n]";
        return kind == LossKind.HINGE ? "(j == k ? 1.0f : -1.0f)" : "(j == k ? 1.0f : 0.0f)";
    }

    private void crossEntropy(C out) {
        out.line("float tsum = 0.0f;");
        out.line("for (int j = 0; j < %d; j++) {", width);
        out.line("const float t = %s;", targetC());
        out.line("tsum += t;");
        out.line("const float p = out[row + j];");
        out.line("loss -= t * log(p < %s ? %s : p);", C.f(LOW), C.f(LOW));
        out.line("}");
        out.line("const float scale = %s / (float) batch;", C.f(weight));
        out.line("for (int j = 0; j < %d; j++) grad[row + j] = (out[row + j] * tsum - %s) * scale;", width, targetC());
        out.line(weight == 1 ? "return loss;" : "return loss * " + C.f(weight) + ";");
    }

    private void elementwise(C out) {
        out.line(kind == LossKind.PERCEPTRON ? "const float scale = " + C.f(weight) + " / (float) batch;"
                : "const float scale = " + C.f(weight) + " / (float) (" + width + " * batch);");
        out.line("for (int j = 0; j < %d; j++) {", width);
        out.line("const float o = out[row + j], t = %s;", targetC());
        switch (kind) {
            case MSE -> out.line("loss += (o - t) * (o - t);").line("grad[row + j] = 2.0f * (o - t) * scale;");
            case MAE -> out.line("loss += fabs(o - t);").line("grad[row + j] = (isnan(o - t) ? o - t : sign(o - t)) * scale;");
            case PERCEPTRON -> out.line("loss += fabs(o - t);").line("grad[row + j] = (o - t) * scale;");
            case HINGE -> out.line("const float margin = 1.0f - t * o;")
                    .line("loss += margin < 0.0f ? 0.0f : margin;")
                    .line("grad[row + j] = margin > 0.0f ? -t * scale : 0.0f;");
            case BINARY_CROSS_ENTROPY -> out.line("const float c = o < %s ? %s : o > %s ? %s : o;", C.f(LOW), C.f(LOW), C.f(HIGH), C.f(HIGH))
                    .line("loss -= t * log(c) + (1.0f - t) * log(1.0f - c);")
                    .line("grad[row + j] = (c - t) / (c * (1.0f - c)) * scale;");
            default -> throw new AssertionError(kind);
        }
        out.line("}");
        out.line(weight == 1 ? "return loss / %s;" : "return loss / %s * " + C.f(weight) + ";", C.f(width));
    }

    public long[] global(int batch) { return new long[] {batch}; }

    public long[] local() { return WorkGroups.items(); }
}
