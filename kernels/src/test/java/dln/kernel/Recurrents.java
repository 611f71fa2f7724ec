package dln.kernel;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/** Test data for the recurrent kernels. */
final class Recurrents {
    private Recurrents() {}

    /** A layer with T = 4 and F = 3 (N = 1: tests choose the batch), its kernels named after kind and shape. */
    static RecurrentLayer layer(String kind, int h, boolean sequences, Random r) {
        boolean lstm = kind.equals("lstm");
        Act act = lstm ? null : Act.valueOf(kind.toUpperCase(Locale.ROOT));
        return new RecurrentLayer(kind + "_h" + h + (sequences ? "_seq" : "_last"), lstm, act, sequences, 1, 4, 3, h, r);
    }

    static float[] nans(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }
}
