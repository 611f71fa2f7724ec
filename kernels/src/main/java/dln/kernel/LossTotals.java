package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;

/**
 * A training step's loss in one launch: with {@code softmax}, each example's softmax of the logits
 * into {@code out} first (a cross-entropy's output layer, whose own launch training then skips);
 * each example's gradient into {@code grad} as {@link Loss} computes it, and the batch's total loss and count of right answers ({@link Correct}) added to
 * the accumulators {@code loss} and {@code correct}. Three launches had done this (the loss, a sum,
 * a count), the last two a single work-group each, which is slow to start on a CPU device.
 *
 * <p>{@code loss} holds two totals: the sum of the losses, and the number of batches after which
 * that sum was still finite. Once a batch's loss is NaN or infinite the sum stays so and the count
 * stops, so the count names the first bad batch since the totals were last reset, and the host
 * learns where a run diverged from the totals it reads anyway (no wait per step). Counts are exact
 * up to 2^24 batches between resets.
 *
 * <p>OpenCL runs one work-group: work-item i takes examples i, i + 256 (the group's size), ..., and a {@link WorkGroups}
 * tree adds the partial totals, so the result is the same on every run. The reference adds the
 * losses in double, in order.
 */
public record LossTotals(String name, boolean softmax, Loss loss, Correct correct) implements Kernel {

    public LossTotals {
        if (loss.width() != correct.width() || loss.labels() != correct.labels()) {
            throw new IllegalArgumentException("the loss and the count of right answers must read the same output and targets");
        }
    }

    /** The loss of the output {@code out} as it is. */
    public LossTotals(String name, Loss loss, Correct correct) { this(name, false, loss, correct); }

    public List<String> args() {
        return softmax ? List.of("logits", "out", "target", "grad", "loss", "correct") : List.of("out", "target", "grad", "loss", "correct");
    }

    public void reference(int batch, int step, float[][] bufs) {
        int at = softmax ? 1 : 0, w = Math.toIntExact(loss.width());
        float[] out = bufs[at], target = bufs[at + 1], grad = bufs[at + 2];
        float[] losses = new float[batch];
        ParallelFor.range(batch, 2 * loss.width(), n -> {
            if (softmax) Softmax.row(bufs[0], out, n * w, w);
            losses[n] = loss.example(n, batch, out, target, grad);
        });
        double sum = 0;
        int right = 0;
        for (int n = 0; n < batch; n++) {
            sum += losses[n];
            if (correct.right(out, target, n)) right++;
        }
        add(bufs[at + 3], (float) sum);
        bufs[at + 4][0] += right;
    }

    /** Adds a batch's loss to the totals [Σ loss, finite batches] (see the class comment). */
    private static void add(float[] totals, float batchLoss) {
        float sum = totals[0] + batchLoss;
        if (Float.isFinite(sum)) totals[1] += 1;
        totals[0] = sum;
    }

    public void opencl(C out) {
        if (softmax) Softmax.row(out, name + "_softmax", loss.width());
        loss.example(out, name + "_example");
        correct.right(out, name + "_right");
        out.line("// %sthe gradient of each example, and the batch's loss and right answers added to the totals; one work-group.",
                softmax ? "the softmax of each example's logits, " : "");
        if (softmax) out.kernel(name, "const logits", "out", "const target", "grad", "loss", "correct");
        else out.kernel(name, "const out", "const target", "grad", "loss", "correct");
        WorkGroups.declare(out, "total", "rights");
        out.line("const int lid = get_local_id(0);");
        out.line("float part = 0.0f, right = 0.0f;");
        out.line("for (int n = lid; n < batch; n += %s) {", WorkGroups.SIZE);
        if (softmax) out.line("%s_softmax(logits, out, n * %d);", name, loss.width());
        out.line("part += %s_example(out, target, grad, n, batch);", name);
        out.line("right += %s_right(out, target, n);", name);
        out.line("}");
        WorkGroups.sum(out, List.of("total", "rights"), List.of("part", "right"));
        out.line("if (lid == 0) {");
        out.line("const float sum = loss[0] + total;");
        out.line("if (isfinite(sum)) loss[1] += 1.0f;");
        out.line("loss[0] = sum;");
        out.line("correct[0] += rights;");
        out.line("}");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {batch == 0 ? 0 : WorkGroups.REDUCE}; }

    public long[] local() { return WorkGroups.reduce(); }
}
