package dln.kernel;

import java.util.Arrays;

/**
 * The sizes of a pooling layer, every spatial array of length 3 (depth, height, width), 1-D and 2-D
 * pools leading with ones (size 1, window 1, stride 1, padding 0). Input [N, channels, in], output
 * [N, channels, out]. As in PyTorch, padding is at most half the window, so every window holds at
 * least one input element.
 */
public record PoolGeom(long channels, long[] in, long[] size, long[] stride, long[] padding, long[] out) {

    public PoolGeom {
        in = three(in, "in");
        size = three(size, "size");
        stride = three(stride, "stride");
        padding = three(padding, "padding");
        out = three(out, "out");
        if (channels < 1) throw new IllegalArgumentException("channels must be positive");
        for (int d = 0; d < 3; d++) {
            if (size[d] < 1 || stride[d] < 1 || padding[d] < 0 || 2 * padding[d] > size[d] || in[d] < 1 || out[d] < 1
                    || out[d] != ConvGeom.outSize(in[d], size[d], stride[d], padding[d], 1)) {
                throw new IllegalArgumentException("bad pooling sizes in dimension " + d + ": in " + in[d] + ", size " + size[d]
                        + ", stride " + stride[d] + ", padding " + padding[d] + ", out " + out[d]);
            }
        }
    }

    /**
     * The geometry of a pool of 1 to 3 spatial dimensions: shorter arrays are padded at the front
     * (sizes, window and stride with 1, padding with 0), and the output size is
     * floor((in + 2·padding − size) / stride) + 1.
     */
    public static PoolGeom of(long channels, long[] in, long[] size, long[] stride, long[] padding) {
        long[] i = ConvGeom.lead(in, 1), k = ConvGeom.lead(size, 1), s = ConvGeom.lead(stride, 1), p = ConvGeom.lead(padding, 0);
        long[] o = new long[3];
        for (int x = 0; x < 3; x++) o[x] = ConvGeom.outSize(i[x], k[x], s[x], p[x], 1);
        return new PoolGeom(channels, i, k, s, p, o);
    }


    private static long[] three(long[] a, String what) {
        if (a == null || a.length != 3) throw new IllegalArgumentException(what + " needs 3 sizes (depth, height, width)");
        return a.clone();
    }

    public long[] in() { return in.clone(); }
    public long[] size() { return size.clone(); }
    public long[] stride() { return stride.clone(); }
    public long[] padding() { return padding.clone(); }
    public long[] out() { return out.clone(); }

    public long inVolume() { return in[0] * in[1] * in[2]; }
    public long outVolume() { return out[0] * out[1] * out[2]; }
    public long windowVolume() { return size[0] * size[1] * size[2]; }

    @Override public boolean equals(Object o) {
        return o instanceof PoolGeom g && channels == g.channels && Arrays.equals(in, g.in) && Arrays.equals(size, g.size)
                && Arrays.equals(stride, g.stride) && Arrays.equals(padding, g.padding) && Arrays.equals(out, g.out);
    }

    @Override public int hashCode() { return Arrays.deepHashCode(new Object[] {channels, in, size, stride, padding, out}); }

    @Override public String toString() {
        return "PoolGeom[" + channels + " channels, in " + Arrays.toString(in) + ", size " + Arrays.toString(size) + ", stride "
                + Arrays.toString(stride) + ", padding " + Arrays.toString(padding) + ", out " + Arrays.toString(out) + "]";
    }
}
