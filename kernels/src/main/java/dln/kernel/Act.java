package dln.kernel;

/**
 * The element-wise activations, each in Java and as an OpenCL C expression, with their derivatives.
 * Most derivatives are taken from the output y (what a layer that fuses the activation keeps); gelu's
 * and silu's need the input z ({@link #gradFromOutput()}), so a layer cannot fuse them. {@code alpha}
 * is the slope of leaky_relu for negative inputs and the scale of elu; the others ignore it. step is
 * the Heaviside step, 1 from 0 on, whose derivative is taken as 0. gelu is the exact form
 * z·Φ(z) = z/2·erfc(−z/√2) (PyTorch's default, approximate='none'); silu is z·sigmoid(z).
 *
 * <p>NaN goes through every activation as through PyTorch's: relu, leaky_relu, elu, sigmoid and
 * tanh of NaN are NaN (OpenCL's fmax drops a NaN, so relu selects it back explicitly); step of NaN is
 * 0, as {@code torch.heaviside(nan, 1)} is. gelu and silu of −∞ are NaN (−∞·0), as PyTorch's.
 */
public enum Act {
    LINEAR, STEP, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, GELU, SILU;

    private static final double SQRT_HALF = Math.sqrt(0.5), INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    public float apply(float z, float alpha) {
        return switch (this) {
            case LINEAR -> z;
            case STEP -> z >= 0 ? 1f : 0f;
            case SIGMOID -> (float) (1 / (1 + Math.exp(-z)));
            case TANH -> (float) Math.tanh(z);
            case RELU -> Math.max(z, 0f);
            case LEAKY_RELU -> z > 0 ? z : alpha * z;
            case ELU -> z > 0 ? z : (float) (alpha * Math.expm1(z));
            case GELU -> (float) (0.5 * z * erfc(-z * SQRT_HALF));
            case SILU -> (float) (z / (1 + Math.exp(-z)));
        };
    }

    /** Whether the derivative is a function of the output y; gelu's and silu's are functions of the input z. */
    public boolean gradFromOutput() { return this != GELU && this != SILU; }

    /**
     * relu's derivative at its output y without a branch on the data: 1 where y is above zero
     * (infinity included), else 0 (zeros of either sign, NaN), as {@link #grad(float[], float[],
     * float[], int, int, float)} computes it a block at a time.
     */
    static float reluGrad(float y) {
        int below = Float.floatToRawIntBits(y) - 1;
        return Float.intBitsToFloat(~((below | (0x7F7FFFFF - below)) >> 31) & 0x3F800000);
    }

    /**
     * dy/dz from {@code v}: the output y = apply(z) when {@link #gradFromOutput()}, else the input z
     * (step: zero; leaky_relu needs alpha > 0).
     */
    public float grad(float v, float alpha) {
        return switch (this) {
            case LINEAR -> 1f;
            case STEP -> 0f;
            case SIGMOID -> v * (1 - v);
            case TANH -> 1 - v * v;
            case RELU -> v > 0 ? 1f : 0f;
            case LEAKY_RELU -> v > 0 ? 1f : alpha;
            case ELU -> v > 0 ? 1f : v + alpha;
            case GELU -> (float) (0.5 * erfc(-v * SQRT_HALF) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
            case SILU -> {
                double s = 1 / (1 + Math.exp(-v));
                yield (float) (s * (1 + v * (1 - s)));
            }
        };
    }

    /**
     * erfc in double with a relative error below 1.2e-7 everywhere (Numerical Recipes' erfcc, a
     * Chebyshev fit): about a float's rounding, and the activations return floats. Java has no erf.
     */
    static double erfc(double x) {
        double t = 1 / (1 + 0.5 * Math.abs(x));
        double r = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
                + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }

    /**
     * y[i] = apply(y[i]) for i in [from, to), a loop per activation. relu's loop has no branch on the
     * sign, which random signs mispredict half the time: Java's max(z, 0) gives +0 for −0 and the
     * negatives, and NaN for NaN.
     */
    public void applyInPlace(float[] y, int from, int to, float alpha) {
        switch (this) {
            case LINEAR -> { }
            case RELU -> {
                for (int i = from; i < to; i++) y[i] = Math.max(y[i], 0f);
            }
            default -> { for (int i = from; i < to; i++) y[i] = apply(y[i], alpha); }
        }
    }

    /**
     * dz[i] = dy[i] · grad(v[i]) for i in [from, to) (dz may be dy), a loop per activation; v holds
     * outputs or inputs as {@link #gradFromOutput()} says. relu's derivative without a branch: y > 0
     * exactly when y's bits less one lie in [0, those of +∞) (positive, not zero, not NaN), and the
     * factor 1 or 0 is made from those bits a block at a time in loops the JIT vectorizes ({@link Bits}).
     */
    public void grad(float[] y, float[] dy, float[] dz, int from, int to, float alpha) {
        switch (this) {
            case LINEAR -> { for (int i = from; i < to; i++) dz[i] = dy[i] * 1f; }
            case RELU -> {
                Bits b = Bits.local();
                for (int start = from; start < to; start += Bits.BLOCK) {
                    int n = Math.min(Bits.BLOCK, to - start);
                    b.toInts(y, start, n);
                    for (int j = 0; j < n; j++) {
                        int below = b.ints[j] - 1;
                        b.ints[j] = ~((below | (0x7F7FFFFF - below)) >> 31) & 0x3F800000;
                    }
                    b.toFloats(b.floats, 0, n);
                    System.arraycopy(dy, start, b.row, 0, n);
                    for (int j = 0; j < n; j++) b.row[j] *= b.floats[j];
                    System.arraycopy(b.row, 0, dz, start, n);
                }
            }
            default -> { for (int i = from; i < to; i++) dz[i] = dy[i] * grad(y[i], alpha); }
        }
    }

    /** apply as a C expression over the C expressions {@code z} and {@code alpha} (z may appear more than once). */
    public String opencl(String z, String alpha) {
        return switch (this) {
            case LINEAR -> "(" + z + ")";
            case STEP -> "((" + z + ") >= 0.0f ? 1.0f : 0.0f)";
            case SIGMOID -> "(1.0f / (1.0f + exp(-(" + z + "))))";
            case TANH -> "tanh(" + z + ")";
            case RELU -> "select(fmax(" + z + ", 0.0f), (" + z + "), isnan(" + z + "))";
            case LEAKY_RELU -> "((" + z + ") > 0.0f ? (" + z + ") : (" + alpha + ") * (" + z + "))";
            case ELU -> "((" + z + ") > 0.0f ? (" + z + ") : (" + alpha + ") * expm1(" + z + "))";
            case GELU -> "(0.5f * (" + z + ") * erfc(-(" + z + ") * 0.70710678f))";
            case SILU -> "((" + z + ") / (1.0f + exp(-(" + z + "))))";
        };
    }

    /**
     * apply as a C expression over {@code z} of OpenCL type {@code type} (float or floatN), where the
     * branches are select()s: OpenCL's ?: takes a scalar condition only. {@code z} should be a name,
     * as it may appear more than once.
     */
    public String openclVector(String z, String alpha, String type) {
        return switch (this) {
            case STEP -> "select((%s) 0.0f, (%s) 1.0f, %s >= 0.0f)".formatted(type, type, z);
            case LEAKY_RELU -> "select((%s) * %s, %s, %s > 0.0f)".formatted(alpha, z, z, z);
            case ELU -> "select((%s) * expm1(%s), %s, %s > 0.0f)".formatted(alpha, z, z, z);
            default -> opencl(z, alpha);
        };
    }

    /**
     * grad as a C expression over {@code y} of OpenCL type {@code type} (float or floatN), the branches
     * as select()s; {@code y} should be a name.
     */
    public String openclGradVector(String y, String alpha, String type) {
        return switch (this) {
            case LINEAR -> "((%s) 1.0f)".formatted(type);
            case STEP -> "((%s) 0.0f)".formatted(type);
            case RELU -> "select((%s) 0.0f, (%s) 1.0f, %s > 0.0f)".formatted(type, type, y);
            case LEAKY_RELU -> "select((%s) (%s), (%s) 1.0f, %s > 0.0f)".formatted(type, alpha, type, y);
            case ELU -> "select(%s + (%s), (%s) 1.0f, %s > 0.0f)".formatted(y, alpha, type, y);
            default -> openclGrad(y, alpha);
        };
    }

    /** grad as a C expression over the C expressions {@code y} (the output, or the input z, as {@link #grad} reads) and {@code alpha} (y may appear more than once). */
    public String openclGrad(String y, String alpha) {
        return switch (this) {
            case LINEAR -> "1.0f";
            case STEP -> "0.0f";
            case SIGMOID -> "((" + y + ") * (1.0f - (" + y + ")))";
            case TANH -> "(1.0f - (" + y + ") * (" + y + "))";
            case RELU -> "((" + y + ") > 0.0f ? 1.0f : 0.0f)";
            case LEAKY_RELU -> "((" + y + ") > 0.0f ? 1.0f : (" + alpha + "))";
            case ELU -> "((" + y + ") > 0.0f ? 1.0f : (" + y + ") + (" + alpha + "))";
            case GELU -> "(0.5f * erfc(-(" + y + ") * 0.70710678f) + (" + y + ") * 0.39894228f * exp(-0.5f * (" + y + ") * (" + y + ")))";
            case SILU -> "((1.0f / (1.0f + exp(-(" + y + ")))) * (1.0f + (" + y + ") * (1.0f - 1.0f / (1.0f + exp(-(" + y + "))))))";
        };
    }
}
