package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dln.runtime.Backend;
import dln.runtime.Buffer;
import dln.runtime.kernel.Kernel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** BiasAct, ActGrad and BiasGrad: a layer's bias and activation, and their gradients. */
class BiasActTest {
    private static final float ALPHA = 0.1f;

    @Test void knownActivationValues() {
        // z = y + bias with bias 0.5: z = [-1.5, -0.5, 0, 0.5, 1.5]. Published values: sigmoid(0) = 0.5,
        // sigmoid(1.5) = 0.81757448, tanh(0.5) = 0.46211716, elu(-1.5) = 0.1·(e^-1.5 − 1) = -0.077686984,
        // gelu and silu from Python's math.erf and math.exp.
        float[] y = {-2, -1, -0.5f, 0, 1}, bias = {0.5f};
        float[][] want = {
            {-1.5f, -0.5f, 0, 0.5f, 1.5f},                               // linear
            {0, 0, 1, 1, 1},                                             // step: 1 from 0 on
            {0.18242552f, 0.37754067f, 0.5f, 0.62245935f, 0.81757448f}, // sigmoid
            {-0.90514825f, -0.46211716f, 0, 0.46211716f, 0.90514825f},  // tanh
            {0, 0, 0, 0.5f, 1.5f},                                       // relu
            {-0.15f, -0.05f, 0, 0.5f, 1.5f},                             // leaky_relu, alpha 0.1
            {-0.077686984f, -0.039346934f, 0, 0.5f, 1.5f},               // elu, alpha 0.1
            {-0.1002108f, -0.15426877f, 0, 0.34573123f, 1.3997892f},      // gelu: z/2·(1 + erf(z/√2))
            {-0.27363829f, -0.18877033f, 0, 0.31122967f, 1.2263617f},     // silu: z·sigmoid(z)
        };
        OpenClTable table = new OpenClTable();
        for (Act act : Act.values()) table.add(new BiasAct("t_bias_act_" + act, Dim.batch(1), 1, 5, true, act, ALPHA), 1, 0, 1e-6, bias, y);
        List<float[][]> out = table.assertSame();
        for (Act act : Act.values()) {
            float[] got = out.get(act.ordinal())[1];
            for (int i = 0; i < 5; i++) assertThat(got[i]).as("%s(%s)", act, y[i] + 0.5f).isCloseTo(want[act.ordinal()][i], within(1e-6f));
        }
    }

    // gelu's erfc against Python's math.erfc, relative error within its bound of 1.2e-7, far into both tails
    @Test void erfcIsWithinItsBound() {
        double[][] known = {{0, 1}, {0.5, 0.4795001221869535}, {-1, 1.8427007929497148}, {2, 0.004677734981047266},
            {4, 1.541725790028002e-08}, {-3, 1.9999779095030015}, {8, 1.1224297172982928e-29}};
        for (double[] k : known) assertThat(Act.erfc(k[0])).as("erfc(%s)", k[0]).isCloseTo(k[1], within(1.2e-7 * k[1]));
    }

    // PyTorch: relu, leaky_relu, elu, sigmoid and tanh of NaN are NaN; torch.heaviside(nan, 1), DLN's
    // step, is 0. Over the OpenCL kernel's three forms: four elements a work-item with a remainder
    // (no bias, 13 values), with a bias per channel of 12 positions, and one element a work-item (a
    // bias, 13 positions); NaN at the ends and inside a quad, next to ±∞.
    @Test void nanGoesThroughEveryActivationAsInPyTorch() {
        float nan = Float.NaN, inf = Float.POSITIVE_INFINITY;
        float[] y = {nan, -1, -inf, inf, 2, nan, 0, -0.5f, 1, 3, nan, -2, nan};
        OpenClTable table = new OpenClTable();
        for (Act act : Act.values()) {
            table.add(new BiasAct("t_bias_act_nan_" + act, Dim.batch(1), 1, 13, false, act, ALPHA), 1, 0, 1e-6, y);
            table.add(new BiasAct("t_bias_act_nan_quads_" + act, Dim.batch(1), 1, 12, true, act, ALPHA), 1, 0, 1e-6,
                    new float[1], Arrays.copyOf(y, 12));
            table.add(new BiasAct("t_bias_act_nan_ones_" + act, Dim.batch(1), 1, 13, true, act, ALPHA), 1, 0, 1e-6, new float[1], y);
        }
        List<float[][]> out = table.assertSame();
        for (Act act : Act.values()) {
            int at = 3 * act.ordinal();
            float[] want = new float[y.length];
            for (int i = 0; i < y.length; i++) want[i] = Float.isNaN(y[i]) ? (act == Act.STEP ? 0 : nan) : act.apply(y[i], ALPHA);
            assertThat(out.get(at)[0]).as("%s", act).containsExactly(want);
            assertThat(out.get(at + 1)[1]).as("%s, quads with a bias", act).containsExactly(Arrays.copyOf(want, 12));
            assertThat(out.get(at + 2)[1]).as("%s, one element a work-item", act).containsExactly(want);
        }
        assertThat(out.get(3 * Act.RELU.ordinal())[0]).as("relu").containsExactly(nan, 0, 0, inf, 2, nan, 0, 0, 1, 3, nan, 0, nan);
    }

    @Test void biasIsPerChannel() {
        // y [2 rows, 2 channels, 3 positions] of zeros plus bias [10, 20]
        float[][] out = KernelCheck.sameOnOpenCl(new BiasAct("t_bias_channels", Dim.batch(1), 2, 3, true, Act.LINEAR, 0), 2, 0, 0,
                new float[] {10, 20}, new float[12]);
        assertThat(out[1]).containsExactly(10, 10, 10, 20, 20, 20, 10, 10, 10, 20, 20, 20);
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(21);
        long[][] shapes = {{1, 1}, {5, 7}, {3, 1}, {300, 1}, {1, 33}, {4, 32}, {2, 49}};
        OpenClTable table = new OpenClTable();
        for (Act act : Act.values()) {
            long[] s = shapes[act.ordinal() % shapes.length];
            long c = s[0], sp = s[1];
            boolean bias = act.ordinal() % 2 == 0;
            for (int batch : new int[] {1, 37}) {
                int n = (int) (2 * c * sp) * batch;
                float[] y = KernelCheck.random(r, n, 2), dy = KernelCheck.random(r, n, 1);
                BiasAct forward = new BiasAct("t_bias_act_shapes_" + act, Dim.batch(2), c, sp, bias, act, ALPHA);
                table.add(forward, batch, 0, 1e-6, bias ? new float[][] {KernelCheck.random(r, (int) c, 1), y} : new float[][] {y});
                table.add(new ActGrad("t_act_grad_" + act, Dim.batch(2 * c * sp), act, ALPHA), batch, 0, 1e-6,
                        gradInput(act, y), dy, new float[n]);
            }
        }
        // with a bias, four elements a work-item where they share one bias value (spatial 12) or take
        // four consecutive ones (a dense layer of 8)
        for (Act act : Act.values()) {
            for (long[] s : new long[][] {{8, 1}, {3, 12}}) {
                int n = (int) (2 * s[0] * s[1]) * 37;
                table.add(new BiasAct("t_bias_act_quads_" + act + "_" + s[1], Dim.batch(2), s[0], s[1], true, act, ALPHA), 37, 0, 1e-6,
                        KernelCheck.random(r, (int) s[0], 1), KernelCheck.random(r, n, 2));
            }
        }
        for (long[] s : shapes) {
            for (int batch : new int[] {1, 37}) {
                int n = (int) (3 * s[0] * s[1]) * batch;
                // a sum of up to 3·37·33 terms of size 1 on different orders: float error well under 1e-5
                table.add(new BiasGrad("t_bias_grad_" + s[0] + "_" + s[1], Dim.batch(3), s[0], s[1]), batch, 0, 1e-5,
                        KernelCheck.random(r, n, 1), new float[(int) s[0]]);
            }
        }
        // 900 rows of a dense layer's bias: several blocks of 256 on OpenCL.
        table.add(new BiasGrad("t_bias_grad_many_rows", Dim.batch(3), 5, 1), 300, 0, 1e-4,
                KernelCheck.random(r, 3 * 5 * 300, 1), new float[5]);
        table.assertSame();
    }

    /**
     * relu's derivative, made a block at a time from y's bits, is the definition's bit for bit: dy where
     * y > 0, dy·0 elsewhere (y = ±0, NaN, negative), over sizes around the block and in place.
     */
    @Test void reluGradBlocksGiveTheDefinitionsBits() {
        Random r = new Random(21);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -1f};
        for (int n : new int[] {1, Bits.BLOCK - 1, Bits.BLOCK, Bits.BLOCK + 1, 3 * Bits.BLOCK + 5, 40_003}) {
            float[] y = KernelCheck.random(r, n, 2), dy = KernelCheck.random(r, n, 2);
            for (int i = 0; i < n; i++) {
                if (r.nextInt(4) == 0) y[i] = specials[r.nextInt(specials.length)];
                if (r.nextInt(8) == 0) dy[i] = specials[r.nextInt(specials.length)];
            }
            float[] dz = new float[n], inPlace = dy.clone();
            new ActGrad("ref", Dim.of(n), Act.RELU, 0).reference(1, 0, new float[][] {y, dy, dz});
            new ActGrad("ref", Dim.of(n), Act.RELU, 0).reference(1, 0, new float[][] {y, inPlace, inPlace});
            for (int i = 0; i < n; i++) {
                float expected = dy[i] * (y[i] > 0 ? 1f : 0f);
                assertThat(Float.floatToRawIntBits(dz[i])).as("n %d: y %s dy %s", n, y[i], dy[i]).isEqualTo(Float.floatToRawIntBits(expected));
                assertThat(Float.floatToRawIntBits(inPlace[i])).isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    @Test void actGradMayOverwriteDy() {
        float[] y = {0.5f, -0.25f, 2}, dy = {1, 2, 3};
        Kernel k = new ActGrad("t_act_grad_in_place", Dim.of(3), Act.LEAKY_RELU, ALPHA);
        for (Backend backend : new Backend[] {Backends.jvm(), Backends.opencl()}) {
            if (backend == null) continue;
            backend.compile(List.of(k));
            Buffer yb = backend.allocate(3), d = backend.allocate(3);
            backend.write(yb, y);
            backend.write(d, dy);
            backend.launch(k, 1, 0, yb, d, d);
            float[] got = new float[3];
            backend.read(d, got);
            assertThat(got).as(backend.description()).containsExactly(1, 0.2f, 3);
        }
    }

    // Gradients against central finite differences of the forward kernel, with FiniteDifferences' step
    // 1e-2 and tolerance 1e-3 relative to 1 + |gradient|: truncation and float rounding stay near 1e-5
    // for these smooth O(1) functions. Inputs keep |z| >= 0.1, away from the kinks of relu, leaky_relu,
    // elu and step, where no difference quotient converges.

    @Test void actGradMatchesFiniteDifferences() {
        Random r = new Random(22);
        int n = 24;
        float[] z = new float[n];
        for (int i = 0; i < n; i++) z[i] = (float) ((0.1 + 1.5 * r.nextDouble()) * (i % 2 == 0 ? 1 : -1));
        float[] dy = KernelCheck.random(r, n, 1);
        for (Act act : Act.values()) {
            double[] numeric = FiniteDifferences.gradient(z, p -> FiniteDifferences.dot(dy, activate(act, p)));
            float[] dz = new float[n];
            new ActGrad("fd", Dim.of(n), act, ALPHA).reference(1, 0, new float[][] {gradInput(act, z), dy, dz});
            FiniteDifferences.assertMatches(dz, numeric, act + " dz");
        }
    }

    @Test void biasGradMatchesFiniteDifferences() {
        Random r = new Random(23);
        int rows = 3, channels = 4, spatial = 5, n = rows * channels * spatial;
        float[] y = KernelCheck.random(r, n, 1), dy = KernelCheck.random(r, n, 1), bias = KernelCheck.random(r, channels, 1);
        BiasAct forward = new BiasAct("fd", Dim.batch(1), channels, spatial, true, Act.TANH, 0);
        double[] numeric = FiniteDifferences.gradient(bias, b -> {
            float[] out = y.clone();
            forward.reference(rows, 0, new float[][] {b, out});
            return FiniteDifferences.dot(dy, out);
        });
        // through tanh: dz = dy·(1 − out²), then dbias sums dz
        float[] out = y.clone(), dz = new float[n], dbias = new float[channels];
        forward.reference(rows, 0, new float[][] {bias, out});
        new ActGrad("fd", Dim.of(n), Act.TANH, 0).reference(1, 0, new float[][] {out, dy, dz});
        new BiasGrad("fd", Dim.batch(1), channels, spatial).reference(rows, 0, new float[][] {dz, dbias});
        FiniteDifferences.assertMatches(dbias, numeric, "dbias");
    }

    /** What ActGrad reads for inputs z: the activation's outputs, or z itself for gelu and silu. */
    private static float[] gradInput(Act act, float[] z) { return act.gradFromOutput() ? activate(act, z) : z; }

    private static float[] activate(Act act, float[] z) {
        float[] y = z.clone();
        new BiasAct("ref", Dim.of(z.length), 1, 1, false, act, ALPHA).reference(1, 0, new float[][] {y});
        return y;
    }
}
