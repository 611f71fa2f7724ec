package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Java forward pass, input gradient and weight gradient of valid stride-1 convolutions by bands
 * ({@link Bands}) against the definitions, summed in double here over every product term
 * weight[o, c, i, j] · x[n, c, oh + i·dh, ow + j·dw] of the outputs y[n, o, oh, ow] that exist: y
 * sums them, dx sums weight · dy over the terms that read each input, dweight sums dy · x over the
 * terms of each weight.
 */
class BandsTest {
    private static final List<ConvGeom> VALID = List.of(
            ConvGeom.of(6, 16, new long[] {14, 14}, new long[] {5, 5}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}),   // LeNet-5's second
            ConvGeom.of(3, 4, new long[] {9, 13}, new long[] {3, 3}, new long[] {1, 1}, new long[] {0, 0}, new long[] {2, 3}),     // dilated
            ConvGeom.of(2, 3, new long[] {20}, new long[] {4}, new long[] {1}, new long[] {0}, new long[] {1}),                    // 1-D
            ConvGeom.of(1, 2, new long[] {7, 11}, new long[] {2, 5}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}));   // one input channel
    private static final int BATCH = 11;

    /** One product term of the convolution, by the flat indices of its input, output and weight. */
    @FunctionalInterface
    private interface Term {
        void at(int x, int y, int w);
    }

    /** Every product term of {@code g} over a batch. */
    private static void terms(ConvGeom g, int batch, Term term) {
        int inC = (int) g.inChannels(), outC = (int) g.outChannels(), ih = (int) g.in()[1], iw = (int) g.in()[2];
        int oh = (int) g.out()[1], ow = (int) g.out()[2], kh = (int) g.kernel()[1], kw = (int) g.kernel()[2];
        int dh = (int) g.dilation()[1], dw = (int) g.dilation()[2];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < outC; o++) {
                for (int c = 0; c < inC; c++) {
                    for (int i = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++) {
                            for (int py = 0; py < oh; py++) {
                                for (int px = 0; px < ow; px++) {
                                    term.at(((n * inC + c) * ih + py + i * dh) * iw + px + j * dw, ((n * outC + o) * oh + py) * ow + px,
                                            ((o * inC + c) * kh + i) * kw + j);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int inputs(ConvGeom g, int batch) { return (int) (g.inChannels() * g.inVolume()) * batch; }

    private static int outputs(ConvGeom g, int batch) { return (int) (g.outChannels() * g.outVolume()) * batch; }

    private static int weights(ConvGeom g) { return (int) (g.outChannels() * g.taps()); }

    // The forward pass, whose last example's last bands read past the end of x (zeros there, dropped
    // with the extra columns); y is overwritten.
    @Test void forwardBandsGiveTheDefinitionsSums() {
        Random r = new Random(53);
        for (ConvGeom g : VALID) {
            float[] x = KernelCheck.random(r, inputs(g, BATCH), 1), weight = KernelCheck.random(r, weights(g), 1), y = new float[outputs(g, BATCH)];
            Arrays.fill(y, Float.NaN);
            new ConvForward("f", g).reference(BATCH, 0, new float[][] {x, weight, y});
            double[] want = new double[y.length];
            terms(g, BATCH, (xi, yi, wi) -> want[yi] += (double) weight[wi] * x[xi]);
            KernelCheck.assertClose(y, want, Math.max(1e-5, 2e-7 * g.taps()), g.toString());
        }
    }

    // The input gradient; dx is overwritten.
    @Test void inputGradientBandsGiveTheDefinitionsSums() {
        Random r = new Random(51);
        for (ConvGeom g : VALID) {
            float[] dy = KernelCheck.random(r, outputs(g, BATCH), 1), weight = KernelCheck.random(r, weights(g), 1), dx = new float[inputs(g, BATCH)];
            assertThat(Bands.applies(g, weight, weight.length)).as("%s", g).isTrue();
            Arrays.fill(dx, Float.NaN);
            new ConvBackwardData("d", g).reference(BATCH, 0, new float[][] {dy, weight, dx});
            double[] want = new double[dx.length];
            terms(g, BATCH, (xi, yi, wi) -> want[xi] += (double) weight[wi] * dy[yi]);
            KernelCheck.assertClose(dx, want, Math.max(1e-5, 2e-7 * g.outChannels() * g.kernelVolume()), g.toString());
        }
    }

    // The weight gradient (dy's bands with zeros in the extra columns, times x's); with a NaN in x,
    // the unfolded product instead, so that the NaN reaches the weights whose taps read it and no
    // others (an extra column's 0 · NaN would reach others). dweight is overwritten.
    @Test void weightGradientBandsGiveTheDefinitionsSums() {
        Random r = new Random(54);
        for (ConvGeom g : VALID) {
            for (boolean nan : new boolean[] {false, true}) {
                float[] x = KernelCheck.random(r, inputs(g, BATCH), 1), dy = KernelCheck.random(r, outputs(g, BATCH), 1), dW = new float[weights(g)];
                if (nan) x[(int) ((2 * g.inChannels() * g.in()[1] + 1) * g.in()[2])] = Float.NaN;   // example 2, channel 0, row 1 (1-D: channel 1), column 0
                assertThat(Bands.finiteInput(g, x, BATCH)).isEqualTo(!nan);
                Arrays.fill(dW, 7f);
                new ConvBackwardWeight("w", g).reference(BATCH, 0, new float[][] {x, dy, dW});
                double[] want = new double[dW.length];
                terms(g, BATCH, (xi, yi, wi) -> want[wi] += (double) dy[yi] * x[xi]);
                for (int e = 0; e < dW.length; e++) {
                    assertThat(Float.isNaN(dW[e])).as("%s dweight[%d], NaN in x %s", g, e, nan).isEqualTo(Double.isNaN(want[e]));
                    if (!Double.isNaN(want[e])) assertThat(Math.abs(dW[e] - want[e]) / (1 + Math.abs(want[e]))).as("%s dweight[%d]", g, e).isLessThan(1e-4);
                }
            }
        }
    }

    // An infinite weight reaches the inputs its tap reads and no others, as in PyTorch: the band's
    // extra columns (zeros) would carry inf · 0 = NaN to the others, so such weights take the fold.
    @Test void aWeightThatIsNotFiniteReachesOnlyTheInputsItsTapReads() {
        ConvGeom g = VALID.get(0);
        Random r = new Random(52);
        int batch = 3;
        float[] dy = KernelCheck.random(r, outputs(g, batch), 1), weight = KernelCheck.random(r, weights(g), 1), dx = new float[inputs(g, batch)];
        weight[0] = Float.POSITIVE_INFINITY;   // output channel 0, input channel 0, the kernel's top left
        assertThat(Bands.applies(g, weight, weight.length)).isFalse();
        new ConvBackwardData("d", g).reference(batch, 0, new float[][] {dy, weight, dx});
        double[] want = new double[dx.length];
        terms(g, batch, (xi, yi, wi) -> want[xi] += (double) weight[wi] * dy[yi]);
        for (int i = 0; i < dx.length; i++) {
            assertThat(Float.isFinite(dx[i])).as("dx[%d]", i).isEqualTo(Double.isFinite(want[i]));
        }
        // the top left tap reads input rows and columns 0 .. 9 of channel 0: 100 inputs an example
        long notFinite = java.util.stream.IntStream.range(0, dx.length).filter(i -> !Float.isFinite(dx[i])).count();
        assertThat(notFinite).isEqualTo(100L * batch);
    }
}
