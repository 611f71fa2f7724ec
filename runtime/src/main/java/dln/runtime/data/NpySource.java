package dln.runtime.data;

import dln.runtime.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Examples as two NumPy .npy files: inputs [count, ...] and targets [count, ...] (or [count]).
 * Targets of an integer type and shape [count] are class labels; any other targets are floats,
 * each example's flattened to one row.
 */
public final class NpySource {
    private NpySource() {}

    /** Each example keeps the shape it has in the inputs file. */
    public static Dataset read(Path inputs, Path targets) {
        return read(inputs, targets, null);
    }

    /**
     * Each example takes {@code inputShape}, which must have as many values as one example in the
     * file ([1, 28, 28] for an array of [n, 784] is fine); null keeps the file's shape.
     */
    public static Dataset read(Path inputs, Path targets, long[] inputShape) {
        Npy.Array x = array(inputs, "examples"), y = array(targets, "targets");
        long count = x.shape()[0];
        if (y.shape()[0] != count) {
            throw new DataError(targets + ": holds " + y.shape()[0] + " targets (shape " + Arrays.toString(y.shape()) + "), but "
                    + inputs + " holds " + count + " examples (shape " + Arrays.toString(x.shape()) + ")");
        }
        long[] exampleShape = Arrays.copyOfRange(x.shape(), 1, x.shape().length);
        long[] shape = inputShape == null ? exampleShape : inputShape.clone();
        if (Dataset.size(shape) != Dataset.size(exampleShape)) {
            throw new DataError(inputs + ": each example has shape " + Dataset.show(exampleShape)
                    + ", which does not fit the model's input shape " + Dataset.show(shape));
        }
        boolean labels = y.integer() && y.shape().length == 1;
        long width = count == 0 ? Dataset.size(Arrays.copyOfRange(y.shape(), 1, y.shape().length)) : y.data().length / count;
        return new Dataset(shape, x.data(), (int) count, width, y.data(), labels, i -> targets + ": index " + i);
    }

    /** Reads an array that has one row per example. */
    private static Npy.Array array(Path file, String what) {
        Npy.Array a;
        try {
            a = Npy.read(file);
        } catch (IOException e) {
            throw DataFiles.unreadable(file, e);
        }
        if (a.shape().length == 0) {
            throw new DataError(file + ": holds a single value (shape []); expected one row of " + what + " per example, shape [count, ...]");
        }
        return a;
    }
}
