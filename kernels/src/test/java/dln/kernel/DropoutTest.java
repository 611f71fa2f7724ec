package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dln.runtime.kernel.Kernel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DropoutTest {
    private static final int DRAWS = 100_000;

    @Test void keepsAboutOneMinusRateAndScalesTheKept() {
        float[] ones = new float[DRAWS];
        Arrays.fill(ones, 1);
        for (float rate : new float[] {0.1f, 0.5f, 0.8f}) {
            float[] y = run(new Dropout("ref", Dim.of(DRAWS), rate, 42), 3, ones);
            int kept = 0;
            for (float v : y) {
                if (v != 0) {
                    kept++;
                    assertThat(v).isEqualTo(1f / (1f - rate));
                }
            }
            // the standard deviation of the kept fraction is sqrt(rate·(1 - rate)/1e5) ≤ 0.0016
            assertThat(kept / (double) DRAWS).as("kept at rate " + rate).isCloseTo(1 - rate, within(0.01));
        }
    }

    @Test void masksAreTheSameOnOpenClBitForBit() {
        float[] x = KernelCheck.random(new Random(13), DRAWS, 1);
        Dropout k = new Dropout("t_dropout_mask", Dim.of(DRAWS), 0.3f, -7_000_000_000L);
        new OpenClTable().add(k, 1, 0, 0, x, new float[DRAWS]).add(k, 1, 1, 0, x, new float[DRAWS])
                .add(k, 1, Integer.MAX_VALUE, 0, x, new float[DRAWS]).assertSame();
    }

    @Test void theMaskDependsOnTheStepAndTheSeedAndRepeatsForTheBackwardPass() {
        float[] ones = new float[1000];
        Arrays.fill(ones, 1);
        float[] step5 = run(new Dropout("ref", Dim.of(1000), 0.5f, 1), 5, ones);
        assertThat(run(new Dropout("ref", Dim.of(1000), 0.5f, 1), 5, ones)).containsExactly(step5);
        assertThat(run(new Dropout("ref", Dim.of(1000), 0.5f, 1), 6, ones)).isNotEqualTo(step5);
        assertThat(run(new Dropout("ref", Dim.of(1000), 0.5f, 2), 5, ones)).isNotEqualTo(step5);
        // dx = dropout(dy) at the same step: zero exactly where y was dropped
        float[] dy = KernelCheck.random(new Random(14), 1000, 1);
        float[] dx = run(new Dropout("ref", Dim.of(1000), 0.5f, 1), 5, dy);
        for (int i = 0; i < 1000; i++) assertThat(dx[i]).isEqualTo(step5[i] == 0 ? 0f : dy[i] * 2f);
    }

    @Test void gradientMatchesFiniteDifferences() {
        Random r = new Random(15);
        Dropout k = new Dropout("fd", Dim.batch(6), 0.4f, 9);
        float[] x = KernelCheck.random(r, 18, 1), dy = KernelCheck.random(r, 18, 1);
        double[] numeric = FiniteDifferences.gradient(x, p -> FiniteDifferences.dot(dy, run(k, 3, 2, p)));
        FiniteDifferences.assertMatches(run(k, 3, 2, dy), numeric, "dropout dx");
    }

    @Test void rateZeroIsTheIdentityAndRateOneDropsEverything() {
        float[] x = {1, -2, 3};
        assertThat(run(new Dropout("ref", Dim.of(3), 0, 1), 0, x)).containsExactly(x);
        assertThat(run(new Dropout("ref", Dim.of(3), 1, 1), 0, x)).containsExactly(0, 0, 0);
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(16);
        OpenClTable table = new OpenClTable();
        for (Dim size : List.of(Dim.batch(1), Dim.batch(7), Dim.of(13))) {
            Kernel k = new Dropout("t_dropout_" + size.per() + size.batched(), size, 0.25f, size.per());
            for (int batch : new int[] {1, 37}) table.add(k, batch, batch, 0, KernelCheck.random(r, size.at(batch), 1), new float[size.at(batch)]);
        }
        table.assertSame();
    }

    private static float[] run(Dropout k, int step, float[] x) { return run(k, 1, step, x); }

    private static float[] run(Dropout k, int batch, int step, float[] x) {
        float[] y = new float[x.length];
        k.reference(batch, step, new float[][] {x, y});
        return y;
    }
}
