package dln.kernel;

import dln.runtime.kernel.C;
import java.util.List;
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

    /** The reference of a product's epilogue: c[i·ld + j] = act(c[i·ld + j] + bias[j]) over rows [0, rows) and columns [0, cols). */
    void apply(float[] c, int rows, int cols, int ld, float[] biasValues) {
        if (none()) return;
        ParallelFor.chunks(rows, cols, (from, to) -> {
            for (int i = from; i < to; i++) {
                if (bias) for (int j = 0; j < cols; j++) c[i * ld + j] += biasValues[j];
                act.applyInPlace(c, i * ld, i * ld + cols, alpha);
            }
        });
    }

    /** The reference of a convolution's epilogue: y [n, channels, spatial] = act(y + bias[channel]), as {@link BiasAct} computes it. */
    void applyChannels(float[] y, int n, long channels, long spatial, float[] biasValues) {
        if (none()) return;
        new BiasAct("epilogue", Dim.batch(1), channels, spatial, bias, act, alpha).reference(n, 0, bias ? new float[][] {biasValues, y} : new float[][] {y});
    }

    /**
     * Applies the epilogue in place to the accumulators {@code names} of OpenCL type {@code type}, all of
     * one channel whose bias is {@code biasValue} (a C expression of a float).
     */
    void openclInPlace(C out, List<String> names, String type, String biasValue) {
        if (none()) return;
        if (bias) out.line("{ const float b = %s; %s }", biasValue, String.join(" ", names.stream().map(v -> "%s += b;".formatted(v)).toList()));
        if (act == Act.LINEAR) return;
        for (String v : names) out.line("{ const %s z = %s; %s = %s; }", type, v, v, act.openclVector("z", C.f(alpha), type));
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
