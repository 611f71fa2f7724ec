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

    /**
     * The JVM's vectorized blocks give the bits of the definition, a select per element (NaN, ±∞, −0
     * and subnormals included, kept or dropped), over sizes around the block and in place.
     */
    @Test void theBlocksGiveTheDefinitionsBits() {
        Random r = new Random(17);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, Float.MIN_VALUE, -Float.MAX_VALUE};
        for (int n : new int[] {1, Bits.BLOCK - 1, Bits.BLOCK, Bits.BLOCK + 1, 3 * Bits.BLOCK + 5, 70_001}) {
            for (float rate : new float[] {0f, 0.2f, 0.5f, 0.999f, 1f}) {
                Dropout k = new Dropout("ref", Dim.of(n), rate, n * 31L + 7);
                float[] x = KernelCheck.random(r, n, 3);
                for (int i = 0; i < n; i++) if (r.nextInt(10) == 0) x[i] = specials[r.nextInt(specials.length)];
                float[] expected = definition(k, 9, x), inPlace = x.clone();
                k.reference(1, 9, new float[][] {inPlace, inPlace});
                for (int i = 0; i < n; i++) {
                    assertThat(Float.floatToRawIntBits(run(k, 9, x)[i])).as("n %d rate %s element %d of %s", n, rate, i, x[i])
                            .isEqualTo(Float.floatToRawIntBits(expected[i]));
                    assertThat(Float.floatToRawIntBits(inPlace[i])).isEqualTo(Float.floatToRawIntBits(expected[i]));
                }
            }
        }
    }

    /** keepFrom is the least u with u·2⁻²⁴ ≥ rate, for rates on and between the 2⁻²⁴ grid. */
    @Test void keepFromIsTheLeastKeptDraw() {
        Random r = new Random(18);
        for (int t = 0; t < 10_000; t++) {
            float rate = t < 3 ? new float[] {0f, 1f, 0x1p-24f}[t] : t % 2 == 0 ? r.nextFloat() : r.nextInt(1 << 24) * 0x1p-24f;
            int from = new Dropout("k", Dim.of(1), rate, 0).keepFrom();
            if (from < (1 << 24)) assertThat(from * 0x1p-24f).as("rate " + rate).isGreaterThanOrEqualTo(rate);
            if (from > 0) assertThat((from - 1) * 0x1p-24f).as("rate " + rate).isLessThan(rate);
        }
    }

    /** The definition: u = lowbias32 (Dropout.hash) of (stream + i), top 24 bits; kept (x·scale) when u·2⁻²⁴ ≥ rate, else +0. */
    private static float[] definition(Dropout k, int step, float[] x) {
        int stream = Dropout.hash(Dropout.hash((int) (k.seed() >>> 32) ^ Dropout.hash((int) k.seed())) ^ step);
        float scale = k.rate() < 1 ? 1f / (1f - k.rate()) : 0f;
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (Dropout.hash(stream + i) >>> 8) * 0x1p-24f >= k.rate() ? x[i] * scale : 0f;
        return y;
    }

    private static float[] run(Dropout k, int step, float[] x) { return run(k, 1, step, x); }

    private static float[] run(Dropout k, int batch, int step, float[] x) {
        float[] y = new float[x.length];
        k.reference(batch, step, new float[][] {x, y});
        return y;
    }
}
