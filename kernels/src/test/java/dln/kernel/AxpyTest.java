package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class AxpyTest {
    @Test void scalesAndAccumulatesTheSameOnBothBackends() {
        Random r = new Random(1);
        for (int batch : new int[] {1, 7, 300}) {
            float[] x = KernelCheck.random(r, 13 * batch, 1), y = KernelCheck.random(r, 13 * batch, 1);
            float[][] out = KernelCheck.sameOnOpenCl(new Axpy("axpy", Dim.batch(13), 2f, 1f), batch, 0, 1e-6, x, y);
            for (int i = 0; i < x.length; i++) assertThat(out[1][i]).isEqualTo(2 * x[i] + y[i]);
        }
    }

    @Test void copiesWithBetaZero() {
        float[] x = {1, 2, 3}, y = {Float.NaN, 9, 9};
        float[][] out = KernelCheck.sameOnOpenCl(new Axpy("copy", Dim.of(3), 1f, 0f), 1, 0, 0, x, y);
        assertThat(out[1]).containsExactly(1, 2, 3);
        // four at a time and a remainder of two: a copy never reads y, so NaN there does not leak through
        float[] x10 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, y10 = new float[10];
        java.util.Arrays.fill(y10, Float.NaN);
        float[][] ten = KernelCheck.sameOnOpenCl(new Axpy("copy_ten", Dim.of(10), 1f, 0f), 1, 0, 0, x10, y10);
        assertThat(ten[1]).containsExactly(x10);
    }
}
