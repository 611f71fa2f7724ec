package dln.train;

import java.util.Arrays;
import java.util.List;

/**
 * Examples of a model with several inputs, packed: each dataset row holds the example's inputs one
 * after another in the model's order, so that shuffling, splitting and batching move whole
 * examples. {@link #unpack} splits a batch of rows into the one array per input that the model
 * takes. A model with one input is its own packing: nothing is copied.
 */
public final class Inputs {
    private Inputs() {}

    /** The row shape: the input's own shape for one input, else [total values]. */
    public static long[] packedShape(List<long[]> shapes) {
        if (shapes.size() == 1) return shapes.get(0).clone();
        long total = 0;
        for (long[] s : shapes) total += Sources.size(s);
        return new long[] {total};
    }

    /** The first {@code n} rows of {@code packed} as one array per input ({@code packed} itself for one input). */
    public static float[][] unpack(float[] packed, int n, List<long[]> shapes) {
        if (shapes.size() == 1) return new float[][] {packed};
        long[] sizes = shapes.stream().mapToLong(Sources::size).toArray();
        int total = (int) Arrays.stream(sizes).sum();
        float[][] out = new float[shapes.size()][];
        int at = 0;
        for (int k = 0; k < out.length; k++) {
            int per = (int) sizes[k];
            out[k] = new float[n * per];
            for (int i = 0; i < n; i++) System.arraycopy(packed, i * total + at, out[k], i * per, per);
            at += per;
        }
        return out;
    }
}
