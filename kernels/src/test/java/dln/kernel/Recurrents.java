package dln.kernel;

import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/** Test data for the recurrent kernels. */
final class Recurrents {
    private Recurrents() {}

    /**
     * A layer with T = 4 and F = 3 (N = 1: tests choose the batch), its kernels named after kind and
     * shape. {@code kind} is lstm, gru or an rnn's activation; a reverse layer is the backward half of
     * a bidirectional one.
     */
    static RecurrentLayer layer(String kind, int h, boolean sequences, boolean reverse, Random r) {
        String name = kind + "_h" + h + (sequences ? "_seq" : "_last") + (reverse ? "_reverse" : "");
        return new RecurrentLayer(name, cell(kind), act(kind), sequences, reverse, 1, 4, 3, h, r);
    }

    static RecurrentCell cell(String kind) {
        return switch (kind) {
            case "lstm" -> RecurrentCell.LSTM;
            case "gru" -> RecurrentCell.GRU;
            default -> RecurrentCell.RNN;
        };
    }

    /** An rnn's activation; null for the gated cells. */
    static Act act(String kind) {
        return cell(kind) == RecurrentCell.RNN ? Act.valueOf(kind.toUpperCase(Locale.ROOT)) : null;
    }

    static float[] nans(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }
}
