package dln.ir;

import static org.assertj.core.api.Assertions.assertThat;

import dln.kernel.Act;
import dln.kernel.ActGrad;
import dln.kernel.Dim;
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
}
