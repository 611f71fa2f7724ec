package dln.runtime.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dln.runtime.Backend;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SumTest {
    @Test void addsOneToAHundredToTheAccumulator() {
        float[] x = new float[100];
        for (int i = 0; i < 100; i++) x[i] = i + 1;
        float[][] out = new OpenClTable().add(new Sum("t_sum_100", Dim.of(100)), 1, 0, 0, x, new float[] {0.5f}).assertSame().get(0);
        assertThat(out[1][0]).isEqualTo(5050.5f);
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(7);
        OpenClTable table = new OpenClTable();
        for (Dim size : List.of(Dim.batch(1), Dim.batch(3), Dim.batch(300), Dim.of(255), Dim.of(257), Dim.of(5000))) {
            for (int batch : new int[] {1, 37}) {
                table.add(new Sum("t_sum_" + size.per() + (size.batched() ? "n" : ""), size), batch, 0, 1e-5,
                        KernelCheck.random(r, size.at(batch), 1), new float[] {2});
            }
        }
        table.assertSame();
    }

    @Test void openClSumIsTheSameEveryRun() {
        Backend cl = Backends.opencl();
        assumeTrue(cl != null, "no OpenCL device on purpose");
        float[] x = KernelCheck.random(new Random(8), 10_000, 1);
        Kernel sum = new Sum("t_sum_repeat", Dim.of(x.length));
        float first = KernelCheck.run(cl, sum, 1, 0, x, new float[1])[1][0];
        for (int i = 0; i < 3; i++) assertThat(KernelCheck.run(cl, sum, 1, 0, x, new float[1])[1][0]).isEqualTo(first);
    }
}
