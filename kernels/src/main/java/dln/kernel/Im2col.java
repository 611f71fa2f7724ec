package dln.kernel;

import java.util.Arrays;

/**
 * The unfolded input of a convolution for the Java references, over a chunk of examples: col
 * [taps, count·positions] holds, for each input channel and kernel tap (row) and each example and
 * output position (column), the input element the tap reads there, or 0 in the padding. A chunk's
 * convolution is then one matrix product, weight [outC, taps] · col; {@link #gather} and
 * {@link #scatter} move [count, channels, positions] blocks of the batch to and from the
 * [channels, count·positions] matrices BLAS reads and writes. The chunks of a batch run in parallel
 * ({@link #eachChunk}), each on one thread with that thread's scratch: the BLAS runs one thread under
 * `dlnc`, and a chunk's unfolding, product and folding stay in that core's cache.
 *
 * <p>The chunk size depends only on the geometry, and every loop here either copies or adds in a
 * fixed order, so results do not depend on the thread count.
 */
final class Im2col {
    /**
     * About this many floats of unfolded input per chunk (512 KB): products big enough for BLAS, a
     * chunk within a core's cache, several chunks a batch to share among the threads.
     */
    private static final long CHUNK_FLOATS = 1 << 17;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private Im2col() {}

    /** A buffer of at least {@code size} floats for this thread, reused across calls (contents undefined). */
    static float[] scratch(long size) {
        float[] s = SCRATCH.get();
        if (s.length < size) SCRATCH.set(s = new float[Math.toIntExact(size)]);
        return s;
    }

    /** Examples per chunk: as many as fit {@link #CHUNK_FLOATS} of unfolded input, at least one. */
    static int chunk(ConvGeom g) {
        return (int) Math.max(1, CHUNK_FLOATS / (g.taps() * g.outVolume()));
    }

    /** What a convolution does with chunk {@code index} of a batch: examples n0 .. n0 + count − 1. */
    @FunctionalInterface
    interface Chunk {
        void run(int index, int n0, int count);
    }

    /** The number of chunks a batch of {@code batch} examples makes. */
    static int chunks(ConvGeom g, int batch) {
        int chunk = chunk(g);
        return (batch + chunk - 1) / chunk;
    }

    /**
     * Runs {@code body} on each chunk of the batch, chunks in parallel when the work pays for it
     * (each chunk writes only its own outputs).
     */
    static void eachChunk(ConvGeom g, int batch, Chunk body) {
        int chunk = chunk(g);
        long work = (long) chunk * g.taps() * g.outVolume() * g.outChannels();
        ParallelFor.range(chunks(g, batch), work, i -> body.run(i, i * chunk, Math.min(chunk, batch - i * chunk)));
    }

    /** Fills col [taps, count·positions] (at offset 0) from examples n0 .. n0 + count − 1 of x. */
    static void unfold(ConvGeom g, float[] x, int n0, int count, float[] col) {
        Rows r = new Rows(g);
        long ld = (long) count * r.positions;
        for (int tap = 0; tap < r.taps; tap++) {
            Rows.Tap t = r.new Tap(tap);
            for (int n = 0; n < count; n++) r.unfoldRow(x, (n0 + n) * r.inSize, t, col, (int) (tap * ld) + n * r.positions);
        }
    }

    /**
     * Overwrites examples n0 .. n0 + count − 1 of dx with col [taps, count·positions] folded back:
     * each input element is the sum, in tap order, of the col entries that read it.
     */
    static void fold(ConvGeom g, float[] col, int n0, int count, float[] dx) {
        Rows r = new Rows(g);
        int channels = (int) g.inChannels(), plane = (int) g.inVolume(), kvol = (int) g.kernelVolume();
        long ld = (long) count * r.positions;
        for (int item = 0; item < count * channels; item++) {
            int n = item / channels, c = item % channels, at = (n0 + n) * r.inSize + c * plane;
            Arrays.fill(dx, at, at + plane, 0);
            for (int tap = c * kvol; tap < (c + 1) * kvol; tap++) r.foldRow(col, (int) (tap * ld) + n * r.positions, r.new Tap(tap), dx, (n0 + n) * r.inSize);
        }
    }

    /** m [channels, count·positions] (from offset mOff) = examples n0 .. n0 + count − 1 of a [N, channels, positions] buffer. */
    static void gather(float[] a, int n0, int count, int channels, int positions, float[] m, int mOff) {
        for (int n = 0; n < count; n++) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(a, ((n0 + n) * channels + c) * positions, m, mOff + (c * count + n) * positions, positions);
            }
        }
    }

    /** The inverse of {@link #gather}: writes m [channels, count·positions] (from mOff) to examples n0 .. n0 + count − 1 of a. */
    static void scatter(float[] m, int mOff, int n0, int count, int channels, int positions, float[] a) {
        for (int n = 0; n < count; n++) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(m, mOff + (c * count + n) * positions, a, ((n0 + n) * channels + c) * positions, positions);
            }
        }
    }

    /** One geometry's sizes as ints, and the copy of one col row of one example. */
    private static final class Rows {
        final long[] in, k, s, p, d, out;
        final int taps, positions, inSize, plane, width, stride;
        /** Whether consecutive output rows of a plane read consecutive input rows, back to back. */
        final boolean contiguous;

        Rows(ConvGeom g) {
            in = g.in();
            k = g.kernel();
            s = g.stride();
            p = g.padding();
            d = g.dilation();
            out = g.out();
            taps = (int) g.taps();
            positions = (int) g.outVolume();
            inSize = (int) (g.inChannels() * g.inVolume());
            plane = (int) (out[1] * out[2]);
            width = (int) out[2];
            stride = (int) s[2];
            contiguous = s[1] == 1 && s[2] == 1 && in[2] == out[2];
        }

        /**
         * Tap row {@code t} (channel, kernel depth, height, width) of the example at xOff, to col from
         * {@code at}. Where the tap's source rows follow each other as its output rows do (stride 1,
         * rows as long as the output's), a plane's rows are one copy, the columns in the padding then
         * set to zero; else row by row, a loop of unit stride where the stride is 1 (which the JIT
         * vectorizes: LeNet's second convolution unfolded 2.5 times faster than through the stride).
         */
        void unfoldRow(float[] x, int xOff, Tap t, float[] col, int at) {
            for (int od = 0; od < out[0]; od++, at += plane) {
                long id = od * s[0] - p[0] + t.kd * d[0];
                if (id < 0 || id >= in[0] || t.lo > t.hi || t.top > t.bottom) {
                    Arrays.fill(col, at, at + plane, 0);
                    continue;
                }
                Arrays.fill(col, at, at + t.top * width, 0);
                Arrays.fill(col, at + (t.bottom + 1) * width, at + plane, 0);
                int src = xOff + (int) ((t.c * in[0] + id) * in[1] * in[2]) + t.source;
                if (contiguous) {
                    int from = at + t.top * width, len = (t.bottom - t.top + 1) * width, a = Math.max(src, 0), b = Math.min(src + len, x.length);
                    System.arraycopy(x, a, col, from + a - src, b - a);
                    clearPadding(col, at, t);
                    continue;
                }
                int step = (int) (s[1] * in[2]);
                if (stride == 1) {
                    unitRows(x, src, step, col, at + t.top * width, width, t.bottom - t.top + 1, t.lo, t.hi);
                    continue;
                }
                for (int oh = t.top; oh <= t.bottom; oh++, src += step) {
                    int row = at + oh * width;
                    // plain loops, not arraycopy and fill: rows are short, and the calls cost more than the copy
                    for (int ow = 0; ow < t.lo; ow++) col[row + ow] = 0;
                    for (int ow = t.lo; ow <= t.hi; ow++) col[row + ow] = x[src + ow * stride];
                    for (int ow = t.hi + 1; ow < width; ow++) col[row + ow] = 0;
                }
            }
        }

        /**
         * Adds tap row {@code t} of col, from {@code at}, onto the example of dx at dxOff. Where
         * contiguous (as in {@link #unfoldRow}), the columns in the padding are set to zero in col
         * first, and a plane's rows are one loop (adding those zeros to the neighbouring elements).
         */
        void foldRow(float[] col, int at, Tap t, float[] dx, int dxOff) {
            for (int od = 0; od < out[0]; od++, at += plane) {
                long id = od * s[0] - p[0] + t.kd * d[0];
                if (id < 0 || id >= in[0] || t.lo > t.hi || t.top > t.bottom) continue;
                int start = dxOff + (int) ((t.c * in[0] + id) * in[1] * in[2]), dst = start + t.source;
                if (contiguous) {
                    clearPadding(col, at, t);
                    int from = at + t.top * width, len = (t.bottom - t.top + 1) * width;
                    int a = Math.max(dst, start), b = Math.min(dst + len, start + (int) (in[1] * in[2]));
                    for (int i = a, j = from + a - dst; i < b; i++, j++) dx[i] += col[j];
                    continue;
                }
                int step = (int) (s[1] * in[2]);
                if (stride == 1) {
                    addUnitRows(col, at + t.top * width, width, dx, dst, step, t.bottom - t.top + 1, t.lo, t.hi);
                    continue;
                }
                for (int oh = t.top; oh <= t.bottom; oh++, dst += step) {
                    int row = at + oh * width;
                    for (int ow = t.lo; ow <= t.hi; ow++) dx[dst + ow * stride] += col[row + ow];
                }
            }
        }

        /**
         * {@code rows} rows of col, {@code width} apart from {@code at}, from rows of x {@code step}
         * apart from {@code src}: columns lo .. hi copied at unit stride, the others zero. A method of
         * its own, small enough for the JIT to vectorize its loops.
         */
        private static void unitRows(float[] x, int src, int step, float[] col, int at, int width, int rows, int lo, int hi) {
            if (lo == 0 && hi == width - 1 && width >= SHORT_ROW / 2 && width < SHORT_ROW) {
                wholeShortRows(x, src, step, col, at, width, rows);
                return;
            }
            for (int r = 0; r < rows; r++, src += step, at += width) {
                for (int ow = 0; ow < lo; ow++) col[at + ow] = 0;
                for (int ow = lo; ow <= hi; ow++) col[at + ow] = x[src + ow];
                for (int ow = hi + 1; ow < width; ow++) col[at + ow] = 0;
            }
        }

        /** Rows shorter than this are copied {@link #wholeShortRows this many floats at a time}. */
        private static final int SHORT_ROW = 16;

        /**
         * {@link #unitRows} for rows of 8 to 15 columns all inside the input (a valid convolution's
         * that {@link Bands} does not take: 3-D, strided along the height, or a weight gradient of an
         * input that is not finite): a loop that short runs scalar, so each row but the last is one
         * copy of 16 floats whose last ones the next row's copy overwrites, and the last row a copy
         * of its own length. The same values; LeNet-5's second layer (rows of 10, 96,000 a batch of
         * 64) unfolded in 365 against 500 µs on one core this way, before it went by bands.
         */
        private static void wholeShortRows(float[] x, int src, int step, float[] col, int at, int width, int rows) {
            int r = 0;
            for (; r < rows - 1 && src + SHORT_ROW <= x.length; r++, src += step, at += width) System.arraycopy(x, src, col, at, SHORT_ROW);
            for (; r < rows; r++, src += step, at += width) System.arraycopy(x, src, col, at, width);
        }

        /** The inverse of {@link #unitRows}: adds columns lo .. hi of the col rows onto the rows of dx. */
        private static void addUnitRows(float[] col, int at, int width, float[] dx, int dst, int step, int rows, int lo, int hi) {
            for (int r = 0; r < rows; r++, dst += step, at += width) {
                for (int ow = lo; ow <= hi; ow++) dx[dst + ow] += col[at + ow];
            }
        }

        /** Zeroes the columns outside [lo, hi] of the rows top .. bottom of the plane at {@code at}. */
        private void clearPadding(float[] col, int at, Tap t) {
            for (int oh = t.top; oh <= t.bottom; oh++) {
                int row = at + oh * width;
                for (int ow = 0; ow < t.lo; ow++) col[row + ow] = 0;
                for (int ow = t.hi + 1; ow < width; ow++) col[row + ow] = 0;
            }
        }

        /**
         * A tap's channel and kernel depth, the output rows top .. bottom and columns lo .. hi whose
         * source is inside the input plane, and the offset in the plane of output (top, 0)'s source.
         */
        final class Tap {
            final int c, kd, top, bottom, lo, hi, source;

            Tap(int tap) {
                int kw = (int) (tap % k[2]), kh = (int) (tap / k[2] % k[1]);
                kd = (int) (tap / (k[2] * k[1]) % k[0]);
                c = (int) (tap / (k[2] * k[1] * k[0]));
                long shiftH = kh * d[1] - p[1], shiftW = kw * d[2] - p[2];
                top = first(shiftH, s[1]);
                bottom = last(shiftH, s[1], in[1], out[1]);
                lo = first(shiftW, s[2]);
                hi = last(shiftW, s[2], in[2], out[2]);
                source = (int) ((top * s[1] + shiftH) * in[2] + shiftW);
            }
        }

        /** The first output index o whose source o·stride + shift is at least 0 (may be past the end). */
        private static int first(long shift, long stride) {
            return (int) Math.max(0, Math.floorDiv(-shift + stride - 1, stride));
        }

        /** The last output index whose source is below {@code size} (may be before the first). */
        private static int last(long shift, long stride, long size, long outs) {
            return (int) Math.min(outs - 1, Math.floorDiv(size - 1 - shift, stride));
        }
    }
}
