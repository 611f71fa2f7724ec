package dln.runtime.data;

import dln.runtime.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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

    /**
     * For a model with several inputs: one inputs file per input, in the model's order, example
     * {@code i} of each being input {@code i} of that example, and {@code shapes} the inputs'
     * shapes. Each example's inputs are packed one after another into one row of the dataset,
     * whose input shape is [total values]; the trainer unpacks them per batch.
     */
    public static Dataset read(List<Path> inputs, Path targets, List<long[]> shapes) {
        if (inputs.size() != shapes.size()) {
            throw new IllegalArgumentException(inputs.size() + " inputs files for " + shapes.size() + " inputs");
        }
        if (inputs.size() == 1) return read(inputs.get(0), targets, shapes.get(0));
        List<Dataset> parts = new ArrayList<>();
        for (int k = 0; k < inputs.size(); k++) {
            Dataset d = read(inputs.get(k), targets, shapes.get(k));
            if (k > 0 && d.count() != parts.get(0).count()) throw new IllegalStateException("counts were checked against the targets");
            parts.add(d);
        }
        int count = parts.get(0).count();
        long total = 0;
        for (Dataset d : parts) total += d.inputSize();
        if (count * total > Integer.MAX_VALUE - 8) {
            throw new DataError(inputs.get(0) + " and the other inputs files hold " + count * total
                    + " values together, more than one Java array can hold");
        }
        float[] packed = new float[(int) (count * total)];
        int at = 0;
        for (Dataset d : parts) {
            int per = (int) d.inputSize();
            for (int i = 0; i < count; i++) System.arraycopy(d.inputs(), i * per, packed, (int) (i * total) + at, per);
            at += per;
        }
        Dataset first = parts.get(0);
        return new Dataset(new long[] {total}, packed, count, first.targetWidth(), first.targets(), first.labels(), first.origin());
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
