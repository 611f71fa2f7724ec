package dln.kernel;

import java.util.Arrays;

/**
 * The sizes of a convolution, every spatial array of length 3 (depth, height, width): 1-D and 2-D
 * convolutions lead with ones (size 1, kernel 1, stride 1, padding 0, dilation 1). Input
 * [N, inChannels, in], weight [outChannels, inChannels, kernel] (PyTorch's layout), output
 * [N, outChannels, out].
 */
public record ConvGeom(long inChannels, long outChannels, long[] in, long[] kernel, long[] stride, long[] padding,
                       long[] dilation, long[] out) {

    public ConvGeom {
        in = three(in, "in");
        kernel = three(kernel, "kernel");
        stride = three(stride, "stride");
        padding = three(padding, "padding");
        dilation = three(dilation, "dilation");
        out = three(out, "out");
        if (inChannels < 1 || outChannels < 1) throw new IllegalArgumentException("channels must be positive");
        for (int d = 0; d < 3; d++) {
            if (kernel[d] < 1 || stride[d] < 1 || dilation[d] < 1 || padding[d] < 0 || in[d] < 1 || out[d] < 1
                    || out[d] != outSize(in[d], kernel[d], stride[d], padding[d], dilation[d])) {
                throw new IllegalArgumentException("bad convolution sizes in dimension " + d + ": in " + in[d] + ", kernel " + kernel[d]
                        + ", stride " + stride[d] + ", padding " + padding[d] + ", dilation " + dilation[d] + ", out " + out[d]);
            }
        }
    }

    /**
     * The geometry of a convolution of 1 to 3 spatial dimensions: shorter arrays are padded at the
     * front (sizes, kernel, stride and dilation with 1, padding with 0) and the output size is
     * floor((in + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1.
     */
    public static ConvGeom of(long inChannels, long outChannels, long[] in, long[] kernel, long[] stride, long[] padding,
                              long[] dilation) {
        long[] i = lead(in, 1), k = lead(kernel, 1), s = lead(stride, 1), p = lead(padding, 0), d = lead(dilation, 1);
        long[] o = new long[3];
        for (int x = 0; x < 3; x++) o[x] = outSize(i[x], k[x], s[x], p[x], d[x]);
        return new ConvGeom(inChannels, outChannels, i, k, s, p, d, o);
    }

    /**
     * The output size of a sliding window along one axis, floor((in + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1:
     * the one formula of convolution and pooling (the compiler's shape rule reads it too). Exact:
     * an overflow throws ArithmeticException.
     */
    public static long outSize(long in, long kernel, long stride, long padding, long dilation) {
        long reach = Math.addExact(Math.multiplyExact(dilation, kernel - 1), 1);
        return Math.addExact(Math.floorDiv(Math.subtractExact(Math.addExact(in, Math.multiplyExact(2, padding)), reach), stride), 1);
    }

    /**
     * The output size of a transposed convolution along one axis,
     * (in − 1)·stride − 2·padding + dilation·(kernel − 1) + outputPadding + 1: the size of the input
     * that a convolution of these sizes maps onto {@code in} positions ({@link #outSize} of it is
     * {@code in} while outputPadding is smaller than the stride). Exact: an overflow throws ArithmeticException.
     */
    public static long transposedOutSize(long in, long kernel, long stride, long padding, long outputPadding, long dilation) {
        long spread = Math.multiplyExact(Math.subtractExact(in, 1), stride);
        long reach = Math.multiplyExact(dilation, kernel - 1);
        return Math.addExact(Math.addExact(Math.subtractExact(spread, Math.multiplyExact(2, padding)), reach), outputPadding + 1);
    }

    /**
     * The convolution whose input gradient a transposed convolution is (PyTorch's ConvTranspose):
     * input [N, inChannels, in] and weight [inChannels, outChannels, kernel] of the transposed
     * convolution are the output and the weight [outC, inC, kernel] of this one, whose input is the
     * transposed convolution's output ({@link #transposedOutSize}). So the transposed convolution's
     * forward is {@link ConvBackwardData}, its input gradient {@link ConvForward} and its weight
     * gradient {@link ConvBackwardWeight} of this geometry (with the gradient as x and the input as dy).
     * Each outputPadding must be smaller than its stride.
     */
    public static ConvGeom transposed(long inChannels, long outChannels, long[] in, long[] kernel, long[] stride, long[] padding,
                                      long[] outputPadding, long[] dilation) {
        long[] i = lead(in, 1), k = lead(kernel, 1), s = lead(stride, 1), p = lead(padding, 0), op = lead(outputPadding, 0), d = lead(dilation, 1);
        long[] full = new long[3];
        for (int x = 0; x < 3; x++) {
            if (op[x] < 0 || op[x] >= s[x]) {
                throw new IllegalArgumentException("output padding " + op[x] + " must be below the stride " + s[x] + " in dimension " + x);
            }
            full[x] = transposedOutSize(i[x], k[x], s[x], p[x], op[x], d[x]);
        }
        return new ConvGeom(outChannels, inChannels, full, k, s, p, d, i);
    }

    static long[] lead(long[] a, long fill) {
        if (a.length > 3) throw new IllegalArgumentException("at most 3 spatial dimensions, not " + a.length);
        long[] r = new long[3];
        Arrays.fill(r, fill);
        System.arraycopy(a, 0, r, 3 - a.length, a.length);
        return r;
    }

    private static long[] three(long[] a, String what) {
        if (a == null || a.length != 3) throw new IllegalArgumentException(what + " needs 3 sizes (depth, height, width)");
        return a.clone();
    }

    public long[] in() { return in.clone(); }
    public long[] kernel() { return kernel.clone(); }
    public long[] stride() { return stride.clone(); }
    public long[] padding() { return padding.clone(); }
    public long[] dilation() { return dilation.clone(); }
    public long[] out() { return out.clone(); }

    /** Input, output and kernel elements per channel. */
    public long inVolume() { return in[0] * in[1] * in[2]; }
    public long outVolume() { return out[0] * out[1] * out[2]; }
    public long kernelVolume() { return kernel[0] * kernel[1] * kernel[2]; }

    /** The rows of the unfolded input (im2col): one per input channel and kernel tap. */
    public long taps() { return inChannels * kernelVolume(); }

    @Override public boolean equals(Object o) {
        return o instanceof ConvGeom g && inChannels == g.inChannels && outChannels == g.outChannels && Arrays.equals(in, g.in)
                && Arrays.equals(kernel, g.kernel) && Arrays.equals(stride, g.stride) && Arrays.equals(padding, g.padding)
                && Arrays.equals(dilation, g.dilation) && Arrays.equals(out, g.out);
    }

    @Override public int hashCode() {
        return Arrays.deepHashCode(new Object[] {inChannels, outChannels, in, kernel, stride, padding, dilation, out});
    }

    @Override public String toString() {
        return "ConvGeom[" + inChannels + " -> " + outChannels + ", in " + Arrays.toString(in) + ", kernel " + Arrays.toString(kernel)
                + ", stride " + Arrays.toString(stride) + ", padding " + Arrays.toString(padding) + ", dilation "
                + Arrays.toString(dilation) + ", out " + Arrays.toString(out) + "]";
    }
}
