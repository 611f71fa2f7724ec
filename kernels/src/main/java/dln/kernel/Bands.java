package dln.kernel;

import dln.runtime.host.Blas;
import java.util.Arrays;

/**
 * The Java reference's forward pass, input gradient and weight gradient of a valid 2-D convolution
 * at stride 1 (no padding, output narrower than the input: LeNet-5's second layer, 14 × 14 to
 * 10 × 10), by bands. {@link Im2col} copies and folds such a convolution one output row at a time:
 * rows of 10 floats, 96,000 of them a batch of 64, in loops too short for the JIT to vectorize (its
 * fold took about 1 ms a batch on one core, 2.5 times the product before it). Here an example's
 * output rows are laid out at the input's width, a band of out-height × in-width positions, so that
 * each tap reads x, and its gradient lands on the input plane, at one constant shift (the tap's row
 * times the width, plus its column): one copy, or one long add in tap order as the fold adds them,
 * per tap and example. The extra columns' outputs are dropped (forward), or their dy is zero (the
 * gradients). The products are wider by in-width / out-width.
 *
 * <p>The input gradient only for finite weights, the weight gradient only for a finite input: an
 * infinite or NaN weight (input) times an extra column's zero would reach inputs (weights) that no
 * output reads through that tap, which the unfolded products leave alone.
 */
final class Bands {
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    private Bands() {}

    /** Whether {@code g} is a valid 2-D (or 1-D) convolution at stride 1 whose output is narrower than its input. */
    static boolean applies(ConvGeom g) {
        long[] in = g.in(), out = g.out(), k = g.kernel(), s = g.stride(), p = g.padding();
        return in[0] == 1 && out[0] == 1 && k[0] == 1 && s[1] == 1 && s[2] == 1 && p[1] == 0 && p[2] == 0 && out[2] < in[2];
    }

    /** Whether the input gradient of {@code g} with weights {@code w} runs by bands. */
    static boolean applies(ConvGeom g, float[] w, int weights) {
        if (!applies(g)) return false;
        for (int i = 0; i < weights; i++) if (!Float.isFinite(w[i])) return false;
        return true;
    }

    /**
     * y's block for examples n0 .. n0 + count − 1, unscaled by any epilogue: each tap's band of x
     * (one copy a tap and example, where {@link Im2col} copies a row of the output's width at a
     * time), one product, and the output's columns of each band kept. A band's extra columns read
     * the next row's first inputs (or zeros past the end of x); what they give is dropped, so they
     * need no guard.
     */
    static void forward(ConvGeom g, float[] x, float[] w, int n0, int count, float[] y) {
        int taps = (int) g.taps(), outC = (int) g.outChannels(), band = band(g), cols = count * band, product = taps * cols, inWidth = (int) g.in()[2];
        float[] s = Im2col.scratch((long) (taps + outC) * cols);   // x's bands [taps, cols], then y's bands [outC, cols]
        unfold(g, x, n0, count, s);
        Blas.sgemm(false, false, outC, cols, taps, 1, w, 0, taps, s, 0, cols, 0, s, product, cols);
        int rows = (int) g.out()[1], width = (int) g.out()[2], positions = (int) g.outVolume();
        for (int n = 0; n < count; n++) {
            for (int o = 0; o < outC; o++) {
                int from = product + o * cols + n * band, to = ((n0 + n) * outC + o) * positions;
                for (int r = 0; r < rows; r++) System.arraycopy(s, from + r * inWidth, y, to + r * width, width);
            }
        }
    }

    /** Positions of an example's band: its output rows at the input's width. */
    static int band(ConvGeom g) { return (int) (g.out()[1] * g.in()[2]); }

    /**
     * dx for examples n0 .. n0 + count − 1: dy's block spread over bands into scratch, one product,
     * and each tap's band added onto its input plane at the tap's shift.
     */
    static void inputGradient(ConvGeom g, float[] dy, float[] w, int n0, int count, float[] dx) {
        int taps = (int) g.taps(), outC = (int) g.outChannels(), band = band(g), cols = count * band, product = taps * cols;
        float[] s = Im2col.scratch((long) (taps + outC) * cols);   // the bands' gradient [taps, cols], then dy's bands [outC, cols]
        spread(g, dy, n0, count, s, product);
        Blas.sgemm(true, false, taps, cols, outC, 1, w, 0, taps, s, product, cols, 0, s, 0, cols);
        fold(g, s, n0, count, dx);
    }

    /**
     * The weight gradient's part for examples n0 .. n0 + count − 1, overwritten in {@code part}:
     * dy's bands (zeros in the extra columns) times x's bands transposed, one product. An extra
     * column's zero meets the input it reads there, so x must be finite where the bands read it
     * ({@link #finiteInput}).
     */
    static void weightGradient(ConvGeom g, float[] x, float[] dy, int n0, int count, float[] part) {
        int taps = (int) g.taps(), outC = (int) g.outChannels(), cols = count * band(g), product = taps * cols;
        float[] s = Im2col.scratch((long) (taps + outC) * cols);   // x's bands [taps, cols], then dy's bands [outC, cols]
        unfold(g, x, n0, count, s);
        spread(g, dy, n0, count, s, product);
        Blas.sgemm(false, true, outC, taps, cols, 1, s, product, cols, s, 0, cols, 0, part, 0, taps);
    }

    /**
     * Whether every input a batch's bands read is finite: the batch's examples and the few values
     * past the last one that its last bands' extra columns reach. Floats are tested by their bits a
     * block at a time ({@link Bits}), an exponent of all ones carrying into the sign.
     */
    static boolean finiteInput(ConvGeom g, float[] x, int batch) {
        int end = (int) Math.min(x.length, (long) batch * g.inChannels() * g.inVolume() + (g.kernel()[2] - 1) * g.dilation()[2]);
        Bits b = Bits.local();
        int flags = 0;
        for (int start = 0; start < end; start += Bits.BLOCK) {
            int n = Math.min(Bits.BLOCK, end - start);
            b.toInts(x, start, n);
            int[] bits = b.ints;
            for (int j = 0; j < n; j++) flags |= (bits[j] & 0x7F800000) + 0x00800000;
        }
        return flags >= 0;
    }

    /** s [taps, count·band] = x's bands for examples n0 .. n0 + count − 1, zeros past the end of x. */
    private static void unfold(ConvGeom g, float[] x, int n0, int count, float[] s) {
        int inC = (int) g.inChannels(), band = band(g), cols = count * band;
        int plane = (int) g.inVolume(), inWidth = (int) g.in()[2], kh = (int) g.kernel()[1], kw = (int) g.kernel()[2];
        int dh = (int) g.dilation()[1], dw = (int) g.dilation()[2];
        for (int c = 0; c < inC; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) {
                    int tap = (c * kh + i) * kw + j, shift = i * dh * inWidth + j * dw;
                    for (int n = 0; n < count; n++) {
                        int src = ((n0 + n) * inC + c) * plane + shift, at = tap * cols + n * band, len = Math.max(0, Math.min(band, x.length - src));
                        System.arraycopy(x, src, s, at, len);
                        if (len < band) Arrays.fill(s, at + len, at + band, 0);
                    }
                }
            }
        }
    }

    /** m [outC, count·band] (from mOff) = dy's rows of examples n0 .. at the input's width, zero in the extra columns. */
    private static void spread(ConvGeom g, float[] dy, int n0, int count, float[] m, int mOff) {
        int outC = (int) g.outChannels(), rows = (int) g.out()[1], width = (int) g.out()[2], inWidth = (int) g.in()[2];
        int band = band(g), positions = (int) g.outVolume();
        Arrays.fill(m, mOff, mOff + outC * count * band, 0);
        for (int n = 0; n < count; n++) {
            for (int o = 0; o < outC; o++) {
                int src = ((n0 + n) * outC + o) * positions, dst = mOff + (o * count + n) * band;
                for (int r = 0; r < rows; r++) System.arraycopy(dy, src + r * width, m, dst + r * inWidth, width);
            }
        }
    }

    /**
     * Overwrites examples n0 .. of dx: each input plane is the sum, in tap order, of its taps' bands
     * at their shifts. A band is copied to a scratch plane at its shift first, so that the add reads
     * and writes its two arrays at one index, which the JIT vectorizes; the part of the last row's
     * band past the plane's end is extra columns only.
     */
    private static void fold(ConvGeom g, float[] col, int n0, int count, float[] dx) {
        int inC = (int) g.inChannels(), plane = (int) g.inVolume(), inWidth = (int) g.in()[2], band = band(g), cols = count * band;
        int kh = (int) g.kernel()[1], kw = (int) g.kernel()[2], dh = (int) g.dilation()[1], dw = (int) g.dilation()[2];
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < plane) {
            scratch[0] = new float[plane];
            scratch[1] = new float[plane];
        }
        float[] sum = scratch[0], shifted = scratch[1];
        for (int n = 0; n < count; n++) {
            for (int c = 0; c < inC; c++) {
                Arrays.fill(sum, 0, plane, 0);
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        int tap = (c * kh + i) * kw + j, shift = i * dh * inWidth + j * dw, end = Math.min(plane, shift + band);
                        System.arraycopy(col, tap * cols + n * band, shifted, shift, end - shift);
                        for (int e = shift; e < end; e++) sum[e] += shifted[e];
                    }
                }
                System.arraycopy(sum, 0, dx, ((n0 + n) * inC + c) * plane, plane);
            }
        }
    }
}
