package dln.runtime.io;

import java.util.Arrays;

/** Shape arithmetic shared by the formats. */
final class Shapes {
    /** The most values one Java array can hold on common JVMs. */
    static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    private Shapes() {}

    /** The number of values of a shape, or -1 if it does not fit in a long. */
    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) return -1;
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    /** Checks the arguments of an array record: a valid shape that holds exactly {@code values} values. */
    static void check(long[] shape, float[] data) {
        if (shape == null || data == null) throw new NullPointerException("shape and data are required");
        for (long d : shape) if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + show(shape));
        if (size(shape) != data.length) {
            throw new IllegalArgumentException("shape " + show(shape) + " holds " + (size(shape) < 0 ? "too many" : size(shape))
                    + " values, but the data has " + data.length);
        }
    }

    static String show(long[] shape) { return Arrays.toString(shape); }
}
