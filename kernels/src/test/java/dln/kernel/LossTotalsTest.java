package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.Backend;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fused loss is the three launches it replaces: the gradient as {@link Loss} writes it, and the
 * totals as a sum of Loss's per-example losses (in double, in order) and {@link Correct}'s count,
 * added to what the accumulators held; on OpenCL within float rounding of the sum, over batches
 * that leave work-items idle (1, 37) and that loop (300, more than the work-group).
 */
class LossTotalsTest {
    @Test void theSameAsTheLossTheSumAndTheCount() {
        Random r = new Random(12);
        OpenClTable table = new OpenClTable();
        int k = 0;
        for (LossKind kind : LossKind.values()) {
            for (long w : new long[] {1, 10}) {
                for (boolean labels : new boolean[] {false, true}) {
                    if (kind == LossKind.CROSS_ENTROPY && !labels && w == 1) continue;
                    for (int batch : new int[] {1, 37, 300}) {
                        String name = "t_loss_totals_" + k++;
                        LossTotals fused = new LossTotals(name, new Loss(name + "_each", kind, w, labels), new Correct(name + "_right", w, labels));
                        float[] out = outputs(r, kind, batch * (int) w);
                        float[] target = labels ? labels(r, batch, w) : outputs(r, kind, batch * (int) w);
                        float[][] got = {out, target, new float[batch * (int) w], {0.25f, 5}, {3}};
                        table.add(fused, batch, 0, 1e-5, copies(got));
                        fused.reference(batch, 0, got);

                        float[] grad = new float[batch * (int) w], losses = new float[batch], right = {3};
                        new Loss("each", kind, w, labels).reference(batch, 0, new float[][] {out, target, grad, losses});
                        new Correct("right", w, labels).reference(batch, 0, new float[][] {out, target, right});
                        double sum = 0;
                        for (float l : losses) sum += l;
                        String what = "%s, width %d, labels %s, batch %d".formatted(kind, w, labels, batch);
                        assertThat(got[2]).as(what).containsExactly(grad);
                        assertThat(got[3][0]).as(what).isEqualTo(0.25f + (float) sum);
                        assertThat(got[3][1]).as(what + ": finite batches").isEqualTo(6);
                        assertThat(got[4][0]).as(what).isEqualTo(right[0]);
                    }
                }
            }
        }
        table.assertSame();
    }

    // Batches of losses 1, 4, NaN, 9, then 1, ∞ (1e40 overflows), 1: the count of finite batches
    // stops at the first bad one, on both backends, so the host can name that step.
    @Test void theFiniteBatchCountStopsAtTheFirstLossThatIsNotFinite() {
        for (Backend backend : Arrays.asList(Backends.jvm(), Backends.opencl())) {
            if (backend == null) continue;
            float[] nan = totalsAfter(backend, 1, 2, Float.NaN, 3), overflow = totalsAfter(backend, 1, 1e20f, 1);
            assertThat(nan[0]).as("%s: the sum", backend).isNaN();
            assertThat(nan[1]).as("%s: batches before the NaN", backend).isEqualTo(2);
            assertThat(overflow[0]).as("%s: the sum", backend).isInfinite();
            assertThat(overflow[1]).as("%s: batches before the overflow", backend).isEqualTo(1);
        }
    }

    /** The totals after batches of one example each, an MSE output {@code outs[i]} against target 0. */
    private static float[] totalsAfter(Backend backend, float... outs) {
        LossTotals k = new LossTotals("t_loss_totals_finite", new Loss("t_loss_totals_finite_each", LossKind.MSE, 1, false),
                new Correct("t_loss_totals_finite_right", 1, false));
        float[] totals = {0, 0};
        for (float out : outs) totals = KernelCheck.run(backend, k, 1, 0, new float[] {out}, new float[1], new float[1], totals, new float[1])[3];
        return totals;
    }

    @Test void theLossAndTheCountMustReadTheSameOutput() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new LossTotals("t", new Loss("l", LossKind.MSE, 3, false), new Correct("c", 4, false)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static float[] outputs(Random r, LossKind kind, int n) {
        float[] o = new float[n];
        for (int i = 0; i < n; i++) o[i] = kind == LossKind.BINARY_CROSS_ENTROPY || kind == LossKind.CROSS_ENTROPY ? r.nextFloat() : (float) r.nextGaussian();
        return o;
    }

    private static float[] labels(Random r, int batch, long w) {
        float[] t = new float[batch];
        for (int i = 0; i < batch; i++) t[i] = w == 1 ? r.nextInt(2) : r.nextInt((int) w);
        return t;
    }

    private static float[][] copies(float[][] bufs) {
        float[][] out = new float[bufs.length][];
        for (int i = 0; i < bufs.length; i++) out[i] = bufs[i].clone();
        return out;
    }

    // A cross-entropy's output softmax folded in: the probabilities written as Softmax writes them,
    // then the loss of those, the same as the softmax launch followed by the loss.
    @Test void withTheSoftmaxFoldedIn() {
        Random r = new Random(13);
        OpenClTable table = new OpenClTable();
        for (int batch : new int[] {1, 37, 300}) {
            int w = 10;
            String name = "t_loss_totals_softmax_" + batch;
            LossTotals fused = new LossTotals(name, true, new Loss(name + "_each", LossKind.CROSS_ENTROPY, w, true), new Correct(name + "_right", w, true));
            float[] logits = KernelCheck.random(r, batch * w, 3), target = labels(r, batch, w);
            float[][] got = {logits, new float[batch * w], target, new float[batch * w], {0, 0}, {0}};
            table.add(fused, batch, 0, 1e-5, copies(got));
            fused.reference(batch, 0, got);
            float[] probs = new float[batch * w];
            new Softmax("sm", Dim.batch(1), w).reference(batch, 0, new float[][] {logits, probs});
            float[][] want = {probs, target, new float[batch * w], {0, 0}, {0}};
            new LossTotals("plain", new Loss("l", LossKind.CROSS_ENTROPY, w, true), new Correct("c", w, true)).reference(batch, 0, want);
            assertThat(got[1]).as("probabilities, batch %d", batch).containsExactly(probs);
            assertThat(got[3]).as("gradient").containsExactly(want[2]);
            assertThat(got[4][0]).isEqualTo(want[3][0]);
            assertThat(got[5][0]).isEqualTo(want[4][0]);
        }
        table.assertSame();
    }
}
