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
 * each example's flattened to one row. Every value must be a finite float32 ({@link Finite}).
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
        long[] shape = fit(inputs, x, targets, y, inputShape);
        return dataset(shape, x.data(), y, targets);
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
        Npy.Array y = null;
        List<float[]> parts = new ArrayList<>();
        long total = 0;
        for (int k = 0; k < inputs.size(); k++) {
            Npy.Array x = array(inputs.get(k), "examples");
            if (y == null) y = array(targets, "targets");
            total += Dataset.size(fit(inputs.get(k), x, targets, y, shapes.get(k)));
            parts.add(x.data());
        }
        int count = (int) y.shape()[0];
        if (count * total > Integer.MAX_VALUE - 8) {
            throw new DataError(inputs.get(0) + " and the other inputs files hold " + count * total
                    + " values together, more than one Java array can hold");
        }
        float[] packed = new float[(int) (count * total)];
        int at = 0;
        for (float[] part : parts) {
            int per = count == 0 ? 0 : part.length / count;
            for (int i = 0; i < count; i++) System.arraycopy(part, i * per, packed, (int) (i * total) + at, per);
            at += per;
        }
        return dataset(new long[] {total}, packed, y, targets);
    }

    /**
     * For a model with several outputs: the examples of {@link #read(List, Path, List)} once for each
     * targets file, in the model's output order, all sharing the inputs read once.
     */
    public static List<Dataset> read(List<Path> inputs, List<Path> targets, List<long[]> shapes) {
        Dataset first = read(inputs, targets.get(0), shapes);
        List<Dataset> out = new ArrayList<>(List.of(first));
        for (Path file : targets.subList(1, targets.size())) {
            Npy.Array y = array(file, "targets");
            if (y.shape()[0] != first.count()) {
                throw new DataError(file + ": holds " + y.shape()[0] + " targets (shape " + Arrays.toString(y.shape()) + "), but "
                        + targets.get(0) + " holds targets for " + first.count() + " examples");
            }
            out.add(dataset(first.inputShape(), first.values(), y, file));
        }
        return out;
    }

    /**
     * Checks that {@code x} holds one example per target, each with as many values as
     * {@code inputShape} (null: any); returns the shape each example takes.
     */
    private static long[] fit(Path inputs, Npy.Array x, Path targets, Npy.Array y, long[] inputShape) {
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
        return shape;
    }

    /** The examples with the targets of {@code y}: integer targets of shape [count] are labels. */
    private static Dataset dataset(long[] shape, float[] inputs, Npy.Array y, Path targets) {
        return dataset(shape, new Values.Floats(inputs), y, targets);
    }

    private static Dataset dataset(long[] shape, Values inputs, Npy.Array y, Path targets) {
        long count = y.shape()[0];
        boolean labels = y.integer() && y.shape().length == 1;
        long width = count == 0 ? Dataset.size(Arrays.copyOfRange(y.shape(), 1, y.shape().length)) : y.data().length / count;
        return new Dataset(shape, inputs, (int) count, width, y.data(), labels, i -> targets + ": index " + i);
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
        if (!a.integer()) Finite.check(file, a.data(), a.shape(), what);
        return a;
    }
}
