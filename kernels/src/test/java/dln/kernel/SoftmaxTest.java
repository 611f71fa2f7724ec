package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dln.runtime.jvm.JvmBackend;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxTest {
    // rows within one float16 (1-15: every tail of lanes), exactly one (16), and across several (33, 257)
    private static final long[] WIDTHS = {1, 2, 3, 10, 15, 16, 33, 257};

    @Test void softmaxOfOneTwoThree() {
        // e^(x - 3) / Σ: the well-known values 0.09003057, 0.24472847, 0.66524096.
        float[][] out = KernelCheck.sameOnOpenCl(new Softmax("t_softmax_123", Dim.batch(1), 3), 1, 0, 1e-6,
                new float[] {1, 2, 3}, new float[3]);
        assertThat(out[1][0]).isCloseTo(0.09003057f, within(1e-7f));
        assertThat(out[1][1]).isCloseTo(0.24472847f, within(1e-7f));
        assertThat(out[1][2]).isCloseTo(0.66524096f, within(1e-7f));
    }

    // The reference's exponential in float arithmetic against the correctly rounded one (Math.exp in
    // double, rounded once) over every float a softmax can give it and beyond: within 1 ulp where
    // the result is normal, within one subnormal step below, and the edges exact.
    @Test void expWithinOneUlpOfTheCorrectlyRoundedOne() {
        int checked = 0;
        for (int magnitude = Float.floatToRawIntBits(104f); magnitude > 0; magnitude -= 997) {
            checked += expCloseTo(-Float.intBitsToFloat(magnitude));
        }
        for (float x = 0; x <= 88.72f; x += 0.000731f) checked += expCloseTo(x);
        assertThat(checked).isGreaterThan(1_000_000);
        assertThat(Softmax.exp(0f)).isEqualTo(1f);
        assertThat(Softmax.exp(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(Softmax.exp(-200f)).isEqualTo(0f);
        assertThat(Softmax.exp(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Softmax.exp(89f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Softmax.exp(Float.NaN)).isNaN();
        assertThat(Softmax.exp(-100f)).isCloseTo((float) Math.exp(-100), within(Float.MIN_VALUE));
    }

    private static int expCloseTo(float x) {
        float want = (float) Math.exp(x), got = Softmax.exp(x);
        float tolerance = want >= Float.MIN_NORMAL ? Math.ulp(want) : Float.MIN_VALUE;
        if (Math.abs(got - want) > tolerance) throw new AssertionError("exp(" + x + ") = " + got + ", not " + want);
        return 1;
    }

    @Test void largeInputsDoNotOverflow() {
        float[][] out = KernelCheck.sameOnOpenCl(new Softmax("t_softmax_large", Dim.batch(1), 2), 2, 0, 1e-6,
                new float[] {1000, 1000, -1000, 80}, new float[4]);
        assertThat(out[1]).containsExactly(0.5f, 0.5f, 0f, 1f);
    }

    // torch.softmax of a row holding NaN (or +∞, where ∞ − ∞ is NaN) is NaN throughout; other rows
    // are untouched.
    @Test void aRowHoldingNanIsNanThroughout() {
        float nan = Float.NaN;
        float[][] out = new OpenClTable().add(new Softmax("t_softmax_nan", Dim.batch(1), 3), 3, 0, 1e-6,
                new float[] {1, nan, 3, Float.POSITIVE_INFINITY, 0, 1, 0, 0, 0}, new float[9]).assertSame().get(0);
        assertThat(out[1]).startsWith(nan, nan, nan, nan, nan, nan);
        assertThat(out[1][6]).isCloseTo(1 / 3f, within(1e-7f));
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(2);
        OpenClTable table = new OpenClTable();
        for (long w : WIDTHS) {
            for (int batch : new int[] {1, 37}) {
                int n = (int) w * batch * 3;
                table.add(new Softmax("t_softmax_w" + w, Dim.batch(3), w), batch, 0, 1e-5,
                        KernelCheck.random(r, n, 3), new float[n]);
                table.add(new SoftmaxGrad("t_softmax_grad_w" + w, Dim.batch(3), w), batch, 0, 1e-5,
                        softmaxOf(KernelCheck.random(r, n, 3), w), KernelCheck.random(r, n, 1), new float[n]);
            }
        }
        table.assertSame();
    }

    @Test void gradientMatchesFiniteDifferences() {
        Random r = new Random(3);
        for (long w : new long[] {1, 2, 5}) {
            int rows = 4, n = rows * (int) w;
            float[] x = KernelCheck.random(r, n, 2), dy = KernelCheck.random(r, n, 1);
            double[] numeric = FiniteDifferences.gradient(x, p -> FiniteDifferences.dot(dy, softmaxOf(p, w)));
            float[] dx = new float[n];
            new SoftmaxGrad("fd", Dim.batch(1), w).reference(rows, 0, new float[][] {softmaxOf(x, w), dy, dx});
            FiniteDifferences.assertMatches(dx, numeric, "softmax dx, width " + w);
        }
    }

    static float[] softmaxOf(float[] x, long width) {
        float[][] out = KernelCheck.run(new JvmBackend(), new Softmax("ref", Dim.batch(1), width), x.length / (int) width, 0,
                x, new float[x.length]);
        return out[1];
    }
}
