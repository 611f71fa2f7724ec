package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Java forward pass, input gradient and weight gradient of valid stride-1 convolutions by bands
 * ({@link Bands}) against the definitions, summed in double here: y[n, o, oh, ow] = Σ weight[o, c,
 * i, j] · x[n, c, oh + i·dh, ow + j·dw], dx[n, c, ih, iw] = Σ weight[o, c, i, j] · dy[n, o, ih − i·dh,
 * iw − j·dw] over the outputs that exist, and dweight[o, c, i, j] = Σ dy[n, o, oh, ow] · x[n, c,
 * oh + i·dh, ow + j·dw].
 */
class BandsTest {
    private static final List<ConvGeom> VALID = List.of(
            ConvGeom.of(6, 16, new long[] {14, 14}, new long[] {5, 5}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}),   // LeNet-5's second
            ConvGeom.of(3, 4, new long[] {9, 13}, new long[] {3, 3}, new long[] {1, 1}, new long[] {0, 0}, new long[] {2, 3}),     // dilated
            ConvGeom.of(2, 3, new long[] {20}, new long[] {4}, new long[] {1}, new long[] {0}, new long[] {1}),                    // 1-D
            ConvGeom.of(1, 2, new long[] {7, 11}, new long[] {2, 5}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}));   // one input channel

    @Test void bandsGiveTheDefinitionsSums() {
        Random r = new Random(51);
        for (ConvGeom g : VALID) {
            int batch = 11, w = (int) (g.outChannels() * g.taps());
            float[] dy = KernelCheck.random(r, (int) (g.outChannels() * g.outVolume()) * batch, 1), weight = KernelCheck.random(r, w, 1);
            assertThat(Bands.applies(g, weight, w)).as("%s", g).isTrue();
            float[] dx = new float[(int) (g.inChannels() * g.inVolume()) * batch];
            java.util.Arrays.fill(dx, Float.NaN);   // overwritten
            new ConvBackwardData("d", g).reference(batch, 0, new float[][] {dy, weight, dx});
            KernelCheck.assertClose(dx, definition(g, batch, dy, weight), Math.max(1e-5, 2e-7 * g.outChannels() * g.kernelVolume()), g.toString());
        }
    }

    // The forward pass by bands, whose last example's last bands read past the end of x (zeros there,
    // dropped with the extra columns), against the definition; y is overwritten.
    @Test void forwardBandsGiveTheDefinitionsSums() {
        Random r = new Random(53);
        for (ConvGeom g : VALID) {
            int batch = 11, inC = (int) g.inChannels(), outC = (int) g.outChannels();
            int ih = (int) g.in()[1], iw = (int) g.in()[2], oh = (int) g.out()[1], ow = (int) g.out()[2], kh = (int) g.kernel()[1], kw = (int) g.kernel()[2];
            int dh = (int) g.dilation()[1], dw = (int) g.dilation()[2];
            float[] x = KernelCheck.random(r, inC * ih * iw * batch, 1), weight = KernelCheck.random(r, (int) (outC * g.taps()), 1);
            float[] y = new float[outC * oh * ow * batch];
            java.util.Arrays.fill(y, Float.NaN);
            new ConvForward("f", g).reference(batch, 0, new float[][] {x, weight, y});
            double[] want = new double[y.length];
            for (int n = 0; n < batch; n++) {
                for (int o = 0; o < outC; o++) {
                    for (int py = 0; py < oh; py++) {
                        for (int px = 0; px < ow; px++) {
                            double sum = 0;
                            for (int c = 0; c < inC; c++) {
                                for (int i = 0; i < kh; i++) {
                                    for (int j = 0; j < kw; j++) {
                                        sum += (double) weight[((o * inC + c) * kh + i) * kw + j] * x[((n * inC + c) * ih + py + i * dh) * iw + px + j * dw];
                                    }
                                }
                            }
                            want[((n * outC + o) * oh + py) * ow + px] = sum;
                        }
                    }
                }
            }
            KernelCheck.assertClose(y, want, Math.max(1e-5, 2e-7 * g.taps()), g.toString());
        }
    }

    // The weight gradient by bands (dy's bands with zeros in the extra columns, times x's) against
    // the definition; with a NaN in x, the unfolded product instead, so that the NaN reaches the
    // weights whose taps read it and no others (an extra column's 0 · NaN would reach others).
    @Test void weightGradientBandsGiveTheDefinitionsSums() {
        Random r = new Random(54);
        for (ConvGeom g : VALID) {
            int batch = 11, inC = (int) g.inChannels(), outC = (int) g.outChannels();
            int ih = (int) g.in()[1], iw = (int) g.in()[2], oh = (int) g.out()[1], ow = (int) g.out()[2], kh = (int) g.kernel()[1], kw = (int) g.kernel()[2];
            int dh = (int) g.dilation()[1], dw = (int) g.dilation()[2];
            for (boolean nan : new boolean[] {false, true}) {
                float[] x = KernelCheck.random(r, inC * ih * iw * batch, 1), dy = KernelCheck.random(r, outC * oh * ow * batch, 1);
                if (nan) x[(2 * inC * ih + 1) * iw] = Float.NaN;   // example 2, channel 0, row 1, column 0
                assertThat(Bands.finiteInput(g, x, batch)).isEqualTo(!nan);
                float[] dW = new float[(int) (outC * g.taps())];
                java.util.Arrays.fill(dW, 7f);   // overwritten
                new ConvBackwardWeight("w", g).reference(batch, 0, new float[][] {x, dy, dW});
                double[] want = new double[dW.length];
                for (int o = 0; o < outC; o++) {
                    for (int c = 0; c < inC; c++) {
                        for (int i = 0; i < kh; i++) {
                            for (int j = 0; j < kw; j++) {
                                double sum = 0;
                                for (int n = 0; n < batch; n++) {
                                    for (int py = 0; py < oh; py++) {
                                        for (int px = 0; px < ow; px++) {
                                            sum += (double) dy[((n * outC + o) * oh + py) * ow + px] * x[((n * inC + c) * ih + py + i * dh) * iw + px + j * dw];
                                        }
                                    }
                                }
                                want[((o * inC + c) * kh + i) * kw + j] = sum;
                            }
                        }
                    }
                }
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
        int batch = 3, w = (int) (g.outChannels() * g.taps());
        float[] dy = KernelCheck.random(r, (int) (g.outChannels() * g.outVolume()) * batch, 1), weight = KernelCheck.random(r, w, 1);
        weight[0] = Float.POSITIVE_INFINITY;   // output channel 0, input channel 0, the kernel's top left
        assertThat(Bands.applies(g, weight, w)).isFalse();
        float[] dx = new float[(int) (g.inChannels() * g.inVolume()) * batch];
        new ConvBackwardData("d", g).reference(batch, 0, new float[][] {dy, weight, dx});
        double[] want = definition(g, batch, dy, weight);
        for (int i = 0; i < dx.length; i++) {
            assertThat(Float.isFinite(dx[i])).as("dx[%d]", i).isEqualTo(Double.isFinite(want[i]));
        }
        // the top left tap reads input rows and columns 0 .. 9 of channel 0: 100 inputs an example
        long notFinite = java.util.stream.IntStream.range(0, dx.length).filter(i -> !Float.isFinite(dx[i])).count();
        assertThat(notFinite).isEqualTo(100L * batch);
    }

    private static double[] definition(ConvGeom g, int batch, float[] dy, float[] weight) {
        int inC = (int) g.inChannels(), outC = (int) g.outChannels(), ih = (int) g.in()[1], iw = (int) g.in()[2];
        int oh = (int) g.out()[1], ow = (int) g.out()[2], kh = (int) g.kernel()[1], kw = (int) g.kernel()[2];
        int dh = (int) g.dilation()[1], dw = (int) g.dilation()[2];
        double[] dx = new double[batch * inC * ih * iw];
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < inC; c++) {
                for (int y = 0; y < ih; y++) {
                    for (int x = 0; x < iw; x++) {
                        double sum = 0;
                        for (int o = 0; o < outC; o++) {
                            for (int i = 0; i < kh; i++) {
                                for (int j = 0; j < kw; j++) {
                                    int py = y - i * dh, px = x - j * dw;
                                    if (py < 0 || py >= oh || px < 0 || px >= ow) continue;
                                    sum += (double) weight[((o * inC + c) * kh + i) * kw + j] * dy[((n * outC + o) * oh + py) * ow + px];
                                }
                            }
                        }
                        dx[((n * inC + c) * ih + y) * iw + x] = sum;
                    }
                }
            }
        }
        return dx;
    }
}
