package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dln.runtime.kernel.Program;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UpdateTest {
    private static final float LR = 0.1f;

    @Test void adamTwoStepsByHand() {
        // PyTorch's documented Adam, w = 1, g = 0.5 then -0.25, lr 0.1, betas (0.9, 0.999), eps 1e-8:
        // t=1: m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25, w = 1 - 0.1·0.5/(0.5 + 1e-8) = 0.900000002
        // t=2: m = 0.045 - 0.025 = 0.02, v = 0.00024975 + 0.0000625 = 0.00031225,
        //      m^ = 0.02/0.19 = 0.1052632, v^ = 0.00031225/0.001999 = 0.1562031, w = 0.9 - 0.1·0.1052632/0.3952254 = 0.8733663
        Update adam = update("t_update_adam_hand", 1, OptimizerKind.ADAM, 0, false, 0, 0);
        float[][] step1 = run(adam, 1, new float[] {1}, 0.5f, new float[1], new float[1]);
        assertThat(step1[1][0]).isCloseTo(0.9f, within(1e-6f));
        assertThat(step1[3][0]).isCloseTo(0.05f, within(1e-7f));
        // β2 is the float 0.999f, so 1 - β2 is 0.00099998713 and v is 1.3e-5 low in relative terms
        assertThat(step1[4][0]).isCloseTo(0.00025f, within(1e-8f));
        float[][] step2 = run(adam, 2, step1[1], -0.25f, step1[3], step1[4]);
        assertThat(step2[1][0]).isCloseTo(0.8733663f, within(1e-6f));
    }

    @Test void adamwTwoStepsByHand() {
        // torch.optim.AdamW, as adamTwoStepsByHand with weight_decay 0.01: the weight shrinks by 1 - 0.1·0.01 before Adam's step,
        // and the moments are Adam's (the decay never enters them).
        // t=1: w = 0.999 - 0.1 = 0.899; t=2: w = 0.899·0.999 - 0.0266337 = 0.898101 - 0.0266337 = 0.8714673
        Update adamw = update("t_update_adamw_hand", 1, OptimizerKind.ADAMW, 0, false, 0, 0);
        float[][] step1 = run(adamw, 1, new float[] {1}, 0.5f, new float[1], new float[1]);
        assertThat(step1[1][0]).isCloseTo(0.899f, within(1e-6f));
        assertThat(step1[3][0]).isCloseTo(0.05f, within(1e-7f));
        float[][] step2 = run(adamw, 2, step1[1], -0.25f, step1[3], step1[4]);
        assertThat(step2[1][0]).isCloseTo(0.8714673f, within(1e-6f));
    }

    @Test void clippingByValueClampsTheRegularizedGradient() {
        // g = 0.5 + 0.2·w: w = 2 gives 0.9, clamped to 0.6, w = 2 - 0.1·0.6 = 1.94; w = -4 gives -0.3, kept, w = -3.97
        Update sgd = update("t_update_clip_value", 2, OptimizerKind.SGD, 0, false, 0, 0.2f).clipped(new Update.Clip(false, 0.6f));
        float[][] out = new OpenClTable().add(sgd, 1, 0, 1e-6, sgd.hyper(LR, 1), new float[] {2, -4}, new float[] {0.5f, 0.5f},
                new float[1], new float[1]).assertSame().get(0);
        assertThat(out[1][0]).isCloseTo(1.94f, within(1e-6f));
        assertThat(out[1][1]).isCloseTo(-3.97f, within(1e-6f));
    }

    @Test void clippingByNormScalesByTheNormInTheHyperBuffer() {
        // ‖g‖² = 25 in hyper[4] (GradNorm's): scale = 1/(5 + 1e-6); g = (3, 4) becomes (0.6, 0.8), w = 1 - 0.1·g.
        // A norm under the bound (max 10) leaves g as it is.
        Update small = update("t_update_clip_norm", 2, OptimizerKind.SGD, 0, false, 0, 0).clipped(new Update.Clip(true, 1f));
        float[] hyper = small.hyper(LR, 1);
        hyper[4] = 25;
        float[][] out = new OpenClTable().add(small, 1, 0, 1e-6, hyper, new float[] {1, 1}, new float[] {3, 4}, new float[1], new float[1]).assertSame().get(0);
        assertThat(out[1][0]).isCloseTo(0.94f, within(1e-6f));
        assertThat(out[1][1]).isCloseTo(0.92f, within(1e-6f));
        Update large = update("t_update_clip_norm_large", 2, OptimizerKind.SGD, 0, false, 0, 0).clipped(new Update.Clip(true, 10f));
        float[][] kept = new OpenClTable().add(large, 1, 0, 1e-6, hyper, new float[] {1, 1}, new float[] {3, 4}, new float[1], new float[1]).assertSame().get(0);
        assertThat(kept[1][0]).isCloseTo(0.7f, within(1e-6f));
    }

    @Test void sgdWithMomentumTwoStepsByHand() {
        // v = 0.9·v + g: 0.5 then 0.95; w = 1 - 0.1·0.5 = 0.95, then 0.95 - 0.1·0.95 = 0.855
        Update sgd = update("t_update_momentum_hand", 1, OptimizerKind.SGD, 0.9f, false, 0, 0);
        float[][] step1 = run(sgd, 1, new float[] {1}, 0.5f, new float[1], new float[1]);
        assertThat(step1[1][0]).isCloseTo(0.95f, within(1e-7f));
        float[][] step2 = run(sgd, 2, step1[1], 0.5f, step1[3], step1[4]);
        assertThat(step2[3][0]).isCloseTo(0.95f, within(1e-7f));
        assertThat(step2[1][0]).isCloseTo(0.855f, within(1e-7f));
    }

    @Test void nesterovStepByHand() {
        // v = 0.5; w = 1 - 0.1·(g + 0.9·v) = 1 - 0.1·0.95 = 0.905
        float[][] out = run(update("t_update_nesterov_hand", 1, OptimizerKind.SGD, 0.9f, true, 0, 0), 1,
                new float[] {1}, 0.5f, new float[1], new float[1]);
        assertThat(out[1][0]).isCloseTo(0.905f, within(1e-7f));
    }

    @Test void adagradAndRmspropStepsByHand() {
        // Adagrad: s = 0.25, w = 1 - 0.1·0.5/0.5 = 0.9. RMSprop (rho 0.9): s = 0.025, w = 1 - 0.05/0.1581139 = 0.6837723
        assertThat(run(update("t_update_adagrad_hand", 1, OptimizerKind.ADAGRAD, 0, false, 0, 0), 1,
                new float[] {1}, 0.5f, new float[1], new float[1])[1][0]).isCloseTo(0.9f, within(1e-6f));
        assertThat(run(update("t_update_rmsprop_hand", 1, OptimizerKind.RMSPROP, 0, false, 0, 0), 1,
                new float[] {1}, 0.5f, new float[1], new float[1])[1][0]).isCloseTo(0.6837723f, within(1e-6f));
    }

    @Test void regularizationAddsToTheGradient() {
        // g = 0.5 + 0.2·w + 0.3·sign(w): w = 2 gives g = 1.2 and w = 1.88; w = -1 gives g = -0.0, w = -1; w = 0 gives g = 0.5
        Update sgd = update("t_update_reg_hand", 3, OptimizerKind.SGD, 0, false, 0.3f, 0.2f);
        float[][] out = new OpenClTable().add(sgd, 1, 0, 1e-6, sgd.hyper(LR, 1), new float[] {2, -1, 0},
                new float[] {0.5f, 0.5f, 0.5f}, new float[1], new float[1]).assertSame().get(0);
        assertThat(out[1][0]).isCloseTo(1.88f, within(1e-6f));
        assertThat(out[1][1]).isCloseTo(-1f, within(1e-6f));
        assertThat(out[1][2]).isCloseTo(-0.05f, within(1e-7f));
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(10);
        OpenClTable table = new OpenClTable();
        List<Update> kinds = new ArrayList<>();
        for (int size : new int[] {1, 37, 1000}) {
            kinds.add(update("t_update_sgd_" + size, size, OptimizerKind.SGD, 0, false, 1e-3f, 1e-2f));
            kinds.add(update("t_update_momentum_" + size, size, OptimizerKind.SGD, 0.9f, false, 0, 1e-2f));
            kinds.add(update("t_update_nesterov_" + size, size, OptimizerKind.SGD, 0.9f, true, 1e-3f, 0));
            kinds.add(update("t_update_adagrad_" + size, size, OptimizerKind.ADAGRAD, 0, false, 0, 0));
            kinds.add(update("t_update_rmsprop_" + size, size, OptimizerKind.RMSPROP, 0, false, 0, 1e-2f));
            kinds.add(update("t_update_adam_" + size, size, OptimizerKind.ADAM, 0, false, 1e-3f, 1e-2f));
            kinds.add(update("t_update_adamw_" + size, size, OptimizerKind.ADAMW, 0, false, 0, 1e-2f));
            kinds.add(update("t_update_clip_norm_" + size, size, OptimizerKind.ADAM, 0, false, 0, 1e-2f).clipped(new Update.Clip(true, 0.5f)));
            kinds.add(update("t_update_clip_value_" + size, size, OptimizerKind.SGD, 0.9f, false, 1e-3f, 0).clipped(new Update.Clip(false, 0.5f)));
        }
        for (Update k : kinds) {
            int n = (int) k.size();
            float[] state1 = KernelCheck.random(r, n, 1), state2 = KernelCheck.random(r, n, 1);
            for (int i = 0; i < n; i++) state2[i] = Math.abs(state2[i]); // second moments are never negative
            if (k.kind() != OptimizerKind.SGD) state1 = k.kind().moments() ? state1 : state2.clone();
            float[] hyper = k.hyper(0.01, 7);
            hyper[4] = 3.5f;   // a squared gradient norm, as GradNorm leaves it
            table.add(k, 1, 0, 1e-5, hyper, KernelCheck.random(r, n, 1), KernelCheck.random(r, n, 1), state1, state2);
        }
        table.assertSame();
    }

    // The group's OpenCL names each part's buffers after its parameter, and numbers them only when
    // those names would clash.
    @Test void aGroupNamesItsBuffersAfterTheParameters() {
        Update w = Update.adam("dense_1_weight_update", 20, 0.9f, 0.999f, 1e-8f, 0, 0), b = Update.sgd("dense_1_bias_update", 4, 0.9f, false, 0, 0);
        assertThat(new UpdateGroup("g", List.of(w, b)).args()).containsExactly("hyper", "dense_1_weight", "dense_1_weight_grad",
                "dense_1_weight_exp_avg", "dense_1_weight_exp_avg_sq", "dense_1_bias", "dense_1_bias_grad", "dense_1_bias_momentum_buffer");
        assertThat(new UpdateGroup("g", List.of(b, b)).args()).containsExactly("hyper", "param_0", "grad_0", "state1_0", "param_1", "grad_1", "state1_1");
        assertThat(Program.source("t", List.of(new UpdateGroup("g", List.of(w, b)))))
                .contains("vload16(q0, dense_1_weight_exp_avg)", "dense_1_bias_momentum_buffer[i]", "const float lr").doesNotContain("param_");
        assertThat(Program.source("t", List.of(w))).as("Adam reads its step size, not the rate").doesNotContain("lr");
    }

    // A group runs each part's rule on the part's own buffers: on the JVM exactly what the parts give
    // one by one, on OpenCL the same within rounding, whatever the mix of rules and sizes (remainders
    // of 1 to 15 elements, parts smaller than one work-item's 16).
    @Test void aGroupGivesWhatItsPartsGiveOneByOne() {
        Random r = new Random(11);
        List<Update> parts = new ArrayList<>();
        int[] sizes = {1, 3, 4, 5, 37, 1000, 21};
        OptimizerKind[] kinds = {OptimizerKind.SGD, OptimizerKind.SGD, OptimizerKind.ADAM, OptimizerKind.ADAGRAD, OptimizerKind.RMSPROP, OptimizerKind.ADAM, OptimizerKind.ADAMW};
        for (int i = 0; i < sizes.length; i++) {
            parts.add(update("t_group_part_" + i, sizes[i], kinds[i], i == 1 ? 0.9f : 0, false, i % 2 * 1e-3f, 1e-2f));
        }
        UpdateGroup group = new UpdateGroup("t_update_group", parts);
        assertThat(group.args()).hasSize(UpdateGroup.buffers(parts)).startsWith("hyper", "t_group_part_0", "t_group_part_0_grad", "t_group_part_1", "t_group_part_1_grad", "t_group_part_1_momentum_buffer");
        float[] hyper = group.hyper(0.01, 7);
        List<float[]> bufs = new ArrayList<>(List.of(hyper));
        List<float[][]> alone = new ArrayList<>();
        for (Update u : parts) {
            int n = (int) u.size();
            float[] param = KernelCheck.random(r, n, 1), grad = KernelCheck.random(r, n, 1), s1 = KernelCheck.random(r, n, 1), s2 = KernelCheck.random(r, n, 1);
            for (int i = 0; i < n; i++) s2[i] = Math.abs(s2[i]);
            if (u.kind() == OptimizerKind.ADAGRAD || u.kind() == OptimizerKind.RMSPROP) s1 = s2.clone();
            float[][] own = {hyper.clone(), param.clone(), grad.clone(), s1.clone(), s2.clone()};
            u.reference(1, 0, own);
            alone.add(own);
            bufs.add(param);
            bufs.add(grad);
            if (u.states() >= 1) bufs.add(s1);
            if (u.states() >= 2) bufs.add(s2);
        }
        float[][] out = new OpenClTable().add(group, 1, 0, 1e-5, bufs.toArray(float[][]::new)).assertSame().get(0);
        int at = 1;
        for (int i = 0; i < parts.size(); i++) {
            assertThat(out[at]).as("param of part " + i).containsExactly(alone.get(i)[1]);
            for (int s = 1; s <= parts.get(i).states(); s++) assertThat(out[at + 1 + s]).as("state " + s + " of part " + i).containsExactly(alone.get(i)[2 + s]);
            at += 2 + parts.get(i).states();
        }
        assertThat(group.global(1)).as("a work-item per 16 elements of each part").containsExactly(1 + 1 + 1 + 1 + 3 + 63 + 2);
    }

    // The host computes Adam's bias corrections once a step, in double (as PyTorch's Adam does);
    // the other rules read only the rate.
    @Test void theHyperBufferHoldsTheRateTheStepAndAdamsCorrections() {
        Update adam = update("t_hyper_adam", 1, OptimizerKind.ADAM, 0, false, 0, 0);
        float[] h = adam.hyper(0.1, 2);
        assertThat(h).hasSize(Update.HYPER);
        assertThat(h[0]).isEqualTo(0.1f);
        assertThat(h[1]).isEqualTo(2f);
        assertThat(h[2]).isCloseTo((float) (0.1 / (1 - 0.9 * 0.9)), within(1e-6f));        // 0.5263158
        assertThat(h[3]).isCloseTo((float) Math.sqrt(1 - 0.999 * 0.999), within(1e-6f));  // 0.0446990
        assertThat(update("t_hyper_sgd", 1, OptimizerKind.SGD, 0, false, 0, 0).hyper(0.1, 2)).containsExactly(0.1f, 2f, 0.1f, 1f, 0f);
        Update other = new Update("t_hyper_adam_2", 1, OptimizerKind.ADAM, 0, false, 0.5f, 0.999f, 0.9f, 1e-8f, 0, 0, 0, Update.Clip.NONE);
        assertThatThrownBy(() -> new UpdateGroup("t_mixed_betas", List.of(adam, other))).hasMessageContaining("betas must agree");
    }

    @Test void aGroupKeepsToTheArgumentLimit() {
        List<Update> many = new ArrayList<>();
        for (int i = 0; i < 24; i++) many.add(update("t_adam_" + i, 10, OptimizerKind.ADAM, 0, false, 0, 0));
        assertThat(UpdateGroup.buffers(many)).isEqualTo(97);
        assertThatThrownBy(() -> new UpdateGroup("t_too_many", many)).hasMessageContaining("more than 96");
    }

    private static Update update(String name, long size, OptimizerKind kind, float momentum, boolean nesterov, float l1, float l2) {
        float eps = kind == OptimizerKind.ADAGRAD ? 1e-10f : 1e-8f;
        return new Update(name, size, kind, momentum, nesterov, 0.9f, 0.999f, 0.9f, eps, l1, l2, kind == OptimizerKind.ADAMW ? 0.01f : 0, Update.Clip.NONE);
    }

    /** One step at step count t with a scalar gradient; returns every buffer after it. */
    private static float[][] run(Update k, int t, float[] param, float grad, float[] state1, float[] state2) {
        return new OpenClTable().add(k, 1, 0, 1e-6, k.hyper(LR, t), param, new float[] {grad}, state1, state2).assertSame().get(0);
    }
}
