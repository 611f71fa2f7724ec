package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dln.runtime.kernel.Choice;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConvTest {
    /** 1-D, 2-D and 3-D geometries mixing stride, padding and dilation, with channel counts around the 12-channel block. */
    private static final List<ConvGeom> SHAPES = List.of(
            ConvGeom.of(3, 5, new long[] {17}, new long[] {3}, new long[] {1}, new long[] {1}, new long[] {1}),
            ConvGeom.of(2, 13, new long[] {40}, new long[] {3}, new long[] {2}, new long[] {0}, new long[] {2}),
            ConvGeom.of(3, 13, new long[] {9, 11}, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}),
            ConvGeom.of(6, 16, new long[] {14, 14}, new long[] {5, 5}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}),
            ConvGeom.of(2, 3, new long[] {4, 40}, new long[] {3, 5}, new long[] {1, 1}, new long[] {1, 2}, new long[] {1, 2}),
            ConvGeom.of(2, 4, new long[] {5, 6, 7}, new long[] {3, 2, 3}, new long[] {2, 1, 3}, new long[] {1, 0, 1}, new long[] {1, 2, 1}),
            // "same" convolutions (stride 1, output as large as the input), which the Java side unfolds a plane at a time
            ConvGeom.of(3, 5, new long[] {9, 13}, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}),
            ConvGeom.of(2, 3, new long[] {3, 7, 11}, new long[] {3, 3, 3}, new long[] {1, 1, 1}, new long[] {1, 2, 2}, new long[] {1, 2, 2}),
            // and one whose input gradient the Java side folds back (dy has more than twice the channels)
            ConvGeom.of(1, 4, new long[] {6, 7}, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}),
            // rows under 16 in one wide block of lanes taken by shuffles (ConvRows, RowWeight), with padding and with dilation
            ConvGeom.of(3, 4, new long[] {9, 12}, new long[] {3, 5}, new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}),
            ConvGeom.of(2, 3, new long[] {7, 13}, new long[] {3, 3}, new long[] {1, 1}, new long[] {0, 2}, new long[] {1, 2}),
            // a "same" convolution the flat kernel still computes forward (4 or more input channels; the
            // ones above with fewer go row by row)
            ConvGeom.of(5, 4, new long[] {6, 13}, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1}),
            // stride 2 along rows whose source fits two float16 loads, taken by strided permutes (ConvRows):
            // ResNet's 28 -> 14 and 14 -> 7 and its 1x1 skip, and one with dilation
            ConvGeom.of(3, 13, new long[] {6, 28}, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}),
            ConvGeom.of(4, 5, new long[] {7, 14}, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}),
            ConvGeom.of(4, 5, new long[] {14, 14}, new long[] {1, 1}, new long[] {2, 2}, new long[] {0, 0}, new long[] {1, 1}),
            ConvGeom.of(2, 3, new long[] {5, 13}, new long[] {3, 3}, new long[] {1, 2}, new long[] {1, 2}, new long[] {1, 2}));

    @Test void geometryPadsToThreeDimensionsAndComputesTheOutput() {
        ConvGeom g = ConvGeom.of(3, 8, new long[] {32, 32}, new long[] {5, 5}, new long[] {2, 2}, new long[] {2, 2}, new long[] {1, 1});
        assertThat(g.in()).containsExactly(1, 32, 32);
        assertThat(g.kernel()).containsExactly(1, 5, 5);
        assertThat(g.stride()).containsExactly(1, 2, 2);
        assertThat(g.padding()).containsExactly(0, 2, 2);
        assertThat(g.out()).containsExactly(1, 16, 16);      // floor((32 + 4 − 4 − 1) / 2) + 1
        // dilation 2 spreads a 3-tap kernel over 5: floor((10 + 0 − 2·2 − 1) / 1) + 1 = 6
        assertThat(ConvGeom.of(1, 1, new long[] {10}, new long[] {3}, new long[] {1}, new long[] {0}, new long[] {2}).out()).containsExactly(1, 1, 6);
        assertThat(g).isEqualTo(ConvGeom.of(3, 8, new long[] {1, 32, 32}, new long[] {5, 5}, new long[] {2, 2}, new long[] {2, 2}, new long[] {1, 1}));
        assertThatThrownBy(() -> ConvGeom.of(1, 1, new long[] {2}, new long[] {5}, new long[] {1}, new long[] {0}, new long[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test void fiveByFiveInputThreeByThreeKernelPaddingOneStrideTwo() {
        // x = 1..25 in a 5×5 grid; two filters: all ones (the sum over each window), and a single 1 at
        // the top right tap, which picks x[2i − 1][2j + 1] (0 in the padding). Hand-computed:
        //   window sums: centre (0,0) → 1+2+6+7 = 16, (0,2) → 2+3+4+7+8+9 = 33, (0,4) → 4+5+9+10 = 28,
        //   (2,0) → 6+7+11+12+16+17 = 69, (2,2) → 7+8+9+12+13+14+17+18+19 = 117, (2,4) → 87,
        //   (4,0) → 16+17+21+22 = 76, (4,2) → 123, (4,4) → 19+20+24+25 = 88.
        //   top-right picks: row −1 → 0 0 0; row 1 → x[1][1] = 7, x[1][3] = 9, x[1][5] → 0; row 3 → 17, 19, 0.
        ConvGeom g = ConvGeom.of(1, 2, new long[] {5, 5}, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1});
        assertThat(g.out()).containsExactly(1, 3, 3);
        float[] x = new float[25];
        for (int i = 0; i < 25; i++) x[i] = i + 1;
        float[] w = {1, 1, 1, 1, 1, 1, 1, 1, 1, /* second filter */ 0, 0, 1, 0, 0, 0, 0, 0, 0};
        float[][] out = KernelCheck.sameOnOpenCl(new ConvForward("t_conv_5x5", g), 1, 0, 0, x, w, new float[18]);
        assertThat(out[2]).containsExactly(16, 33, 28, 69, 117, 87, 76, 123, 88, /* second filter */ 0, 0, 0, 7, 9, 0, 17, 19, 0);
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(31);
        OpenClTable table = new OpenClTable();
        for (int s = 0; s < SHAPES.size(); s++) {
            ConvGeom g = SHAPES.get(s);
            int in = (int) (g.inChannels() * g.inVolume()), out = (int) (g.outChannels() * g.outVolume()), w = (int) (g.outChannels() * g.taps());
            for (int batch : new int[] {1, 37}) {
                // Each output is a sum of `terms` products of N(0, 1) values, added in another order than
                // BLAS's: float rounding grows like 6e-8 · terms, so the tolerance is 3 times that (at
                // least 1e-5). A wrong index or a missed tap is off by O(1).
                table.add(new ConvForward("t_conv_fwd_" + s, g), batch, 0, tolerance(g.taps()),
                        KernelCheck.random(r, in * batch, 1), KernelCheck.random(r, w, 1), KernelCheck.random(r, out * batch, 1));
                table.add(new ConvBackwardData("t_conv_bwd_data_" + s, g), batch, 0, tolerance(g.outChannels() * g.kernelVolume()),
                        KernelCheck.random(r, out * batch, 1), KernelCheck.random(r, w, 1), KernelCheck.random(r, in * batch, 1));
                table.add(new ConvBackwardWeight("t_conv_bwd_weight_" + s, g), batch, 0, tolerance(batch * g.outVolume()),
                        KernelCheck.random(r, in * batch, 1), KernelCheck.random(r, out * batch, 1), KernelCheck.random(r, w, 1));
                // and with the bias gradient summed by the same kernel
                table.add(new ConvBackwardWeight("t_conv_bwd_weight_bias_" + s, g, true), batch, 0, tolerance(batch * g.outVolume()),
                        KernelCheck.random(r, in * batch, 1), KernelCheck.random(r, out * batch, 1), KernelCheck.random(r, w, 1),
                        KernelCheck.random(r, (int) g.outChannels(), 1));
            }
        }
        table.assertSame();
    }

    // The weight gradient with the batch split among a group's work-items (WEIGHT_PARTS: each sums
    // its part's examples, the parts are then added in local memory) against the reference, every
    // split on flat planes (2-D and 1-D) and on rows (LeNet's valid 5 x 5, a strided 3-D), with the
    // bias (whose store shares the weights' loop) and, once per shape, without: batches of 1 (all
    // parts but one empty), 37 (parts of unequal size) and 130 (more examples than the largest
    // split). A part left out, counted twice or stored by the wrong work-item is off by O(1). (PoCL
    // builds a kernel with a barrier for each group size, about a second each: hence few shapes.)
    @Test void everySplitOfTheBatchMatchesTheReference() {
        Random r = new Random(34);
        OpenClTable table = new OpenClTable();
        int id = 0;
        for (int s : new int[] {6, 0, 3, 5}) {
            ConvGeom g = SHAPES.get(s);
            assertThat(FlatConv.applies(g)).isEqualTo(s == 6 || s == 0);
            int in = (int) (g.inChannels() * g.inVolume()), out = (int) (g.outChannels() * g.outVolume()), w = (int) (g.outChannels() * g.taps());
            List<Choice> splits = new ConvBackwardWeight("t", g).candidates().stream().filter(c -> c.get(ConvBackwardWeight.PARTS) > 1).toList();
            assertThat(splits).hasSizeGreaterThanOrEqualTo(3);
            for (Choice c : splits) {
                for (boolean bias : c == splits.get(0) ? new boolean[] {false, true} : new boolean[] {true}) {
                    ConvBackwardWeight weight = new ConvBackwardWeight("t_conv_parts_" + id++, g, bias);
                    for (int batch : new int[] {1, 37, 130}) {
                        float[][] bufs = {KernelCheck.random(r, in * batch, 1), KernelCheck.random(r, out * batch, 1),
                                KernelCheck.random(r, w, 1), KernelCheck.random(r, (int) g.outChannels(), 1)};
                        table.add(weight, c, batch, 0, tolerance(batch * g.outVolume()), bias ? bufs : Arrays.copyOf(bufs, 3));
                    }
                }
            }
        }
        table.assertSame();
    }

    // A NaN in the input (in dy for the input gradient) reaches the same outputs on both backends,
    // as it does in PyTorch: those it feeds, and no others. A kernel that multiplied a padding tap or
    // a clamped, unused row by 0 instead of leaving it out would spread it (NaN · 0 is NaN).
    @Test void aNanReachesTheSameOutputsOnBothBackends() {
        Random r = new Random(33);
        OpenClTable table = new OpenClTable();
        for (int s = 0; s < SHAPES.size(); s++) {
            ConvGeom g = SHAPES.get(s);
            int in = (int) (g.inChannels() * g.inVolume()), out = (int) (g.outChannels() * g.outVolume()), w = (int) (g.outChannels() * g.taps());
            int batch = 3;
            float[] x = KernelCheck.random(r, in * batch, 1), dy = KernelCheck.random(r, out * batch, 1);
            x[in] = Float.NaN;     // example 1's first element, which every geometry here reads
            dy[out] = Float.NaN;
            table.add(new ConvForward("t_conv_nan_fwd_" + s, g, new Epilogue(true, Act.RELU, 0)), batch, 0, tolerance(g.taps()),
                    x, KernelCheck.random(r, w, 1), new float[out * batch], KernelCheck.random(r, (int) g.outChannels(), 1));
            table.add(new ConvBackwardData("t_conv_nan_bwd_data_" + s, g), batch, 0, tolerance(g.outChannels() * g.kernelVolume()),
                    dy, KernelCheck.random(r, w, 1), new float[in * batch]);
            table.add(new ConvBackwardWeight("t_conv_nan_bwd_weight_" + s, g), batch, 0, tolerance(batch * g.outVolume()),
                    x, KernelCheck.random(r, out * batch, 1), new float[w]);
        }
        List<float[][]> got = table.assertSame();
        for (int s = 0; s < SHAPES.size(); s++) {
            // the other examples of the batch stay finite; the weight gradient sums over all of them
            assertThat(nans(got.get(3 * s)[2])).as("forward %d", s).isBetween(1, got.get(3 * s)[2].length / 3);
            assertThat(nans(got.get(3 * s + 1)[2])).as("input gradient %d", s).isBetween(1, got.get(3 * s + 1)[2].length / 3);
            assertThat(nans(got.get(3 * s + 2)[2])).as("weight gradient %d", s).isPositive();
        }
    }

    static int nans(float[] a) {
        int n = 0;
        for (float v : a) if (Float.isNaN(v)) n++;
        return n;
    }

    // Every candidate channel block of the forward pass, the input gradient and the weight gradient,
    // built as a build option on the same source, against the reference: row by row (6 -> 16
    // channels, blocks leaving a remainder of 16; the weight gradient's rows by shuffles), in phases
    // of the width stride (3 -> 13, stride 2, on rows of 11 and of 28) and along flat planes (3 -> 5,
    // "same"), the forward with its bias and activation, the weight gradient with and without its bias.
    @Test void everyCandidateChannelBlockMatchesTheReference() {
        Random r = new Random(32);
        OpenClTable table = new OpenClTable();
        int id = 0, batch = 3;
        Epilogue biasRelu = new Epilogue(true, Act.RELU, 0);
        for (ConvGeom g : List.of(SHAPES.get(3), SHAPES.get(2), SHAPES.get(6), SHAPES.get(12))) {
            int in = (int) (g.inChannels() * g.inVolume()) * batch, out = (int) (g.outChannels() * g.outVolume()) * batch;
            int w = (int) (g.outChannels() * g.taps());
            ConvForward forward = new ConvForward("t_conv_cand", g, biasRelu);
            for (Choice c : forward.candidates()) {
                table.add(forward.named("t_conv_cand_" + id++), c, batch, 0, tolerance(g.taps()), KernelCheck.random(r, in, 1),
                        KernelCheck.random(r, w, 1), new float[out], KernelCheck.random(r, (int) g.outChannels(), 1));
            }
            ConvBackwardData data = new ConvBackwardData("t_conv_cand", g);
            for (Choice c : data.candidates()) {
                table.add(data.named("t_conv_cand_" + id++), c, batch, 0, tolerance(g.outChannels() * g.kernelVolume()),
                        KernelCheck.random(r, out, 1), KernelCheck.random(r, w, 1), new float[in]);
            }
            for (boolean bias : new boolean[] {false, true}) {
                ConvBackwardWeight weight = new ConvBackwardWeight("t_conv_cand", g, bias);
                assertThat(weight.candidates().get(0)).isEqualTo(weight.defaults());
                assertThat(weight.candidates()).hasSizeGreaterThan(2).doesNotHaveDuplicates();
                // the splits of the batch have a test of their own (everySplitOfTheBatchMatchesTheReference)
                for (Choice c : weight.candidates().stream().filter(c -> c.get(ConvBackwardWeight.PARTS) == 1).toList()) {
                    float[][] bufs = {KernelCheck.random(r, in, 1), KernelCheck.random(r, out, 1), new float[w], new float[(int) g.outChannels()]};
                    table.add(weight.named("t_conv_cand_" + id++), c, batch, 0, tolerance(batch * g.outVolume()), bias ? bufs : Arrays.copyOf(bufs, 3));
                }
            }
        }
        table.assertSame();
    }

    // A convolution's bias and activation are its epilogue: the same as the convolution followed by
    // BiasAct, bit for bit on the JVM, and on OpenCL (both kernel shapes: flat planes and rows, the
    // 12-channel block split with 13 and 16 channels) within the convolution's rounding, for every
    // activation, with and without a bias.
    @Test void theEpilogueIsTheConvolutionFollowedByBiasAct() {
        Random r = new Random(41);
        OpenClTable table = new OpenClTable();
        int[] shapes = {0, 2, 3, 6, 7};
        for (int s : shapes) {
            ConvGeom g = SHAPES.get(s);
            int in = (int) (g.inChannels() * g.inVolume()), out = (int) (g.outChannels() * g.outVolume()), w = (int) (g.outChannels() * g.taps());
            int batch = 3;
            float[] x = KernelCheck.random(r, in * batch, 1), weight = KernelCheck.random(r, w, 1), bias = KernelCheck.random(r, (int) g.outChannels(), 1);
            for (Act act : Act.values()) {
                for (boolean withBias : new boolean[] {true, false}) {
                    ConvForward fused = new ConvForward("t_conv_epi_" + s + "_" + act + "_" + withBias, g, new Epilogue(withBias, act, 0.1f));
                    float[][] bufs = withBias ? new float[][] {x, weight, new float[out * batch], bias} : new float[][] {x, weight, new float[out * batch]};
                    table.add(fused, batch, 0, tolerance(g.taps()), bufs);
                    float[] want = new float[out * batch];
                    new ConvForward("plain", g).reference(batch, 0, new float[][] {x, weight, want});
                    BiasAct after = new BiasAct("after", Dim.batch(1), g.outChannels(), g.outVolume(), withBias, act, 0.1f);
                    after.reference(batch, 0, withBias ? new float[][] {bias, want} : new float[][] {want});
                    float[][] got = new float[bufs.length][];
                    for (int i = 0; i < bufs.length; i++) got[i] = bufs[i].clone();
                    fused.reference(batch, 0, got);
                    org.assertj.core.api.Assertions.assertThat(got[2]).as("shape %d, %s, bias %s", s, act, withBias).containsExactly(want);
                }
            }
        }
        table.assertSame();
    }

    // At inference a batch norm after the convolution, and the activation after that, are its
    // epilogue: the same as the convolution with its bias, then BatchNormForward with the running
    // statistics, then BiasAct: bit for bit on the JVM, within rounding on OpenCL (flat planes and
    // rows, 13 and 16 channels), with and without the convolution's bias, relu and no activation.
    @Test void aBatchNormAtInferenceAndItsActivationAreTheEpilogue() {
        Random r = new Random(43);
        OpenClTable table = new OpenClTable();
        for (int s : new int[] {0, 2, 3, 6}) {
            ConvGeom g = SHAPES.get(s);
            int in = (int) (g.inChannels() * g.inVolume()), out = (int) (g.outChannels() * g.outVolume()), w = (int) (g.outChannels() * g.taps());
            int batch = 3, channels = (int) g.outChannels();
            float[] x = KernelCheck.random(r, in * batch, 1), weight = KernelCheck.random(r, w, 1), bias = KernelCheck.random(r, channels, 1);
            float[] gamma = KernelCheck.random(r, channels, 1), beta = KernelCheck.random(r, channels, 1), mean = KernelCheck.random(r, channels, 1);
            float[] var = new float[channels];
            for (int c = 0; c < channels; c++) var[c] = 0.1f + r.nextFloat() * 2;
            for (Act act : new Act[] {Act.RELU, Act.LINEAR}) {
                for (boolean withBias : new boolean[] {true, false}) {
                    Epilogue e = new Epilogue(withBias, Act.LINEAR, 0f).withNorm(1e-5f);
                    if (act != Act.LINEAR) e = e.withAct(act, 0f);
                    ConvForward fused = new ConvForward("t_conv_bn_" + s + "_" + act + "_" + withBias, g, e);
                    float[][] bufs = withBias ? new float[][] {x, weight, new float[out * batch], bias, gamma, beta, mean, var}
                            : new float[][] {x, weight, new float[out * batch], gamma, beta, mean, var};
                    table.add(fused, batch, 0, tolerance(g.taps()), bufs);
                    float[] z = new float[out * batch], want = new float[out * batch];
                    new ConvForward("plain", g, new Epilogue(withBias, Act.LINEAR, 0f)).reference(batch, 0,
                            withBias ? new float[][] {x, weight, z, bias} : new float[][] {x, weight, z});
                    new BatchNormForward("bn", channels, g.outVolume(), 0.1f, 1e-5f, false).reference(batch, 0,
                            new float[][] {z, gamma, beta, mean.clone(), var.clone(), new float[channels], new float[channels], want});
                    if (act != Act.LINEAR) new BiasAct("after", Dim.batch(1), channels, g.outVolume(), false, act, 0f).reference(batch, 0, new float[][] {want});
                    float[][] got = new float[bufs.length][];
                    for (int i = 0; i < bufs.length; i++) got[i] = bufs[i].clone();
                    fused.reference(batch, 0, got);
                    org.assertj.core.api.Assertions.assertThat(got[2]).as("shape %d, %s, bias %s", s, act, withBias).containsExactly(want);
                    org.assertj.core.api.Assertions.assertThat(fused.args()).endsWith("norm_weight", "norm_bias", "running_mean", "running_var");
                }
            }
        }
        table.assertSame();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Epilogue(true, Act.RELU, 0f).withNorm(1e-5f))
                .hasMessageContaining("before the activation");
    }

    // Both gradients against central finite differences of the forward pass, loss = Σ r·y, with
    // FiniteDifferences' step 1e-2 and tolerance 1e-3 relative to 1 + |gradient|: the convolution is
    // linear in x and in the weights, so the difference quotient has no truncation error and only
    // float rounding of the outputs (about 1e-5 here) is left.

    @Test void inputGradientMatchesFiniteDifferences() {
        Random r = new Random(32);
        for (ConvGeom g : List.of(SHAPES.get(0), SHAPES.get(2), SHAPES.get(5), SHAPES.get(6), SHAPES.get(7), SHAPES.get(8))) {
            int batch = 2;
            float[] x = KernelCheck.random(r, (int) (g.inChannels() * g.inVolume()) * batch, 1);
            float[] w = KernelCheck.random(r, (int) (g.outChannels() * g.taps()), 1);
            float[] dy = KernelCheck.random(r, (int) (g.outChannels() * g.outVolume()) * batch, 1);
            double[] numeric = FiniteDifferences.gradient(x, p -> FiniteDifferences.dot(dy, forward(g, batch, p, w)));
            float[] dx = new float[x.length];
            new ConvBackwardData("fd", g).reference(batch, 0, new float[][] {dy, w, dx});
            FiniteDifferences.assertMatches(dx, numeric, "dx of " + g);
        }
    }

    @Test void weightGradientMatchesFiniteDifferences() {
        Random r = new Random(33);
        for (ConvGeom g : List.of(SHAPES.get(1), SHAPES.get(2), SHAPES.get(5), SHAPES.get(6), SHAPES.get(7))) {
            int batch = 3;
            float[] x = KernelCheck.random(r, (int) (g.inChannels() * g.inVolume()) * batch, 1);
            float[] w = KernelCheck.random(r, (int) (g.outChannels() * g.taps()), 1);
            float[] dy = KernelCheck.random(r, (int) (g.outChannels() * g.outVolume()) * batch, 1);
            double[] numeric = FiniteDifferences.gradient(w, p -> FiniteDifferences.dot(dy, forward(g, batch, x, p)));
            float[] dw = new float[w.length];
            new ConvBackwardWeight("fd", g).reference(batch, 0, new float[][] {x, dy, dw});
            FiniteDifferences.assertMatches(dw, numeric, "dweight of " + g);
        }
    }

    @Test void weightGradientIsTheSameEveryRun() {
        ConvGeom g = SHAPES.get(3);
        Random r = new Random(34);
        int batch = 37;
        float[] x = KernelCheck.random(r, (int) (g.inChannels() * g.inVolume()) * batch, 1);
        float[] dy = KernelCheck.random(r, (int) (g.outChannels() * g.outVolume()) * batch, 1);
        float[][] bufs = {x, dy, new float[(int) (g.outChannels() * g.taps())]};
        ConvBackwardWeight k = new ConvBackwardWeight("ref", g);
        k.reference(batch, 0, bufs);
        float[] first = bufs[2].clone();
        for (int i = 0; i < 3; i++) {
            k.reference(batch, 0, bufs);
            assertThat(bufs[2]).containsExactly(first);
        }
    }

    @Test void chunksOfExamplesGiveWhatExamplesOneByOneGive() {
        // 16 channels of 16x16 unfold to 144 x 256 floats an example: the Java side takes 3 examples
        // a chunk, so batch 37 is twelve whole chunks (run in parallel) and one example
        ConvGeom g = ConvGeom.of(16, 12, new long[] {16, 16}, new long[] {3, 3}, new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1});
        assertThat(Im2col.chunk(g)).isEqualTo(3);
        Random r = new Random(35);
        int batch = 37, in = (int) (g.inChannels() * g.inVolume()), out = (int) (g.outChannels() * g.outVolume()), w = (int) (g.outChannels() * g.taps());
        float[] x = KernelCheck.random(r, in * batch, 1), dy = KernelCheck.random(r, out * batch, 1), weight = KernelCheck.random(r, w, 1);
        float[] y = new float[out * batch], dx = new float[in * batch], dw = new float[w];
        new ConvForward("f", g).reference(batch, 0, new float[][] {x, weight, y});
        new ConvBackwardData("d", g).reference(batch, 0, new float[][] {dy, weight, dx});
        new ConvBackwardWeight("w", g).reference(batch, 0, new float[][] {x, dy, dw});
        double[] dwSum = new double[w];
        for (int n = 0; n < batch; n++) {
            float[] xn = java.util.Arrays.copyOfRange(x, n * in, (n + 1) * in), dyn = java.util.Arrays.copyOfRange(dy, n * out, (n + 1) * out);
            float[] yn = new float[out], dxn = new float[in], dwn = new float[w];
            new ConvForward("f", g).reference(1, 0, new float[][] {xn, weight, yn});
            new ConvBackwardData("d", g).reference(1, 0, new float[][] {dyn, weight, dxn});
            new ConvBackwardWeight("w", g).reference(1, 0, new float[][] {xn, dyn, dwn});
            KernelCheck.assertClose(java.util.Arrays.copyOfRange(y, n * out, (n + 1) * out), toDouble(yn), tolerance(g.taps()), "y of example " + n);
            KernelCheck.assertClose(java.util.Arrays.copyOfRange(dx, n * in, (n + 1) * in), toDouble(dxn), tolerance(g.outChannels() * g.kernelVolume()),
                    "dx of example " + n);
            for (int i = 0; i < w; i++) dwSum[i] += dwn[i];
        }
        KernelCheck.assertClose(dw, dwSum, tolerance(batch * g.outVolume()), "dweight");
        OpenClTable table = new OpenClTable();
        table.add(new ConvForward("t_conv_chunks_fwd", g), batch, 0, tolerance(g.taps()), x, weight, new float[out * batch]);
        table.add(new ConvBackwardData("t_conv_chunks_bwd_data", g), batch, 0, tolerance(g.outChannels() * g.kernelVolume()), dy, weight,
                new float[in * batch]);
        table.add(new ConvBackwardWeight("t_conv_chunks_bwd_weight", g), batch, 0, tolerance(batch * g.outVolume()), x, dy, new float[w]);
        table.assertSame();
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private static double tolerance(long terms) { return Math.max(1e-5, 2e-7 * terms); }

    private static float[] forward(ConvGeom g, int batch, float[] x, float[] w) {
        float[] y = new float[(int) (g.outChannels() * g.outVolume()) * batch];
        new ConvForward("ref", g).reference(batch, 0, new float[][] {x, w, y});
        return y;
    }
}
