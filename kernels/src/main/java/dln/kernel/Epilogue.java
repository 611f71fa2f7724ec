package dln.kernel;

import dln.runtime.kernel.C;
import java.util.List;
import java.util.Locale;

/**
 * What a matrix product applies to each element of its result as it stores it: the bias of the
 * element's column added, then an activation. A dense layer's product ({@link Gemm}'s A·Bᵀ, its
 * rows whole) may also write a second buffer from what it stores: the softmax of each row (a
 * classifier's last layer at inference: its logits and its probabilities), or the output of the
 * dropout after it in training (the activation for the backward pass, its dropped copy for the next
 * layer; the mask as {@link Dropout} makes it). Folding these into the product saves a launch and
 * a pass over the result per layer (a separate {@link BiasAct}, {@link Softmax} or {@link Dropout}
 * reads and writes it all again).
 */
public record Epilogue(boolean bias, Act act, float alpha, boolean softmax, Dropout dropout, Norm norm) {
    /** Stores the product as it is. */
    public static final Epilogue NONE = new Epilogue(false, Act.LINEAR, 0f);

    /**
     * Batch normalization at inference, between the bias and the activation (a convolution or dense
     * layer followed by batchnorm, as {@link BatchNormForward} computes it with the running
     * statistics): v = (v − runningMean)·(1/√(runningVar + eps))·weight + bias, per channel (a
     * convolution's output channel, a dense layer's column), from four buffers of the layer's
     * channels that the kernel takes after the product's own bias.
     */
    public record Norm(float eps) {
        /** The kernel arguments it reads, in order. */
        static final List<String> ARGS = List.of("norm_weight", "norm_bias", "running_mean", "running_var");

        /** y = (x − mean[c])·invstd·w[c] + b[c] for channel c, exactly as {@link BatchNormForward}'s reference. */
        float apply(float x, int c, float[] w, float[] b, float[] mean, float[] var) {
            float inv = 1f / (float) Math.sqrt(var[c] + eps);
            return (x - mean[c]) * inv * w[c] + b[c];
        }
    }

    public Epilogue {
        if (softmax && dropout != null) throw new IllegalArgumentException("one second output: a softmax or a dropout, not both");
    }

    /** The bias and the activation alone. */
    public Epilogue(boolean bias, Act act, float alpha) { this(bias, act, alpha, false, null, null); }

    public boolean none() { return !bias && act == Act.LINEAR && !softmax && dropout == null && norm == null; }

    /** The buffers the epilogue reads, after the product's own (the bias, the batch norm's four), as kernel arguments. */
    List<String> args() {
        List<String> out = new java.util.ArrayList<>();
        if (bias) out.add("bias");
        if (norm != null) out.addAll(Norm.ARGS);
        return out;
    }

    /** This epilogue with batch normalization at inference before its activation (which must be the identity yet). */
    public Epilogue withNorm(float eps) {
        if (act != Act.LINEAR) throw new IllegalArgumentException("a batch norm comes before the activation");
        return new Epilogue(bias, act, alpha, softmax, dropout, new Norm(eps));
    }

    /** This epilogue with activation {@code a} (which must be the identity yet). */
    public Epilogue withAct(Act a, float al) {
        if (act != Act.LINEAR) throw new IllegalArgumentException("the epilogue has an activation already");
        return new Epilogue(bias, a, al, softmax, dropout, norm);
    }

    /** Whether the product writes a second buffer (the softmax's or the dropout's output). */
    public boolean second() { return softmax || dropout != null; }

    /** This epilogue, then the softmax of each row into a second buffer. */
    public Epilogue withSoftmax() { return new Epilogue(bias, act, alpha, true, dropout, norm); }

    /** This epilogue, then {@code d}'s output of what it stored into a second buffer. */
    public Epilogue withDropout(Dropout d) { return new Epilogue(bias, act, alpha, softmax, java.util.Objects.requireNonNull(d), norm); }

    /**
     * The reference of a product's epilogue: c[i·ld + j] = act(norm(c[i·ld + j] + bias[j])) over rows
     * [rowFrom, rowTo) and columns [colFrom, colTo) (a block of C a thread computed), on the calling
     * thread; {@code reads} are the buffers of {@link #args}, in order.
     */
    void apply(float[] c, int rowFrom, int rowTo, int colFrom, int colTo, int ld, float[][] reads) {
        if (none()) return;
        if (!bias && norm == null) {
            for (int i = rowFrom; i < rowTo; i++) act.applyInPlace(c, i * ld + colFrom, i * ld + colTo, alpha);
            return;
        }
        // Each row through a thread's scratch, where the bias is at the same index: JDK 17's JIT does not
        // vectorize c[row + j] += bias[j], which may be the same array at another offset (9 against 21 µs
        // for 128 x 256 with relu), and the same operations in the same order give the same bits.
        int n0 = bias ? 1 : 0;
        Bits scratch = Bits.local();
        float[] row = scratch.row, rowBias = scratch.rowBias;
        for (int from = colFrom; from < colTo; from += Bits.BLOCK) {
            int n = Math.min(Bits.BLOCK, colTo - from);
            if (bias) System.arraycopy(reads[0], from, rowBias, 0, n);
            for (int i = rowFrom; i < rowTo; i++) {
                int at = i * ld + from;
                System.arraycopy(c, at, row, 0, n);
                if (bias) for (int j = 0; j < n; j++) row[j] += rowBias[j];
                if (norm != null) {
                    for (int j = 0; j < n; j++) row[j] = norm.apply(row[j], from + j, reads[n0], reads[n0 + 1], reads[n0 + 2], reads[n0 + 3]);
                }
                act.applyInPlace(row, 0, n, alpha);
                System.arraycopy(row, 0, c, at, n);
            }
        }
    }

    /**
     * The reference of a convolution's epilogue: y [n, channels, spatial] = act(norm(y + bias[channel])),
     * as {@link BiasAct} (and {@link BatchNormForward} between) computes it; {@code reads} as for {@link #apply}.
     */
    void applyChannels(float[] y, int n, long channels, long spatial, float[][] reads) {
        if (none()) return;
        if (norm == null) {
            new BiasAct("epilogue", Dim.batch(1), channels, spatial, bias, act, alpha).reference(n, 0, bias ? new float[][] {reads[0], y} : new float[][] {y});
            return;
        }
        if (bias) new BiasAct("epilogue", Dim.batch(1), channels, spatial, true, Act.LINEAR, 0f).reference(n, 0, new float[][] {reads[0], y});
        int n0 = bias ? 1 : 0, s = (int) spatial, per = (int) (channels * spatial);
        ParallelFor.range(n * (int) channels, 3L * s, nc -> {
            int c = nc % (int) channels, at = nc / (int) channels * per + c * s;
            for (int i = at; i < at + s; i++) y[i] = norm.apply(y[i], c, reads[n0], reads[n0 + 1], reads[n0 + 2], reads[n0 + 3]);
        });
        if (act != Act.LINEAR) new BiasAct("epilogue", Dim.batch(1), channels, spatial, false, act, alpha).reference(n, 0, new float[][] {y});
    }

    /**
     * Applies the epilogue in place to the accumulators {@code names} of OpenCL type {@code type}, all of
     * one channel, whose index is the C expression {@code channel}.
     */
    void openclInPlace(C out, List<String> names, String type, String channel) {
        if (none()) return;
        if (bias) out.line("{ const float b = bias[%s]; %s }", channel, String.join(" ", names.stream().map(v -> "%s += b;".formatted(v)).toList()));
        if (norm != null) {
            out.line("{ %s %s }", normConstants(channel), String.join(" ", names.stream().map(v -> "%s = (%s - mu) * inv * w + nb;".formatted(v, v)).toList()));
        }
        if (act == Act.LINEAR) return;
        for (String v : names) out.line("{ const %s z = %s; %s = %s; }", type, v, v, act.openclVector("z", C.f(alpha), type));
    }

    /** The batch norm's constants of a channel, as {@link BatchNormForward}'s kernel computes them at inference. */
    private String normConstants(String channel) {
        return "const float mu = running_mean[%s], inv = 1.0f / sqrt(running_var[%s] + %s), w = norm_weight[%s], nb = norm_bias[%s];"
                .formatted(channel, channel, C.f(norm.eps()), channel, channel);
    }

    /**
     * A statement storing to {@code target} the element whose product is {@code value}, in channel
     * (column) {@code channel}: a C expression of a float.
     */
    String openclStore(String target, String value, String channel) {
        String z = bias ? "(" + value + " + bias[" + channel + "])" : value;
        if (norm == null) return "%s = %s;".formatted(target, act == Act.LINEAR ? z : act.opencl(z, C.f(alpha)));
        String n = "(%s - mu) * inv * w + nb".formatted(z);
        String store = act == Act.LINEAR ? "%s = %s;".formatted(target, n) : "const float v = %s; %s = %s;".formatted(n, target, act.opencl("v", C.f(alpha)));
        return "{ " + normConstants(channel) + " " + store + " }";
    }

    /** For comments: `+ bias, relu`, `+ bias, softmax of the row into probs`. */
    public String describe() {
        List<String> parts = new java.util.ArrayList<>();
        if (bias) parts.add("+ bias");
        if (norm != null) parts.add("batch norm (running statistics)");
        if (act != Act.LINEAR) parts.add(act.name().toLowerCase(Locale.ROOT));
        if (softmax) parts.add("softmax of the row into probs");
        if (dropout != null) parts.add("dropout (rate %s) into dropped".formatted(C.f(dropout.rate())));
        return String.join(", ", parts);
    }
}
