package dln.kernel;

/**
 * The element-wise activations, each in Java and as an OpenCL C expression, with their derivatives
 * taken from the output (what a backward pass keeps). {@code alpha} is the slope of leaky_relu for
 * negative inputs and the scale of elu; the others ignore it. step is the Heaviside step, 1 from 0 on,
 * whose derivative is taken as 0.
 *
 * <p>NaN goes through every activation as through PyTorch's: relu, leaky_relu, elu, sigmoid and
 * tanh of NaN are NaN (OpenCL's fmax drops a NaN, so relu selects it back explicitly); step of NaN is
 * 0, as {@code torch.heaviside(nan, 1)} is.
 */
public enum Act {
    LINEAR, STEP, SIGMOID, TANH, RELU, LEAKY_RELU, ELU;

    public float apply(float z, float alpha) {
        return switch (this) {
            case LINEAR -> z;
            case STEP -> z >= 0 ? 1f : 0f;
            case SIGMOID -> (float) (1 / (1 + Math.exp(-z)));
            case TANH -> (float) Math.tanh(z);
            case RELU -> Math.max(z, 0f);
            case LEAKY_RELU -> z > 0 ? z : alpha * z;
            case ELU -> z > 0 ? z : (float) (alpha * Math.expm1(z));
        };
    }

    /** dy/dz from the output y = apply(z) (step: zero; leaky_relu needs alpha > 0). */
    public float gradFromOutput(float y, float alpha) {
        return switch (this) {
            case LINEAR -> 1f;
            case STEP -> 0f;
            case SIGMOID -> y * (1 - y);
            case TANH -> 1 - y * y;
            case RELU -> y > 0 ? 1f : 0f;
            case LEAKY_RELU -> y > 0 ? 1f : alpha;
            case ELU -> y > 0 ? 1f : y + alpha;
        };
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
     * dz[i] = dy[i] · gradFromOutput(y[i]) for i in [from, to) (dz may be dy), a loop per activation.
     * relu's derivative without a branch: y > 0 exactly when y's bits less one, unsigned, are below
     * those of +∞ (positive, not zero, not NaN).
     */
    public void gradFromOutput(float[] y, float[] dy, float[] dz, int from, int to, float alpha) {
        switch (this) {
            case LINEAR -> { for (int i = from; i < to; i++) dz[i] = dy[i] * 1f; }
            case RELU -> {
                for (int i = from; i < to; i++) {
                    long below = (Float.floatToRawIntBits(y[i]) - 1) & 0xFFFFFFFFL;
                    dz[i] = dy[i] * (float) ((below - 0x7F800000L) >>> 63);
                }
            }
            default -> { for (int i = from; i < to; i++) dz[i] = dy[i] * gradFromOutput(y[i], alpha); }
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

    /** gradFromOutput as a C expression over the C expressions {@code y} and {@code alpha} (y may appear more than once). */
    public String openclGrad(String y, String alpha) {
        return switch (this) {
            case LINEAR -> "1.0f";
            case STEP -> "0.0f";
            case SIGMOID -> "((" + y + ") * (1.0f - (" + y + ")))";
            case TANH -> "(1.0f - (" + y + ") * (" + y + "))";
            case RELU -> "((" + y + ") > 0.0f ? 1.0f : 0.0f)";
            case LEAKY_RELU -> "((" + y + ") > 0.0f ? 1.0f : (" + alpha + "))";
            case ELU -> "((" + y + ") > 0.0f ? 1.0f : (" + y + ") + (" + alpha + "))";
        };
    }
}
