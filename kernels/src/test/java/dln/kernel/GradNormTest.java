package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GradNormTest {
    // (3, 4) and a regularized (w = 2, l2 0.5, l1 1: g = 0 + 1 + 1 = 2): 9 + 16 + 4 = 29 into hyper[4]; a second launch adds
    @Test void theSquaredNormByHand() {
        GradNorm first = new GradNorm("t_gradnorm_hand", List.of(new GradNorm.Part("a", 2, 0, 0), new GradNorm.Part("b", 1, 1f, 0.5f)), true);
        float[][] out = new OpenClTable().add(first, 1, 0, 1e-6, new float[] {1, 2, 3, 4, 99}, new float[] {3, 4}, new float[] {7, 7},
                new float[] {0}, new float[] {2}).assertSame().get(0);
        assertThat(out[0]).containsExactly(1, 2, 3, 4, 29);
        GradNorm more = new GradNorm("t_gradnorm_more", List.of(new GradNorm.Part("g", 1, 0, 0)), false);
        float[][] added = new OpenClTable().add(more, 1, 0, 1e-6, out[0], new float[] {2}, new float[] {0}).assertSame().get(0);
        assertThat(added[0][4]).isEqualTo(33f);
        assertThat(first.args()).as("buffers named after the parameters").containsExactly("hyper", "a_grad", "a", "b_grad", "b");
        assertThat(more.args()).as("numbered where a name is the kernel's own").containsExactly("hyper", "grad_0", "param_0");
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(12);
        int[] sizes = {1, 255, 256, 257, 1000};
        List<GradNorm.Part> parts = java.util.Arrays.stream(sizes).mapToObj(n -> new GradNorm.Part("p" + n, n, n % 2 * 1e-3f, 1e-2f)).toList();
        float[][] bufs = new float[1 + 2 * sizes.length][];
        bufs[0] = new float[Update.HYPER];
        double expected = 0;
        for (int p = 0; p < sizes.length; p++) {
            bufs[1 + 2 * p] = KernelCheck.random(r, sizes[p], 1);
            bufs[2 + 2 * p] = KernelCheck.random(r, sizes[p], 1);
            for (int i = 0; i < sizes[p]; i++) {
                double g = bufs[1 + 2 * p][i] + parts.get(p).l2() * bufs[2 + 2 * p][i] + parts.get(p).l1() * Math.signum(bufs[2 + 2 * p][i]);
                expected += g * g;
            }
        }
        float[][] out = new OpenClTable().add(new GradNorm("t_gradnorm_shapes", parts, true), 1, 0, 1e-5, bufs).assertSame().get(0);
        assertThat(out[0][4]).isCloseTo((float) expected, within((float) (1e-5 * expected)));
    }
}
