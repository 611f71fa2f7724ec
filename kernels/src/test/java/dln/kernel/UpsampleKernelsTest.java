package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.runtime.jvm.JvmBackend;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Nearest-neighbour upsampling: known values, OpenCL against the references over odd shapes, the gradient against finite differences. */
class UpsampleKernelsTest {
    private static final List<UpsampleKernels.Geometry> SHAPES = List.of(
            new UpsampleKernels.Geometry(3, List.of(5L), 2),
            new UpsampleKernels.Geometry(2, List.of(3L, 7L), 3),
            new UpsampleKernels.Geometry(1, List.of(2L, 3L, 4L), 2),
            new UpsampleKernels.Geometry(4, List.of(1L, 5L), 1),
            new UpsampleKernels.Geometry(2, List.of(9L, 1L), 4));

    // nn.Upsample(scale_factor=2, mode='nearest') of [[1, 2], [3, 4]] repeats each value in a 2×2 block
    @Test void eachValueFillsABlock() {
        UpsampleKernels.Geometry g = new UpsampleKernels.Geometry(1, List.of(2L, 2L), 2);
        float[][] out = KernelCheck.sameOnOpenCl(new UpsampleKernels.Forward("t_upsample_known", g), 1, 0, 0, new float[] {1, 2, 3, 4}, new float[16]);
        assertThat(out[1]).containsExactly(1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4);
        float[][] back = KernelCheck.sameOnOpenCl(new UpsampleKernels.Backward("t_upsample_known_dx", g), 1, 0, 0, out[1], new float[4]);
        assertThat(back[1]).as("each input gets the sum of its four copies").containsExactly(4, 8, 12, 16);
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(31);
        OpenClTable table = new OpenClTable();
        for (int s = 0; s < SHAPES.size(); s++) {
            UpsampleKernels.Geometry g = SHAPES.get(s);
            for (int batch : new int[] {1, 5}) {
                int in = (int) (batch * g.channels() * g.inVolume()), out = (int) (batch * g.channels() * g.outVolume());
                table.add(new UpsampleKernels.Forward("t_upsample_fwd_" + s, g), batch, 0, 0, KernelCheck.random(r, in, 1), new float[out]);
                // sums of up to 4 values: the same order on both sides
                table.add(new UpsampleKernels.Backward("t_upsample_dx_" + s, g), batch, 0, 1e-6, KernelCheck.random(r, out, 1), new float[in]);
            }
        }
        table.assertSame();
    }

    @Test void gradientMatchesFiniteDifferences() {
        Random r = new Random(32);
        for (UpsampleKernels.Geometry g : SHAPES) {
            int batch = 2, in = (int) (batch * g.channels() * g.inVolume()), out = (int) (batch * g.channels() * g.outVolume());
            float[] x = KernelCheck.random(r, in, 1), dy = KernelCheck.random(r, out, 1), dx = new float[in];
            new UpsampleKernels.Backward("fd", g).reference(batch, 0, new float[][] {dy, dx});
            double[] numeric = FiniteDifferences.gradient(x, p -> FiniteDifferences.dot(dy,
                    KernelCheck.run(new JvmBackend(), new UpsampleKernels.Forward("ref", g), batch, 0, p, new float[out])[1]));
            FiniteDifferences.assertMatches(dx, numeric, "dx, " + g);
        }
    }

    @Test void geometryIsChecked() {
        assertThatThrownBy(() -> new UpsampleKernels.Geometry(1, List.of(), 2)).hasMessageContaining("1 to 3 spatial axes");
        assertThatThrownBy(() -> new UpsampleKernels.Geometry(1, List.of(1L, 2L, 3L, 4L), 2)).hasMessageContaining("1 to 3 spatial axes");
        assertThatThrownBy(() -> new UpsampleKernels.Geometry(1, List.of(3L), 0)).hasMessageContaining("at least 1");
    }
}
