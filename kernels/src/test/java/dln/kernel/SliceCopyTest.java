package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dln.runtime.kernel.Kernel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SliceCopyTest {
    @Test void concatenatesAndSplitsBack() {
        // concat of a [2, 2] and a [2, 3] into [2, 5], then the backward pass takes each part back
        float[] a = {1, 2, 3, 4}, b = {5, 6, 7, 8, 9, 10}, y = new float[10];
        Kernel first = new SliceCopy("t_slice_a", Dim.batch(1), 2, 5, 0, false);
        Kernel second = new SliceCopy("t_slice_b", Dim.batch(1), 3, 5, 2, false);
        y = new OpenClTable().add(first, 2, 0, 0, a, y).assertSame().get(0)[1];
        y = new OpenClTable().add(second, 2, 0, 0, b, y).assertSame().get(0)[1];
        assertThat(y).containsExactly(1, 2, 5, 6, 7, 3, 4, 8, 9, 10);
        float[][] back = new OpenClTable().add(new SliceCopy("t_slice_b_back", Dim.batch(1), 3, 5, 2, true), 2, 0, 0, y, new float[6])
                .assertSame().get(0);
        assertThat(back[1]).containsExactly(b);
    }

    @Test void backwardMatchesFiniteDifferences() {
        Random r = new Random(19);
        SliceCopy forward = new SliceCopy("fd", Dim.batch(2), 3, 7, 4, false), backward = new SliceCopy("fd", Dim.batch(2), 3, 7, 4, true);
        float[] x = KernelCheck.random(r, 12, 1), dy = KernelCheck.random(r, 28, 1), dx = new float[12];
        backward.reference(2, 0, new float[][] {dy, dx});
        double[] numeric = FiniteDifferences.gradient(x, p -> {
            float[] y = new float[28];
            forward.reference(2, 0, new float[][] {p, y});
            return FiniteDifferences.dot(dy, y);
        });
        FiniteDifferences.assertMatches(dx, numeric, "slice dx");
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(20);
        OpenClTable table = new OpenClTable();
        for (Dim rows : List.of(Dim.batch(1), Dim.batch(3), Dim.of(5))) {
            for (long[] w : new long[][] {{1, 1, 0}, {3, 8, 5}, {7, 20, 2}}) {
                String id = rows.per() + "_" + rows.batched() + "_" + w[0] + "_" + w[1] + "_" + w[2];
                Kernel forward = new SliceCopy("t_slice_" + id, rows, w[0], w[1], w[2], false);
                Kernel backward = new SliceCopy("t_slice_back_" + id, rows, w[0], w[1], w[2], true);
                for (int batch : new int[] {1, 37}) {
                    int n = rows.at(batch);
                    table.add(forward, batch, 0, 0, KernelCheck.random(r, n * (int) w[0], 1), KernelCheck.random(r, n * (int) w[1], 1));
                    table.add(backward, batch, 0, 0, KernelCheck.random(r, n * (int) w[1], 1), KernelCheck.random(r, n * (int) w[0], 1));
                }
            }
        }
        table.assertSame();
    }
}
