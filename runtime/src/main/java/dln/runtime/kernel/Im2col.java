package dln.runtime.kernel;

/**
 * The unfolded input of a convolution for the Java references: col [taps, positions] holds, for
 * each input channel and kernel tap (row) and each output position (column), the input element
 * the tap reads there, or 0 in the padding. A convolution is then weight [outC, taps] · col.
 */
final class Im2col {
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private Im2col() {}

    /** A column buffer of at least {@code size} floats for this thread, reused across calls (contents undefined). */
    static float[] scratch(int size) {
        float[] s = SCRATCH.get();
        if (s.length < size) SCRATCH.set(s = new float[size]);
        return s;
    }

    /** Fills col [taps, outVolume] from one example's input, read from x at offset xOff. */
    static void unfold(ConvGeom g, float[] x, int xOff, float[] col) {
        walk(g, (row, p, i) -> col[row + p] = i < 0 ? 0 : x[xOff + i]);
    }

    /** Adds col [taps, outVolume] back onto one example's input gradient dx at offset dxOff (which the caller zeroes). */
    static void fold(ConvGeom g, float[] col, float[] dx, int dxOff) {
        walk(g, (row, p, i) -> { if (i >= 0) dx[dxOff + i] += col[row + p]; });
    }

    private interface Visit {
        /** Tap row starting at {@code row} in col, output position p, input index i within the example (−1 in the padding). */
        void at(int row, int p, int i);
    }

    /** Visits every (tap, output position) in col order: channel, kernel depth, height, width, then output depth, height, width. */
    private static void walk(ConvGeom g, Visit v) {
        long[] in = g.in(), k = g.kernel(), s = g.stride(), pad = g.padding(), dil = g.dilation(), out = g.out();
        int positions = (int) g.outVolume(), row = 0;
        for (int c = 0; c < g.inChannels(); c++) {
            for (int kd = 0; kd < k[0]; kd++) {
                for (int kh = 0; kh < k[1]; kh++) {
                    for (int kw = 0; kw < k[2]; kw++, row += positions) {
                        int p = 0;
                        for (int od = 0; od < out[0]; od++) {
                            long id = od * s[0] - pad[0] + kd * dil[0];
                            for (int oh = 0; oh < out[1]; oh++) {
                                long ih = oh * s[1] - pad[1] + kh * dil[1];
                                for (int ow = 0; ow < out[2]; ow++, p++) {
                                    long iw = ow * s[2] - pad[2] + kw * dil[2];
                                    boolean inside = id >= 0 && id < in[0] && ih >= 0 && ih < in[1] && iw >= 0 && iw < in[2];
                                    v.at(row, p, inside ? (int) (((c * in[0] + id) * in[1] + ih) * in[2] + iw) : -1);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
