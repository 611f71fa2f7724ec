package dln.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A strided convolution's gradients as the positions' rows and products: the rows and dy's channels
 * last ({@link ChannelsLast}) are copies (the same bits on both backends); the product dyRowsᵀ · xRows with its column sums is the weight and
 * bias gradient that {@link ConvBackwardWeight} and {@link BiasGrad} compute directly, and dyRows ·
 * weight folded back ({@link PositionFold}) the input gradient {@link ConvBackwardData} computes.
 */
class PositionRowsTest {
    /** Strided geometries in 1, 2 and 3 dimensions, with padding and dilation, each with 16 taps or more. */
    private static final List<ConvGeom> SHAPES = List.of(
            // the autoencoder's second layer and its transposed twin's weight gradient
            ConvGeom.of(16, 32, new long[] {14, 14}, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}),
            ConvGeom.of(2, 13, new long[] {40}, new long[] {9}, new long[] {2}, new long[] {3}, new long[] {2}),
            ConvGeom.of(3, 5, new long[] {9, 11}, new long[] {3, 3}, new long[] {2, 3}, new long[] {1, 2}, new long[] {1, 1}),
            ConvGeom.of(2, 4, new long[] {5, 6, 7}, new long[] {3, 2, 3}, new long[] {2, 1, 3}, new long[] {1, 0, 1}, new long[] {1, 2, 1}),
            ConvGeom.of(3, 4, new long[] {7, 13}, new long[] {3, 3}, new long[] {1, 2}, new long[] {0, 2}, new long[] {1, 2}),
            // ResNet's 1 x 1 shortcut at stride 2, from 16 channels
            ConvGeom.of(16, 8, new long[] {14, 14}, new long[] {1, 1}, new long[] {2, 2}, new long[] {0, 0}, new long[] {1, 1}),
            // a plane larger than PositionFold.PLANE, which the OpenCL fold takes a row at a time
            ConvGeom.of(2, 4, new long[] {36, 36}, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}));

    /** The shapes above and, for the fold kernel alone, one of 9 taps (the lowering keeps such layers direct). */
    private static final List<ConvGeom> FOLDS = java.util.stream.Stream.concat(SHAPES.stream(), java.util.stream.Stream.of(
            ConvGeom.of(1, 16, new long[] {28, 28}, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}))).toList();

    @Test void theLoweringTakesStridedConvolutionsWhoseRowsFit() {
        assertThat(SHAPES).allMatch(PositionRows::pays);
        assertThat(SHAPES).anyMatch(g -> g.inVolume() > PositionFold.PLANE).anyMatch(g -> g.inVolume() <= PositionFold.PLANE);
        // stride 1 (LeNet's second convolution): the direct kernels
        assertThat(PositionRows.pays(ConvGeom.of(6, 16, new long[] {14, 14}, new long[] {5, 5}, new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}))).isFalse();
        // 9 taps (the autoencoder's first layer, from one channel): a row would not fill a float16
        assertThat(PositionRows.pays(ConvGeom.of(1, 16, new long[] {28, 28}, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}))).isFalse();
        // 64 channels of 3 x 3 over 64 x 64 at stride 2: 1,024 positions of 576 + 64 floats an example, too large
        assertThat(PositionRows.pays(ConvGeom.of(64, 64, new long[] {64, 64}, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}))).isFalse();
    }

    // The rows on OpenCL are the reference's bit for bit (they are copies), batches of 1 and 5; and
    // the product of the reference's rows, Aᵀ·B with its sums, as the compiler launches it, matches
    // on OpenCL within float rounding.
    @Test void sameOnOpenCl() {
        Random r = new Random(41);
        OpenClTable table = new OpenClTable();
        for (int s = 0; s < SHAPES.size(); s++) {
            ConvGeom g = SHAPES.get(s);
            PositionRows rows = new PositionRows("t_rows_" + s, g);
            for (int batch : new int[] {1, 5}) {
                float[][] bufs = inputs(g, batch, r);
                table.add(rows, batch, 0, 0, bufs[0], bufs[2]);
                table.add(new ChannelsLast("t_channels_last_" + s, g.outChannels(), g.outVolume()), batch, 0, 0, bufs[1], bufs[3]);
                float[][] made = run(g, batch, bufs);
                table.add(product("t_rows_product_" + s, g), batch, 0, tolerance(batch * g.outVolume()),
                        made[3], made[2], new float[(int) (g.outChannels() * g.taps())], new float[(int) g.outChannels()]);
            }
        }
        table.assertSame();
    }

    // The definition: the product of the rows is the direct kernel's weight gradient and its sums
    // the bias gradient, over every shape; a row's tap or a dy's channel in the wrong place is off by O(1).
    @Test void theProductOfTheRowsIsTheWeightAndBiasGradient() {
        Random r = new Random(42);
        for (ConvGeom g : SHAPES) {
            int batch = 3;
            float[][] made = run(g, batch, inputs(g, batch, r));
            float[] dw = new float[(int) (g.outChannels() * g.taps())], db = new float[(int) g.outChannels()];
            product("t", g).reference(batch, 0, new float[][] {made[3], made[2], dw, db});
            float[] direct = new float[dw.length], directBias = new float[db.length];
            new ConvBackwardWeight("d", g, true).reference(batch, 0, new float[][] {made[0], made[1], direct, directBias});
            for (int i = 0; i < dw.length; i++) assertThat(dw[i]).as("dweight[%d] of %s", i, g).isCloseTo(direct[i], org.assertj.core.data.Offset.offset((float) tolerance(batch * g.outVolume())));
            for (int i = 0; i < db.length; i++) assertThat(db[i]).as("dbias[%d] of %s", i, g).isCloseTo(directBias[i], org.assertj.core.data.Offset.offset((float) tolerance(batch * g.outVolume())));
        }
    }

    // The input gradient by rows: dyRows · weight (the product the lowering launches) folded back is
    // ConvBackwardData's dx within float rounding; a tap folded onto the wrong element, or a padding tap
    // folded at all, is off by O(1).
    @Test void theFoldedProductOfTheRowsIsTheInputGradient() {
        Random r = new Random(44);
        for (ConvGeom g : FOLDS) {
            int batch = 3;
            float[][] made = run(g, batch, inputs(g, batch, r));
            float[] w = KernelCheck.random(r, (int) (g.outChannels() * g.taps()), 1);
            float[] dxRows = new float[made[2].length], dx = KernelCheck.random(r, (int) (batch * g.inChannels() * g.inVolume()), 1);
            inputProduct("t", g).reference(batch, 0, new float[][] {made[3], w, dxRows});
            new PositionFold("t", g).reference(batch, 0, new float[][] {dxRows, dx});
            float[] direct = new float[dx.length];
            new ConvBackwardData("d", g).reference(batch, 0, new float[][] {made[1], w, direct});
            double tol = tolerance(g.outChannels() * g.kernelVolume());
            for (int i = 0; i < dx.length; i++) assertThat(dx[i]).as("dx[%d] of %s", i, g).isCloseTo(direct[i], org.assertj.core.data.Offset.offset((float) tol));
        }
    }

    // The fold on OpenCL adds each element's terms in the JVM's order (output positions ascending), so
    // the two give the same bits, with a NaN among the rows reaching the same elements; and the rows'
    // product dyRows · weight matches within rounding.
    @Test void theFoldIsTheSameOnOpenCl() {
        Random r = new Random(45);
        OpenClTable table = new OpenClTable();
        for (int s = 0; s < FOLDS.size(); s++) {
            ConvGeom g = FOLDS.get(s);
            for (int batch : new int[] {1, 4}) {
                float[][] made = run(g, batch, inputs(g, batch, r));
                float[] rows = KernelCheck.random(r, made[2].length, 1);
                if (batch == 4) rows[rows.length / 2] = Float.NaN;
                table.add(new PositionFold("t_fold_" + s, g), batch, 0, 0, rows, KernelCheck.random(r, (int) (batch * g.inChannels() * g.inVolume()), 1));
                table.add(inputProduct("t_fold_product_" + s, g), batch, 0, tolerance(g.outChannels()),
                        made[3], KernelCheck.random(r, (int) (g.outChannels() * g.taps()), 1), new float[made[2].length]);
            }
        }
        table.assertSame();
    }

    // A tap in the padding is 0 whatever the input holds: with an input of NaN, exactly the taps the
    // definition puts outside the input are 0 on both backends and every other is NaN, so a NaN
    // reaches only the weights whose taps read it, as in PyTorch (0 · NaN would spread it).
    @Test void aTapInThePaddingIsZeroWhateverTheInput() {
        OpenClTable table = new OpenClTable();
        for (int s = 0; s < SHAPES.size(); s++) {
            ConvGeom g = SHAPES.get(s);
            float[][] bufs = inputs(g, 2, new Random(43));
            java.util.Arrays.fill(bufs[0], Float.NaN);
            table.add(new PositionRows("t_rows_nan_" + s, g), 2, 0, 0, bufs[0], bufs[2]);
        }
        List<float[][]> got = table.assertSame();
        for (int s = 0; s < SHAPES.size(); s++) {
            ConvGeom g = SHAPES.get(s);
            float[] xRows = got.get(s)[1];
            assertThat(xRows).hasSize((int) (2 * g.outVolume() * g.taps()));
            int zeros = 0;
            for (float v : xRows) {
                assertThat(v == 0 || Float.isNaN(v)).isTrue();
                if (v == 0) zeros++;
            }
            assertThat(zeros).as("padding taps of %s", g).isEqualTo(2 * paddingTaps(g));
        }
    }

    /** The (position, tap) pairs of one example whose input element lies outside the input, by the definition. */
    private static long paddingTaps(ConvGeom g) {
        long[] in = g.in(), o = g.out(), k = g.kernel(), s = g.stride(), p = g.padding(), d = g.dilation();
        long outside = 0;
        for (long od = 0; od < o[0]; od++) for (long oh = 0; oh < o[1]; oh++) for (long ow = 0; ow < o[2]; ow++) {
            for (long kd = 0; kd < k[0]; kd++) for (long kh = 0; kh < k[1]; kh++) for (long kw = 0; kw < k[2]; kw++) {
                long id = od * s[0] - p[0] + kd * d[0], ih = oh * s[1] - p[1] + kh * d[1], iw = ow * s[2] - p[2] + kw * d[2];
                if (id < 0 || id >= in[0] || ih < 0 || ih >= in[1] || iw < 0 || iw >= in[2]) outside++;
            }
        }
        return outside * g.inChannels();
    }

    /** x, dy, and x's rows and dy's (filled with garbage that the kernels must overwrite). */
    private static float[][] inputs(ConvGeom g, int batch, Random r) {
        return new float[][] {KernelCheck.random(r, (int) (batch * g.inChannels() * g.inVolume()), 1),
                KernelCheck.random(r, (int) (batch * g.outChannels() * g.outVolume()), 1),
                KernelCheck.random(r, (int) (batch * new PositionRows("t", g).perExample()), 1),
                KernelCheck.random(r, (int) (batch * g.outChannels() * g.outVolume()), 1)};
    }

    /** x, dy, x's rows and dy's channels last, as the lowering makes them. */
    private static float[][] run(ConvGeom g, int batch, float[][] bufs) {
        float[][] out = {bufs[0], bufs[1], bufs[2].clone(), bufs[3].clone()};
        new PositionRows("t", g).reference(batch, 0, new float[][] {out[0], out[2]});
        new ChannelsLast("t", g.outChannels(), g.outVolume()).reference(batch, 0, new float[][] {out[1], out[3]});
        return out;
    }

    /** dweight = dyRowsᵀ · xRows and dbias = the sums of dyRows' columns, the product the lowering launches. */
    private static Gemm product(String name, ConvGeom g) {
        int outC = (int) g.outChannels(), taps = (int) g.taps();
        return new Gemm(name, true, false, Dim.of(outC), Dim.of(taps), Dim.batch(g.outVolume()), outC, taps, taps, 1f, 0f).with(GradEpilogue.NONE.withSums());
    }

    /** dxRows = dyRows · weight, the input gradient's product the lowering launches. */
    private static Gemm inputProduct(String name, ConvGeom g) {
        int outC = (int) g.outChannels(), taps = (int) g.taps();
        return new Gemm(name, false, false, Dim.batch(g.outVolume()), Dim.of(taps), Dim.of(outC), outC, taps, taps, 1f, 0f);
    }

    private static double tolerance(long terms) { return Math.max(1e-5, 2e-7 * terms); }
}
