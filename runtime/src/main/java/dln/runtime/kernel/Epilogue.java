package dln.runtime.kernel;

import java.util.Locale;

/**
 * What a matrix product applies to each element of its result as it stores it: the bias of the
 * element's column added, then an activation. Folding these into the product saves a launch and a
 * pass over the result per layer (a separate {@link BiasAct} reads and writes it all again).
 */
public record Epilogue(boolean bias, Act act, float alpha) {
    /** Stores the product as it is. */
    public static final Epilogue NONE = new Epilogue(false, Act.LINEAR, 0f);

    public boolean none() { return !bias && act == Act.LINEAR; }

    /** The reference: c[i·ld + j] = act(c[i·ld + j] + bias[j]) over rows [0, rows) and columns [0, cols). */
    void apply(float[] c, int rows, int cols, int ld, float[] biasValues) {
        if (none()) return;
        ParallelFor.chunks(rows, cols, (from, to) -> {
            for (int i = from; i < to; i++) {
                if (bias) for (int j = 0; j < cols; j++) c[i * ld + j] += biasValues[j];
                act.applyInPlace(c, i * ld, i * ld + cols, alpha);
            }
        });
    }

    /** The C expression of an element whose product is {@code value}, in column {@code column} (scalars, or vectors with the bias loaded to match). */
    String opencl(String value, String biasValue) {
        String z = bias ? "(" + value + " + " + biasValue + ")" : value;
        return act == Act.LINEAR ? z : act.opencl(z, C.f(alpha));
    }

    /** For comments: `+ bias, relu`. */
    public String describe() {
        String a = act == Act.LINEAR ? "" : act.name().toLowerCase(Locale.ROOT);
        return bias ? (a.isEmpty() ? "+ bias" : "+ bias, " + a) : a;
    }
}
