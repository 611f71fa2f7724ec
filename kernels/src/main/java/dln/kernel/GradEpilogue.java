package dln.kernel;

import dln.runtime.kernel.C;
import java.util.ArrayList;
import java.util.List;

/**
 * What a backward matrix product does besides storing its result, so that the launches after it
 * need not run (the compiler's Fuser folds them in):
 * <ul>
 * <li>an input gradient (A·B: dy·W) takes, element by element as it stores, the mask of the
 *     dropout between the two layers ({@code mask}, the very {@link Dropout} kernel it replaces, at
 *     the launch's step) and then the derivative of the layer's activation ({@code act} from the
 *     buffer {@code y}, as {@link ActGrad} reads it): dz = ((dy·W) ⊙ mask) ⊙ act'(y), in that order,
 *     so the values are those of the three launches;</li>
 * <li>a weight gradient (Aᵀ·B: dzᵀ·x) also writes the sums of A's columns over k, the bias
 *     gradient db = Σ dz that a {@link BiasGrad} launch would read dz again for ({@code sums}).</li>
 * </ul>
 */
public record GradEpilogue(Dropout mask, Act act, float alpha, boolean sums) {
    /** Stores the product as it is. */
    public static final GradEpilogue NONE = new GradEpilogue(null, Act.LINEAR, 0f, false);

    public boolean none() { return equals(NONE); }

    /** Whether each stored element is scaled: by a dropout mask, an activation's derivative or both. */
    public boolean elementwise() { return mask != null || act != Act.LINEAR; }

    /** Folds a dropout's mask in: only before any activation's derivative, as the launches ran. */
    public GradEpilogue withMask(Dropout dropout) {
        if (mask != null || act != Act.LINEAR || sums) throw new IllegalStateException("a mask folds into a plain input gradient only");
        return new GradEpilogue(dropout, act, alpha, false);
    }

    /** Folds an activation's derivative in, after the mask if there is one. */
    public GradEpilogue withAct(Act a, float a2) {
        if (act != Act.LINEAR || sums) throw new IllegalStateException("one activation's derivative per product");
        return new GradEpilogue(mask, a, a2, false);
    }

    public GradEpilogue withSums() {
        if (elementwise()) throw new IllegalStateException("the sums are a weight gradient's, the mask and derivative an input gradient's");
        return new GradEpilogue(null, Act.LINEAR, 0f, true);
    }

    /** The extra buffers, after a, b and c: the activation's (`y`, or `z` for gelu and silu), then the sums. */
    List<String> args() {
        List<String> args = new ArrayList<>();
        if (act != Act.LINEAR) args.add(act.gradFromOutput() ? "y" : "z");
        if (sums) args.add("sums");
        return args;
    }

    /**
     * The reference, after the product stored c ({@code elements} of them, in rows of the product's
     * width): the kernels it replaces, run on c in place, so the JVM's values are theirs bit for bit.
     * For the sums, A holds {@code m} columns over {@code k} rows.
     */
    void apply(int batch, int step, float[] a, float[] c, float[] y, float[] sumsOut, Dim elements, Dim k, long m) {
        if (mask != null) mask.reference(batch, step, new float[][] {c, c});
        if (act != Act.LINEAR) new ActGrad("fold", elements, act, alpha).reference(batch, step, new float[][] {y, c, c});
        if (sums) new BiasGrad("fold", k, m, 1).reference(batch, step, new float[][] {a, sumsOut});
    }

    /** The OpenCL helpers this epilogue's expressions call, named after the kernel. */
    void helpers(C out, String kernel) {
        if (mask != null) mask.hashFunction(out, kernel + "_hash");
    }

    /** The helpers of {@link #openclVector} for vectors of {@code width} lanes (the hash on uintN). */
    void vectorHelpers(C out, String kernel, int width) {
        if (mask != null && width > 1) mask.hashFunction(out, kernel + "_hash" + width, width);
    }

    /**
     * Statements that apply the epilogue in place to {@code v}, a float{@code width} (or a float) of
     * consecutive elements from flat index {@code index}: the same operations in the same order as
     * {@link #opencl}, a vector at a time.
     */
    String openclVector(String v, String index, int width, String kernel) {
        String type = width == 1 ? "float" : "float" + width;
        StringBuilder s = new StringBuilder();
        if (mask != null) s.append(mask.keptStatement(kernel + "_hash" + (width == 1 ? "" : width), "stream", index, v, width));
        if (act != Act.LINEAR) {
            String y = args().get(0), load = width == 1 ? y + "[" + index + "]" : "vload%d(0, %s + %s)".formatted(width, y, index);
            s.append(s.length() > 0 ? " " : "").append("{ const %s g = %s; %s = %s * %s; }".formatted(type, load, v, v, act.openclGradVector("g", C.f(alpha), type)));
        }
        return s.toString();
    }

    /** Declarations at the kernel's start (the dropout's stream of this step). */
    void prologue(C out, String kernel) {
        if (mask != null) out.line("const uint stream = %s;", mask.streamExpression(kernel + "_hash"));
    }

    /** The C expression of the element stored at flat index {@code index} whose product is {@code value}. */
    String opencl(String value, String index, String kernel) {
        String v = value;
        if (mask != null) v = mask.keptExpression(kernel + "_hash", "stream", index, v);
        if (act != Act.LINEAR) v = "(" + v + ") * " + act.openclGrad(args().get(0) + "[" + index + "]", C.f(alpha));
        return v;
    }

    /** For comments: `then × the dropout mask, × relu'(y)`, `and the sums of A's columns`. */
    String describe() {
        if (sums) return "and the sums of A's columns over k into sums";
        List<String> parts = new ArrayList<>();
        if (mask != null) parts.add("times the dropout mask of this step (rate " + mask.rate() + ")");
        if (act != Act.LINEAR) parts.add("times " + act.name().toLowerCase(java.util.Locale.ROOT) + "'(" + args().get(0) + ")");
        return "then " + String.join(", then ", parts);
    }
}
