package dln.runtime.data;

import java.util.Arrays;
import java.util.List;

/**
 * Examples written in the train block, {@code inline(inputs: [[0, 0], [0, 1]], targets: [[0], [1]])},
 * as the compiler parsed them: lists whose items are numbers ({@link Number}) or lists. Targets that
 * are single numbers are class labels when every one is a whole number, else targets of width 1;
 * targets that are lists are float rows. Every value must be a finite float32 ({@link Finite}); the
 * compiler already refuses a literal beyond float32's range where it is written. Examples and their
 * values are numbered from 1 in messages, as the compiler numbers them.
 */
public final class Inline {
    private Inline() {}

    /**
     * One example per item of {@code inputs} and of {@code targets}. Each input takes
     * {@code inputShape}, which must have as many values as the input as written; null keeps the
     * shape as written.
     */
    public static Dataset of(List<?> inputs, List<?> targets, long[] inputShape) {
        if (inputs.isEmpty()) throw new DataError("inline inputs: the list is empty; give at least one example");
        if (inputs.size() != targets.size()) {
            throw new DataError("inline data has " + inputs.size() + " inputs but " + targets.size() + " targets");
        }
        long[] written = shape(inputs.get(0), "input", 1);
        long[] shape = inputShape == null ? written : inputShape.clone();
        float[] x = values(inputs, "input", shape);
        long[] targetShape = shape(targets.get(0), "target", 1);
        float[] y = values(targets, "target", targetShape);
        boolean labels = targetShape.length == 0 && whole(y);
        return new Dataset(shape, x, inputs.size(), Dataset.size(targetShape), y, labels, i -> "inline target " + (i + 1));
    }

    /**
     * Flattens every item. Inputs must have as many values as {@code shape} (the model's input may
     * be shaped differently); targets must all have the shape of the first.
     */
    private static float[] values(List<?> items, String what, long[] shape) {
        boolean input = what.equals("input");
        int per = (int) Dataset.size(shape);
        float[] out = new float[items.size() * per];
        for (int i = 0; i < items.size(); i++) {
            long[] s = shape(items.get(i), what, i + 1);
            if (input ? Dataset.size(s) != per : !Arrays.equals(s, shape)) {
                throw new DataError("inline " + what + " " + (i + 1) + " has shape " + Dataset.show(s) + ", but "
                        + (input ? "the model's input has shape " : "inline target 1 has shape ") + Dataset.show(shape));
            }
            flatten(items.get(i), out, i * per);
            for (int k = 0; k < per; k++) {
                if (!Float.isFinite(out[i * per + k])) {
                    throw new DataError("inline " + what + " " + (i + 1) + ", value " + (k + 1) + ": " + Finite.describe(out[i * per + k])
                            + "; the data must be finite numbers");
                }
            }
        }
        return out;
    }

    /** The shape of a number ([]) or of a rectangular nest of lists. */
    private static long[] shape(Object item, String what, int example) {
        if (item instanceof Number) return new long[0];
        if (!(item instanceof List<?> list)) {
            throw new DataError("inline " + what + " " + example + " holds " + show(item) + ", which is not a number");
        }
        if (list.isEmpty()) throw new DataError("inline " + what + " " + example + " holds an empty list");
        long[] inner = shape(list.get(0), what, example);
        for (Object o : list) {
            if (!Arrays.equals(shape(o, what, example), inner)) {
                throw new DataError("inline " + what + " " + example + " is not rectangular: its lists differ in length");
            }
        }
        long[] s = new long[inner.length + 1];
        s[0] = list.size();
        System.arraycopy(inner, 0, s, 1, inner.length);
        return s;
    }

    /** Writes the numbers of {@code item} into {@code out} from {@code at}; returns the index after them. */
    private static int flatten(Object item, float[] out, int at) {
        if (item instanceof Number n) {
            out[at] = n.floatValue();
            return at + 1;
        }
        for (Object o : (List<?>) item) at = flatten(o, out, at);
        return at;
    }

    private static boolean whole(float[] values) {
        for (float v : values) if (v != Math.rint(v)) return false;
        return true;
    }

    private static String show(Object item) {
        return item instanceof String s ? "\"" + s + "\"" : String.valueOf(item);
    }
}
