package dln.runtime.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Data must be finite float32 numbers. A NaN or an infinity in the inputs or targets makes the loss
 * NaN at the first batch that holds it, and the run then learns nothing without saying why, so the
 * readers refuse it, naming the file, the example and the value. A number beyond float32's range
 * (a CSV cell of {@code 1e39}, a float64 of 1e300 in a .npy file) becomes infinite when narrowed to
 * float32, and is refused the same way.
 */
public final class Finite {
    /** What a value beyond float32's range is, for messages. */
    static final String RANGE = "float32's range (±3.4028235e38)";

    private Finite() {}

    /** The index of the first value of {@code values} that is NaN or infinite, or -1: one pass, no boxing. */
    static int firstBad(float[] values) {
        for (int i = 0; i < values.length; i++) if (!Float.isFinite(values[i])) return i;
        return -1;
    }

    /**
     * Checks an array read from {@code file}, of {@code shape} (its first axis the examples, as in a
     * .npy file); {@code what} names its values in the message ({@code inputs}, {@code targets}).
     * The message names the example and the value's index, counting from 0 as NumPy does:
     * {@code x.npy: example 3, index [3, 0, 17]: NaN; ...}.
     */
    public static void check(Path file, float[] values, long[] shape, String what) {
        int bad = firstBad(values);
        if (bad < 0) return;
        long[] index = index(bad, shape);
        throw new DataError(file + ": example " + (index.length == 0 ? 0 : index[0]) + ", index " + Arrays.toString(index) + ": "
                + describe(values[bad]) + "; the " + what + " must be finite numbers (NumPy's np.isfinite(a).all() checks an array)");
    }

    /** The multi-index of flat index {@code flat} in an array of {@code shape}, in C order. */
    static long[] index(long flat, long[] shape) {
        long[] index = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return index;
    }

    /** A value that is not finite, in words: NaN, or an infinity that may have been a number out of float32's range. */
    static String describe(float v) {
        if (Float.isNaN(v)) return "the value is NaN";
        return "the value is " + (v > 0 ? "+" : "-") + "Infinity, or a number beyond " + RANGE + " that became infinite in float32";
    }
}
