package dln.runtime.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Examples in memory: the input {@code values} in row-major order [count, ...inputShape] and
 * {@code targets} [count, targetWidth]. {@code labels} says the targets are class indices: width 1,
 * whole numbers. The inputs stay in their source's precision ({@link Values}: an IDX file's bytes
 * take a quarter of the memory of floats). The arrays are shared, not copied; no method changes them.
 *
 * <p>{@code origin} names where example {@code i} came from, for messages: {@code labels.idx: byte 13},
 * {@code digits.csv:5: column 65}. It is provenance, not data: {@link #equals} ignores it.
 */
public record Dataset(long[] inputShape, Values values, int count, long targetWidth, float[] targets, boolean labels,
                      IntFunction<String> origin) {
    /** Every whole number below this in magnitude is exactly a float32. */
    private static final float EXACT = 1 << 24;

    public Dataset {
        Objects.requireNonNull(inputShape, "inputShape");
        Objects.requireNonNull(values, "values");
        Objects.requireNonNull(targets, "targets");
        Objects.requireNonNull(origin, "origin");
        if (count < 0 || targetWidth < 0) throw new IllegalArgumentException("negative count or target width");
        if (values.length() != count * size(inputShape)) {
            throw new IllegalArgumentException(count + " examples of shape " + Arrays.toString(inputShape) + " need "
                    + count * size(inputShape) + " input values, not " + values.length());
        }
        if (targets.length != count * targetWidth) {
            throw new IllegalArgumentException(count + " targets of width " + targetWidth + " need "
                    + count * targetWidth + " values, not " + targets.length);
        }
        if (labels && targetWidth != 1) throw new IllegalArgumentException("labels have width 1, not " + targetWidth);
    }

    /** Examples with float inputs. */
    public Dataset(long[] inputShape, float[] inputs, int count, long targetWidth, float[] targets, boolean labels,
                   IntFunction<String> origin) {
        this(inputShape, new Values.Floats(Objects.requireNonNull(inputs, "inputs")), count, targetWidth, targets, labels, origin);
    }

    /** Examples whose origin is just their index: {@code example 5}, counting from 0. */
    public Dataset(long[] inputShape, float[] inputs, int count, long targetWidth, float[] targets, boolean labels) {
        this(inputShape, inputs, count, targetWidth, targets, labels, i -> "example " + i);
    }

    /** Every input value as a float, row-major: the array itself for float inputs, a new one for bytes. */
    public float[] inputs() { return values.floats(); }

    /** Copies example {@code i}'s inputs into {@code dst} from index {@code at}, as floats. */
    public void copyInputs(int i, float[] dst, int at) {
        int per = (int) inputSize();
        values.copy(i * per, dst, at, per);
    }

    /** The number of input values of one example. */
    public long inputSize() { return size(inputShape); }

    /** The class index of example {@code i}; only for labels. */
    public int label(int i) {
        if (!labels) throw new IllegalStateException("the targets are not class labels");
        return (int) targets[i];
    }

    /** Examples {@code from} (inclusive) to {@code to} (exclusive), copied. */
    public Dataset slice(int from, int to) {
        Objects.checkFromToIndex(from, to, count);
        int in = (int) inputSize(), out = (int) targetWidth;
        return new Dataset(inputShape, values.range(from * in, to * in), to - from, targetWidth,
                Arrays.copyOfRange(targets, from * out, to * out), labels, i -> origin.apply(from + i));
    }

    /** The examples at {@code indices}, in that order (repeats allowed): a shuffle, a split, a batch. */
    public Dataset select(int[] indices) {
        int[] at = indices.clone();
        int in = (int) inputSize(), out = (int) targetWidth;
        float[] y = new float[at.length * out];
        for (int k = 0; k < at.length; k++) {
            Objects.checkIndex(at[k], count);
            System.arraycopy(targets, at[k] * out, y, k * out, out);
        }
        return new Dataset(inputShape, values.rows(at, in), at.length, targetWidth, y, labels, i -> origin.apply(at[i]));
    }

    /**
     * The examples at {@code indices}, in that order, as {@link #select} gives them but with the
     * inputs not copied ({@link Values.Picked}): a split's training part, which keeps the loaded data
     * alive in its place. The targets are copied.
     */
    public Dataset pick(int[] indices) {
        int[] at = indices.clone();
        int in = (int) inputSize(), out = (int) targetWidth;
        float[] y = new float[at.length * out];
        for (int k = 0; k < at.length; k++) {
            Objects.checkIndex(at[k], count);
            System.arraycopy(targets, at[k] * out, y, k * out, out);
        }
        // a pick of a pick picks from what the first picked from
        Values picked = values instanceof Values.Picked p ? new Values.Picked(p.base(), Arrays.stream(at).map(k -> p.rows()[k]).toArray(), in)
                : new Values.Picked(values, at, in);
        return new Dataset(inputShape, picked, at.length, targetWidth, y, labels, i -> origin.apply(at[i]));
    }

    /** For labels, the largest label plus one (0 without examples); otherwise the target width, as of one-hot rows. */
    public int classes() {
        if (!labels) return (int) targetWidth;
        float max = -1;
        for (float t : targets) max = Math.max(max, t);
        return (int) max + 1;
    }

    /**
     * Checks the targets against a model with {@code classes} outputs: every label a whole number in
     * [0, classes), or else rows of exactly {@code classes} values (one-hot). Returns this dataset.
     */
    public Dataset checkLabels(int classes) {
        if (!labels) {
            if (targetWidth != classes && count > 0) {
                throw new DataError(origin.apply(0) + ": the targets have " + targetWidth + " values per example, but the model has "
                        + classes + " classes; give one class index per example, or one-hot rows of " + classes + " values");
            }
            return this;
        }
        for (int i = 0; i < count; i++) {
            float t = targets[i];
            if (t != Math.rint(t) || Math.abs(t) >= EXACT) {
                throw new DataError(origin.apply(i) + ": label " + t + " is not a whole number; class labels are 0 to " + (classes - 1));
            }
            if (t < 0 || t >= classes) {
                throw new DataError(origin.apply(i) + ": label " + (long) t + " is outside [0, " + classes + "): the model has "
                        + classes + (classes == 1 ? " class" : " classes") + ", labelled 0 to " + (classes - 1));
            }
        }
        return this;
    }

    /** Same shape, count and values as floats ({@link Arrays#equals(float[], float[])}); the origin and the storage are not compared. */
    @Override public boolean equals(Object o) {
        return o instanceof Dataset d && count == d.count && targetWidth == d.targetWidth && labels == d.labels
                && Arrays.equals(inputShape, d.inputShape) && Arrays.equals(inputs(), d.inputs()) && Arrays.equals(targets, d.targets);
    }

    @Override public int hashCode() {
        return Objects.hash(Arrays.hashCode(inputShape), Arrays.hashCode(inputs()), Arrays.hashCode(targets), labels);
    }

    @Override public String toString() {
        return "Dataset(" + count + " × " + Arrays.toString(inputShape) + " -> "
                + (labels ? "labels" : "targets of width " + targetWidth) + ")";
    }

    /** A shape with its number of values, as messages show it: {@code [28, 28] (784 values)}. */
    static String show(long[] shape) {
        long n = size(shape);
        return Arrays.toString(shape) + " (" + n + (n == 1 ? " value)" : " values)");
    }

    static long size(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
