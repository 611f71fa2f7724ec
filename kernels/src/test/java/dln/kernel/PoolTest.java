package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PoolTest {
    /** 1-D, 2-D and 3-D pools: overlapping windows, padding, strides past the window, odd sizes. */
    private static final List<PoolGeom> SHAPES = List.of(
            PoolGeom.of(3, new long[] {17}, new long[] {3}, new long[] {2}, new long[] {1}),
            PoolGeom.of(2, new long[] {9, 11}, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0}),
            PoolGeom.of(5, new long[] {7, 8}, new long[] {3, 3}, new long[] {1, 2}, new long[] {1, 1}),
            PoolGeom.of(2, new long[] {10, 10}, new long[] {2, 3}, new long[] {3, 4}, new long[] {1, 0}),
            PoolGeom.of(2, new long[] {5, 6, 7}, new long[] {3, 2, 3}, new long[] {2, 1, 2}, new long[] {1, 1, 0}),
            PoolGeom.of(2, new long[] {5, 6, 7}, new long[] {2, 2, 3}, new long[] {2, 3, 3}, new long[] {1, 0, 1}),
            // without padding: the forward kernel's unrolled windows
            PoolGeom.of(2, new long[] {13}, new long[] {3}, new long[] {2}, new long[] {0}),
            PoolGeom.of(3, new long[] {4, 6, 7}, new long[] {2, 3, 2}, new long[] {1, 2, 3}, new long[] {0, 0, 0}),
            // windows that tile the input exactly: the backward kernel's unrolled tiles
            PoolGeom.of(3, new long[] {8, 6}, new long[] {2, 3}, new long[] {2, 3}, new long[] {0, 0}),
            PoolGeom.of(2, new long[] {4, 6, 4}, new long[] {2, 2, 2}, new long[] {2, 2, 2}, new long[] {0, 0, 0}),
            // 2 x 2 at stride 2 a row of windows a work-item (PoolRows): rows of 16 windows (LeNet's first
            // pooling, 14), of 8 (its second, 5), and the widest, 16, with an odd row count
            PoolGeom.of(3, new long[] {28, 28}, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0}),
            PoolGeom.of(2, new long[] {10, 10}, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0}),
            PoolGeom.of(2, new long[] {6, 32}, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0}));

    /** The 4×4 input of CS231n's max-pooling figure. */
    private static final float[] CS231N = {1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4};

    // The references read 2 x 2 windows of stride 2 straight (LeNet's pooling on the JVM): the same
    // bits as through the window lists, for max and mean, forward and gradient (with a folded relu),
    // over 1-D-deep, 2-D and 3-D planes, with ties, NaN, infinities and signed zeros in the data.
    @Test void twoByTwoWindowsReadStraightGiveTheWindowListsBits() {
        Random r = new Random(8);
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f, 1f, 1f};
        for (PoolGeom g : List.of(SHAPES.get(10), SHAPES.get(11), SHAPES.get(12),
                PoolGeom.of(2, new long[] {3, 4, 6}, new long[] {1, 2, 2}, new long[] {1, 2, 2}, new long[] {0, 0, 0}))) {
            assertThat(PoolWindows.twoByTwo(g)).as("%s", g).isTrue();
            int batch = 3, in = (int) (g.channels() * g.inVolume()) * batch, out = (int) (g.channels() * g.outVolume()) * batch;
            float[] x = KernelCheck.random(r, in, 2), dy = KernelCheck.random(r, out, 1);
            for (int i = 0; i < in; i += 5) x[i] = specials[r.nextInt(specials.length)];
            for (boolean max : new boolean[] {true, false}) {
                float[] straight = new float[out], listed = new float[out];
                new PoolForward("p", g, max).reference(batch, 0, new float[][] {x, straight});
                new PoolForward("p", g, max).byWindows(batch, x, listed);
                assertThat(straight).as("%s forward, max %s", g, max).containsExactly(listed);
                for (Act act : new Act[] {Act.LINEAR, Act.RELU}) {
                    PoolBackward back = new PoolBackward("p", g, max).withAct(act, 0f);
                    float[] dxStraight = new float[in], dxListed = new float[in];
                    back.reference(batch, 0, new float[][] {x, dy, dxStraight});
                    back.byWindows(batch, x, dy, dxListed);
                    assertThat(dxStraight).as("%s gradient, max %s, %s", g, max, act).containsExactly(dxListed);
                }
            }
        }
        assertThat(PoolWindows.twoByTwo(SHAPES.get(1))).as("9 x 11: windows that do not tile the plane").isFalse();
    }

    @Test void geometry() {
        PoolGeom g = PoolGeom.of(4, new long[] {28, 28}, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0});
        assertThat(g.in()).containsExactly(1, 28, 28);
        assertThat(g.out()).containsExactly(1, 14, 14);
        // floor((7 + 2 − 3) / 2) + 1 = 4
        assertThat(PoolGeom.of(1, new long[] {7}, new long[] {3}, new long[] {2}, new long[] {1}).out()).containsExactly(1, 1, 4);
        // padding over half the window would leave windows of padding alone (PyTorch refuses it too)
        assertThatThrownBy(() -> PoolGeom.of(1, new long[] {7}, new long[] {2}, new long[] {2}, new long[] {2}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test void twoByTwoMaxPoolingStrideTwoOnFourByFour() {
        // CS231n: [[1 1 2 4] [5 6 7 8] [3 2 1 0] [1 2 3 4]] max-pooled 2×2, stride 2 → [[6 8] [3 4]];
        // the means are [[13/4 21/4] [8/4 8/4]].
        PoolGeom g = PoolGeom.of(1, new long[] {4, 4}, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0});
        OpenClTable table = new OpenClTable()
                .add(new PoolForward("t_pool_max_4x4", g, true), 1, 0, 0, CS231N, new float[4])
                .add(new PoolForward("t_pool_avg_4x4", g, false), 1, 0, 0, CS231N, new float[4])
                .add(new PoolBackward("t_pool_max_bwd_4x4", g, true), 1, 0, 0, CS231N, new float[] {10, 20, 30, 40}, new float[16]);
        List<float[][]> out = table.assertSame();
        assertThat(out.get(0)[1]).containsExactly(6, 8, 3, 4);
        assertThat(out.get(1)[1]).containsExactly(3.25f, 5.25f, 2, 2);
        // each window's gradient lands on its maximum: 6 at (1,1), 8 at (1,3), 3 at (2,0), 4 at (3,3)
        assertThat(out.get(2)[2]).containsExactly(0, 0, 0, 0, 0, 10, 0, 20, 30, 0, 0, 0, 0, 0, 0, 40);
    }

    @Test void maxRoutesToTheFirstOfTiedMaxima() {
        PoolGeom g = PoolGeom.of(1, new long[] {2, 2}, new long[] {2, 2}, new long[] {2, 2}, new long[] {0, 0});
        float[][] out = KernelCheck.sameOnOpenCl(new PoolBackward("t_pool_tie", g, true), 1, 0, 0, new float[] {1, 5, 5, 5}, new float[] {7}, new float[4]);
        assertThat(out[2]).containsExactly(0, 7, 0, 0);
    }

    // PyTorch's max pooling takes an element that is strictly greater or NaN (max_pool's
    // `(val > maxval) || isnan(val)`), so a window holding NaN gives NaN and its last NaN is the
    // index the gradient goes to: torch.nn.functional.max_pool1d(x, 3, return_indices=True) of the
    // first x below gives [nan, nan, 4] at indices [1, 5, 7]. Each of the three forms of the kernels:
    // exact tiles unrolled, padded windows with disjoint tiles, overlapping windows gathered.
    @Test void aWindowHoldingNanHasNanAsItsMaximumAndItsLastNanTakesTheGradient() {
        float nan = Float.NaN;
        float[] dy = {10, 20, 30};
        PoolGeom tiles = PoolGeom.of(1, new long[] {9}, new long[] {3}, new long[] {3}, new long[] {0});
        PoolGeom padded = PoolGeom.of(1, new long[] {9}, new long[] {3}, new long[] {3}, new long[] {1});
        PoolGeom overlapping = PoolGeom.of(1, new long[] {7}, new long[] {3}, new long[] {2}, new long[] {0});
        float[] x1 = {1, nan, 2, nan, 5, nan, 3, 4, 0}, x2 = {1, nan, nan, nan, 5, nan, 3, 4, 0}, x3 = {1, nan, 2, nan, 5, 0, 3};
        List<float[][]> out = new OpenClTable()
                .add(new PoolForward("t_pool_nan_tiles", tiles, true), 1, 0, 0, x1, new float[3])
                .add(new PoolBackward("t_pool_nan_tiles_bwd", tiles, true), 1, 0, 0, x1, dy, new float[9])
                .add(new PoolForward("t_pool_nan_padded", padded, true), 1, 0, 0, x2, new float[3])
                .add(new PoolBackward("t_pool_nan_padded_bwd", padded, true), 1, 0, 0, x2, dy, new float[9])
                .add(new PoolForward("t_pool_nan_overlapping", overlapping, true), 1, 0, 0, x3, new float[3])
                .add(new PoolBackward("t_pool_nan_overlapping_bwd", overlapping, true), 1, 0, 0, x3, dy, new float[7])
                .assertSame();
        assertThat(out.get(0)[1]).containsExactly(nan, nan, 4);
        assertThat(out.get(1)[2]).containsExactly(0, 10, 0, 0, 0, 20, 0, 30, 0);
        // windows {0, 1}, {2, 3, 4} and {5, 6, 7}, padding left out
        assertThat(out.get(2)[1]).containsExactly(nan, nan, nan);
        assertThat(out.get(3)[2]).containsExactly(0, 10, 0, 20, 0, 30, 0, 0, 0);
        // windows {0, 1, 2}, {2, 3, 4} and {4, 5, 6}
        assertThat(out.get(4)[1]).containsExactly(nan, nan, 5);
        assertThat(out.get(5)[2]).containsExactly(0, 10, 0, 20, 30, 0, 0);
    }

    // Over every shape (1-D to 3-D, each kernel form), with NaN sprinkled in: an output is NaN
    // exactly when its window holds NaN, and both backends agree on the outputs and the gradients.
    @Test void nanPropagatesThroughMaxPoolingOfEveryShape() {
        Random r = new Random(43);
        OpenClTable table = new OpenClTable();
        int batch = 2;
        for (int s = 0; s < SHAPES.size(); s++) {
            PoolGeom g = SHAPES.get(s);
            int in = (int) g.inVolume(), out = (int) g.outVolume(), planes = (int) g.channels() * batch;
            float[] x = distinct(r, in * planes);
            for (int i = s % 7; i < x.length; i += 7 + s % 3) x[i] = Float.NaN;
            float[][] fwd = {x, new float[out * planes]};
            table.add(new PoolForward("t_pool_nan_fwd_" + s, g, true), batch, 0, 0, fwd);
            table.add(new PoolBackward("t_pool_nan_bwd_" + s, g, true), batch, 0, 0, x, KernelCheck.random(r, out * planes, 1), new float[in * planes]);
            float[] y = new float[out * planes];
            new PoolForward("ref", g, true).reference(batch, 0, new float[][] {x, y});
            int[][] windows = PoolWindows.of(g);
            for (int p = 0; p < planes; p++) {
                for (int o = 0; o < out; o++) {
                    boolean holdsNan = false;
                    for (int i : windows[o]) holdsNan |= Float.isNaN(x[p * in + i]);
                    assertThat(Float.isNaN(y[p * out + o])).as("shape %d, plane %d, output %d", s, p, o).isEqualTo(holdsNan);
                }
            }
        }
        table.assertSame();
    }

    @Test void meanCountsThePaddingAsZeros() {
        // 3×3 ones, 2×2 windows, stride 2, padding 1: the corner window holds one input element, the
        // edge windows two, the inner one four; each is divided by 4 (PyTorch's count_include_pad).
        PoolGeom g = PoolGeom.of(1, new long[] {3, 3}, new long[] {2, 2}, new long[] {2, 2}, new long[] {1, 1});
        float[] ones = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        float[][] out = KernelCheck.sameOnOpenCl(new PoolForward("t_pool_avg_pad", g, false), 1, 0, 0, ones, new float[4]);
        assertThat(out[1]).containsExactly(0.25f, 0.5f, 0.5f, 1f);
        // and its gradient: each element gets 1/4 from each window covering it (one here)
        float[][] grad = KernelCheck.sameOnOpenCl(new PoolBackward("t_pool_avg_pad_bwd", g, false), 1, 0, 0, ones, new float[] {4, 4, 4, 4}, new float[9]);
        assertThat(grad[2]).containsOnly(1f);
    }

    @Test void sameOnOpenClOverShapes() {
        Random r = new Random(41);
        OpenClTable table = new OpenClTable();
        for (int s = 0; s < SHAPES.size(); s++) {
            PoolGeom g = SHAPES.get(s);
            int in = (int) (g.channels() * g.inVolume()), out = (int) (g.channels() * g.outVolume());
            for (boolean max : new boolean[] {true, false}) {
                String id = s + (max ? "_max" : "_avg");
                for (int batch : new int[] {1, 37}) {
                    // max and the window sums add the same floats in the same order on both backends
                    table.add(new PoolForward("t_pool_fwd_" + id, g, max), batch, 0, 1e-6,
                            KernelCheck.random(r, in * batch, 1), KernelCheck.random(r, out * batch, 1));
                    table.add(new PoolBackward("t_pool_bwd_" + id, g, max), batch, 0, 1e-6,
                            KernelCheck.random(r, in * batch, 1), KernelCheck.random(r, out * batch, 1), KernelCheck.random(r, in * batch, 1));
                }
            }
        }
        table.assertSame();
    }

    // The backward pass against central finite differences of the forward, loss = Σ r·y, with
    // FiniteDifferences' step 1e-2 and tolerance 1e-3 relative to 1 + |gradient|. Pooling is
    // piecewise linear: the inputs are distinct multiples of 0.1 (shuffled), so no step of 1e-2 moves
    // a window's maximum and the quotient is exact up to float rounding.

    @Test void gradientMatchesFiniteDifferences() {
        Random r = new Random(42);
        for (PoolGeom g : SHAPES) {
            // the distinct values grow with the input: past a thousand, a mean's float rounding over the
            // step exceeds the tolerance (the Java reference these check is the same code for every shape)
            if (g.channels() * g.inVolume() * 2 > 1000) continue;
            for (boolean max : new boolean[] {true, false}) {
                int batch = 2, n = (int) (g.channels() * g.inVolume()) * batch;
                float[] x = distinct(r, n), dy = KernelCheck.random(r, (int) (g.channels() * g.outVolume()) * batch, 1);
                PoolForward forward = new PoolForward("fd", g, max);
                double[] numeric = FiniteDifferences.gradient(x, p -> {
                    float[] y = new float[dy.length];
                    forward.reference(batch, 0, new float[][] {p, y});
                    return FiniteDifferences.dot(dy, y);
                });
                float[] dx = new float[n];
                new PoolBackward("fd", g, max).reference(batch, 0, new float[][] {x, dy, dx});
                FiniteDifferences.assertMatches(dx, numeric, (max ? "max" : "mean") + " dx of " + g);
            }
        }
    }

    /** n distinct values 0.1 apart, in random order. */
    static float[] distinct(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (i - n / 2) * 0.1f;
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
        return x;
    }

    // The gradient of the activation before the pooling, folded into the pooling's gradient: the
    // same as PoolBackward followed by ActGrad in place, bit for bit on the JVM and within rounding
    // on OpenCL, for every kernel shape (exact tiles, disjoint tiles, overlapping windows gathered),
    // max and mean, and every activation; x holds the activation's outputs, some of them zero.
    @Test void theActivationsGradientFoldedIn() {
        Random r = new Random(23);
        OpenClTable table = new OpenClTable();
        int batch = 3;
        for (int s = 0; s < SHAPES.size(); s++) {
            PoolGeom g = SHAPES.get(s);
            int in = (int) (g.channels() * g.inVolume()), out = (int) (g.channels() * g.outVolume());
            for (boolean max : new boolean[] {true, false}) {
                for (Act act : Act.values()) {
                    if (act == Act.LINEAR || !act.gradFromOutput()) continue;
                    float[] x = KernelCheck.random(r, in * batch, 1), dy = KernelCheck.random(r, out * batch, 1);
                    for (int i = 0; i < x.length; i += 5) x[i] = act == Act.SIGMOID ? 0.5f : 0f;   // outputs at a kink
                    if (act == Act.SIGMOID) for (int i = 0; i < x.length; i++) x[i] = Math.abs(x[i]) / 3;
                    PoolBackward folded = new PoolBackward("t_pool_dx_act_" + s + "_" + max + "_" + act, g, max).withAct(act, 0.1f);
                    float[][] bufs = {x, dy, new float[in * batch]};
                    table.add(folded, batch, 0, 1e-6, bufs);
                    float[] want = new float[in * batch];
                    new PoolBackward("plain", g, max).reference(batch, 0, new float[][] {x, dy, want});
                    new ActGrad("act", Dim.batch(in), act, 0.1f).reference(batch, 0, new float[][] {x, want, want});
                    float[] got = new float[in * batch];
                    folded.reference(batch, 0, new float[][] {x, dy, got});
                    assertThat(got).as("shape %d, max %s, %s", s, max, act).containsExactly(want);
                }
            }
        }
        table.assertSame();
    }

    // gelu's and silu's derivatives need the activation's input, which the pooling does not read
    @Test void anActivationWhoseGradientNeedsItsInputDoesNotFoldIn() {
        PoolBackward plain = new PoolBackward("p", SHAPES.get(0), true);
        for (Act act : new Act[] {Act.GELU, Act.SILU}) {
            assertThatThrownBy(() -> plain.withAct(act, 0)).hasMessageContaining("needs its input");
        }
    }
}
