package dln.ir;

import static org.assertj.core.api.Assertions.assertThat;

import dln.kernel.Act;
import dln.kernel.ActGrad;
import dln.kernel.BiasGrad;
import dln.kernel.Dim;
import dln.kernel.Dropout;
import dln.kernel.Gemm;
import dln.kernel.GradEpilogue;
import dln.kernel.PoolBackward;
import dln.kernel.PoolGeom;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peephole folds of the backward pass: what folds, and what must not. */
class FuserTest {
    static final PoolGeom POOL = PoolGeom.of(6, new long[] {28, 28}, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0});
    static final Launch POOL_DX = new Launch(new PoolBackward("pool_dx", POOL, true), List.of("out:conv", "grad.out:pool", "grad.out:conv"), false, "dx");
    static final ActGrad RELU = new ActGrad("conv_act_grad", Dim.batch(6 * 28 * 28), Act.RELU, 0);

    // conv -> relu -> maxpool: the relu's gradient, in place on what the pooling's gradient wrote,
    // at the pooling's input, becomes the pooling's epilogue
    @Test void theActivationsGradientAfterThePoolingsIsFolded() {
        Launch act = new Launch(RELU, List.of("out:conv", "grad.out:conv", "grad.out:conv"), false, "dz");
        List<Launch> folded = Fuser.backward(List.of(POOL_DX, act));
        assertThat(folded).hasSize(1);
        assertThat(folded.get(0).kernel()).isEqualTo(((PoolBackward) POOL_DX.kernel()).withAct(Act.RELU, 0));
        assertThat(folded.get(0).buffers()).isEqualTo(POOL_DX.buffers());
    }

    @Test void nothingElseIsFolded() {
        // another buffer's activation, a gradient not in place, or a launch between the two
        Launch other = new Launch(RELU, List.of("out:other", "grad.out:conv", "grad.out:conv"), false, "dz");
        Launch apart = new Launch(RELU, List.of("out:conv", "grad.out:conv", "grad.tmp"), false, "dz");
        Launch between = new Launch(RELU, List.of("out:x", "grad.x", "grad.x"), false, "dz");
        Launch act = new Launch(RELU, List.of("out:conv", "grad.out:conv", "grad.out:conv"), false, "dz");
        assertThat(Fuser.backward(List.of(POOL_DX, other))).hasSize(2);
        assertThat(Fuser.backward(List.of(POOL_DX, apart))).hasSize(2);
        assertThat(Fuser.backward(List.of(POOL_DX, between, act))).hasSize(3);
    }

    // gelu's gradient reads its input z: even on the very buffers of a foldable relu, the pooling,
    // which reads the activation's output, cannot compute it
    @Test void anActivationWhoseGradientNeedsItsInputIsNotFolded() {
        for (Act a : new Act[] {Act.GELU, Act.SILU}) {
            Launch act = new Launch(new ActGrad("conv_act_grad", Dim.batch(6 * 28 * 28), a, 0), List.of("out:conv", "grad.out:conv", "grad.out:conv"), false, "dz");
            assertThat(Fuser.backward(List.of(POOL_DX, act))).as("%s", a).hasSize(2);
        }
    }

    // dense(256) -> relu -> dropout -> dense(128): the second layer's backward as the Differentiator
    // writes it, then as the Fuser leaves it
    static final Gemm DW = new Gemm("d2_dweight", true, false, Dim.of(128), Dim.of(256), Dim.batch(1), 128, 256, 256, 1, 0);
    static final Gemm DX = new Gemm("d2_dx", false, false, Dim.batch(1), Dim.of(256), Dim.of(128), 128, 256, 256, 1, 0);
    static final Dropout MASK = new Dropout("drop_dx", Dim.batch(256), 0.2f, 43);
    static final ActGrad D1_RELU = new ActGrad("d1_act_grad", Dim.batch(256), Act.RELU, 0);
    static final Launch DWEIGHT = new Launch(DW, List.of("grad.out:d2", "out:drop", "grad.d2.weight"), false, "dW");
    static final Launch DBIAS = new Launch(new BiasGrad("d2_dbias", Dim.batch(1), 128, 1), List.of("grad.out:d2", "grad.d2.bias"), false, "db");
    static final Launch INPUT = new Launch(DX, List.of("grad.out:d2", "d2.weight", "grad.out:drop"), false, "dx");
    static final Launch DROP = new Launch(MASK, List.of("grad.out:drop", "grad.out:d1"), true, "mask");
    static final Launch D1_ACT = new Launch(D1_RELU, List.of("out:d1", "grad.out:d1", "grad.out:d1"), false, "dz");

    @Test void aDenseLayersBackwardFoldsItsBiasDropoutAndActivationGradients() {
        List<Launch> folded = Fuser.backward(List.of(DWEIGHT, DBIAS, INPUT, DROP, D1_ACT));
        assertThat(folded).hasSize(2);
        assertThat(folded.get(0).kernel()).isEqualTo(DW.with(GradEpilogue.NONE.withSums()));
        assertThat(folded.get(0).buffers()).containsExactly("grad.out:d2", "out:drop", "grad.d2.weight", "grad.d2.bias");
        assertThat(folded.get(1).kernel()).isEqualTo(DX.with(GradEpilogue.NONE.withMask(MASK).withAct(Act.RELU, 0)));
        // the product writes the dropout's input gradient straight: the unmasked one is never made
        assertThat(folded.get(1).buffers()).containsExactly("grad.out:d2", "d2.weight", "grad.out:d1", "out:d1");
        assertThat(folded.get(1).counter()).isTrue();
    }

    // gelu as a layer of its own: its gradient reads dense_1's output z and writes dense_1's output
    // gradient; dense_2's input gradient writes it there straight
    @Test void anActivationLayersGradientFoldsIntoTheProductBeforeIt() {
        ActGrad gelu = new ActGrad("gelu_act_grad", Dim.batch(256), Act.GELU, 0);
        Launch act = new Launch(gelu, List.of("out:d1", "grad.out:gelu", "grad.out:d1"), false, "dz");
        Launch input = new Launch(DX, List.of("grad.out:d2", "d2.weight", "grad.out:gelu"), false, "dx");
        List<Launch> folded = Fuser.backward(List.of(input, act));
        assertThat(folded).hasSize(1);
        assertThat(folded.get(0).buffers()).containsExactly("grad.out:d2", "d2.weight", "grad.out:d1", "out:d1");
    }

    @Test void aDenseLayersGradientsFoldOnlyOnTheirOwnBuffers() {
        // a bias gradient of another dz; a dropout whose unmasked input gradient a later launch reads; an
        // activation's gradient not in place on the product; a product that accumulates before a mask
        Launch otherBias = new Launch(DBIAS.kernel(), List.of("grad.out:other", "grad.d2.bias"), false, "db");
        Launch reader = new Launch(D1_RELU, List.of("out:x", "grad.out:drop", "grad.x"), false, "reads it");
        Launch apart = new Launch(D1_RELU, List.of("out:drop", "grad.out:drop", "grad.tmp"), false, "dz");
        Launch dyRead = new Launch(D1_RELU, List.of("out:y", "grad.out:drop", "grad.y"), false, "reads dy");
        Launch accumulating = new Launch(new Gemm("d2_dx", false, false, Dim.batch(1), Dim.of(256), Dim.of(128), 128, 256, 256, 1, 1),
                INPUT.buffers(), false, "dx += ");
        assertThat(Fuser.backward(List.of(DWEIGHT, otherBias))).hasSize(2);
        assertThat(Fuser.backward(List.of(INPUT, DROP, reader))).hasSize(3);
        assertThat(Fuser.backward(List.of(INPUT, apart, dyRead))).hasSize(3);
        assertThat(Fuser.backward(List.of(accumulating, apart))).hasSize(2);
        assertThat(Fuser.backward(List.of(accumulating, DROP))).hasSize(2);
        // accumulating, the activation's gradient still folds: it scales the sum, as the launch did
        Launch act = new Launch(D1_RELU, List.of("out:drop", "grad.out:drop", "grad.out:drop"), false, "dz");
        assertThat(Fuser.backward(List.of(accumulating, act))).hasSize(1);
    }

    // dense -> relu -> dropout -> dense compiled: the unmasked gradient of the dropout's output is no
    // longer made (the second product writes the masked one straight), and no memory is kept for it
    @Test void aGradientAFoldMadeUnnecessaryGetsNoBuffer() {
        String text = """
                model M {
                    input v: [6]
                    output y = v -> dense(8) -> relu -> dropout(0.5) -> dense(2)
                }
                train M { loss mse  optimizer sgd }
                """;
        Schedule schedule = dln.Compiler.generate(dln.Compiler.check(dln.diag.Source.of("fold.dln", text)), "t", "fold.dln").get(0).schedule();
        assertThat(schedule.backward()).noneMatch(l -> l.buffers().contains("grad.out:dropout_1"));
        assertThat(schedule.slots()).noneMatch(s -> s.name().equals("grad.out:dropout_1"));
        assertThat(schedule.storage()).doesNotContainKey("grad.out:dropout_1");
    }

    // The forward folds. conv -> batchnorm -> relu at inference, as the layers lower them: the
    // convolution, the batch norm with the running statistics, and the relu of its own (a copy and
    // the activation in place)
    static final dln.kernel.ConvGeom CONV = dln.kernel.ConvGeom.of(1, 4, new long[] {8, 8}, new long[] {3, 3}, new long[] {1, 1},
            new long[] {1, 1}, new long[] {1, 1});

    static List<Launch> convBnRelu(Plan plan, String relu) {
        return List.of(
                new Launch(new dln.kernel.ConvForward(plan.kernel("conv", "fwd"), CONV, new dln.kernel.Epilogue(true, Act.LINEAR, 0f)),
                        List.of("input:x", "conv.weight", "out:conv", "conv.bias"), false, "conv"),
                new Launch(new dln.kernel.BatchNormForward(plan.kernel("bn", "fwd"), 4, 64, 0.1f, 1e-5f, false),
                        List.of("out:conv", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "saved.mean", "saved.invstd", "out:bn"), false, "bn"),
                new Launch(new dln.kernel.Axpy(plan.kernel("relu", "copy"), Dim.batch(256), 1f, 0f), List.of("out:bn", relu), false, "relu"),
                new Launch(new dln.kernel.BiasAct(plan.kernel("relu", "fwd"), Dim.batch(1), 256, 1, false, Act.RELU, 0f), List.of(relu), false, "relu"));
    }

    @Test void atInferenceABatchNormAndTheActivationAfterItFoldIntoTheConvolution() {
        Plan plan = new Plan();
        List<Launch> folded = Fuser.inference(convBnRelu(plan, "out:relu"), java.util.Set.of("out:relu"), plan);
        assertThat(folded).hasSize(1);
        dln.kernel.ConvForward k = (dln.kernel.ConvForward) folded.get(0).kernel();
        assertThat(k.name()).isEqualTo("conv_fwd_bn");
        assertThat(k.epilogue()).isEqualTo(new dln.kernel.Epilogue(true, Act.LINEAR, 0f).withNorm(1e-5f).withAct(Act.RELU, 0f));
        assertThat(folded.get(0).buffers()).containsExactly("input:x", "conv.weight", "out:relu", "conv.bias",
                "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var");
    }

    @Test void aValueSomethingElseReadsIsNotFoldedAway() {
        // the convolution's output is the model's output too; then the batch norm's is read later
        Plan plan = new Plan();
        assertThat(Fuser.inference(convBnRelu(plan, "out:relu"), java.util.Set.of("out:conv", "out:relu"), plan)).hasSize(4);
        Plan other = new Plan();
        List<Launch> launches = new java.util.ArrayList<>(convBnRelu(other, "out:relu"));
        launches.add(new Launch(new dln.kernel.Axpy(other.kernel("add", "fwd"), Dim.batch(256), 1f, 1f), List.of("out:bn", "out:relu"), false, "add"));
        List<Launch> folded = Fuser.inference(launches, java.util.Set.of("out:relu"), other);
        assertThat(folded).hasSize(4);   // the batch norm folds; its output, read twice, stays, and so does the relu
        assertThat(((dln.kernel.ConvForward) folded.get(0).kernel()).epilogue().norm()).isNotNull();
        assertThat(folded.get(0).buffers().get(2)).isEqualTo("out:bn");
    }

    // dense -> dropout in training: one product that writes the activation and its dropped copy
    @Test void inTrainingADropoutFoldsIntoTheDenseLayerBeforeIt() {
        Plan plan = new Plan();
        Gemm fwd = new Gemm(plan.kernel("d1", "fwd"), false, true, Dim.batch(1), Dim.of(256), Dim.of(784), 784, 784, 256, 1f, 0f,
                new dln.kernel.Epilogue(true, Act.RELU, 0f));
        Dropout drop = new Dropout(plan.kernel("drop", "fwd"), Dim.batch(256), 0.2f, 43);
        List<Launch> folded = Fuser.training(List.of(new Launch(fwd, List.of("input:x", "d1.weight", "out:d1", "d1.bias"), false, "d1"),
                new Launch(drop, List.of("out:d1", "out:drop"), true, "drop")), plan);
        assertThat(folded).hasSize(1);
        assertThat(folded.get(0).kernel()).isEqualTo(fwd.withDropout("d1_fwd_dropout", drop));
        assertThat(folded.get(0).buffers()).containsExactly("input:x", "d1.weight", "out:d1", "d1.bias", "out:drop");
        assertThat(folded.get(0).counter()).isTrue();
    }
}
