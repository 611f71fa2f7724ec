package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One optimizer step over a parameter of {@code size} elements, in place, four elements per work-item.
 * The hyper buffer ({@link #hyper}) holds the learning rate, the step count t (from 1), and Adam's
 * step size lr/(1 − β1^t) and √(1 − β2^t), computed once per step on the host in double as PyTorch
 * does: read from a buffer, a schedule changes the rate without recompiling, and the device does not
 * evaluate two exponentials per work-item (which had made Adam's update 3 to 4 times slower on PoCL). The regularized gradient is g = grad + l2·w + l1·sign(w), so {@code l2} is PyTorch's
 * weight_decay (the penalty (l2/2)·‖w‖²) and sign(0) = 0. The rules follow PyTorch's formulation:
 * <ul>
 * <li>SGD: w −= lr·g; with momentum μ, v = μ·v + g (state1) and w −= lr·v, or w −= lr·(g + μ·v) with Nesterov.
 * <li>ADAGRAD: s += g² (state1); w −= lr·g/(√s + eps).
 * <li>RMSPROP: s = ρ·s + (1 − ρ)·g² (state1); w −= lr·g/(√s + eps).
 * <li>ADAM: m = β1·m + (1 − β1)·g (state1), v = β2·v + (1 − β2)·g² (state2);
 *     w −= (lr/(1 − β1^t))·m/(√v/√(1 − β2^t) + eps), eps outside the square root.
 * <li>ADAMW: torch.optim.AdamW, Adam after the decoupled weight decay w ·= 1 − lr·{@code decay}, which
 *     (unlike l2) never enters the moments.
 * </ul>
 * Gradient clipping ({@link Clip}) acts on the regularized gradient g, before the rule: by value,
 * g = clamp(g, −max, max) (clip_grad_value_); by norm, g ·= min(1, max/(‖g‖ + 1e-6)) with ‖g‖ the L2
 * norm over every parameter's g, whose square {@link GradNorm} leaves in hyper[4] on the device
 * (clip_grad_norm_), so the step waits for nothing on the host.
 * A state buffer the rule does not use is never touched and may be a 1-element dummy.
 */
public record Update(String name, long size, OptimizerKind kind, float momentum, boolean nesterov,
        float beta1, float beta2, float rho, float eps, float l1, float l2, float decay, Clip clip) implements Kernel {

    /** The `clip` setting: {@code max} 0 for none, else by global norm or by value. */
    public record Clip(boolean norm, float max) {
        public static final Clip NONE = new Clip(false, 0f);

        public Clip {
            if (!(max >= 0 && max < Float.POSITIVE_INFINITY)) throw new IllegalArgumentException("a clip bound must be finite and ≥ 0, not " + max);
        }

        boolean byValue() { return !norm && max > 0; }

        boolean byNorm() { return norm && max > 0; }
    }

    public Update {
        if (size < 0) throw new IllegalArgumentException("parameter size must not be negative, not " + size);
    }

    /** SGD, with momentum unless it is 0. The factories set the components their rule does not read to the defaults. */
    public static Update sgd(String name, long size, float momentum, boolean nesterov, float l1, float l2) {
        return new Update(name, size, OptimizerKind.SGD, momentum, nesterov, 0.9f, 0.999f, 0.9f, 1e-8f, l1, l2, 0f, Clip.NONE);
    }

    public static Update adagrad(String name, long size, float eps, float l1, float l2) {
        return new Update(name, size, OptimizerKind.ADAGRAD, 0f, false, 0.9f, 0.999f, 0.9f, eps, l1, l2, 0f, Clip.NONE);
    }

    public static Update rmsprop(String name, long size, float rho, float eps, float l1, float l2) {
        return new Update(name, size, OptimizerKind.RMSPROP, 0f, false, 0.9f, 0.999f, rho, eps, l1, l2, 0f, Clip.NONE);
    }

    public static Update adam(String name, long size, float beta1, float beta2, float eps, float l1, float l2) {
        return new Update(name, size, OptimizerKind.ADAM, 0f, false, beta1, beta2, 0.9f, eps, l1, l2, 0f, Clip.NONE);
    }

    /** AdamW: Adam with the decoupled weight decay {@code decay} (PyTorch's weight_decay of AdamW). */
    public static Update adamw(String name, long size, float beta1, float beta2, float eps, float decay, float l1, float l2) {
        return new Update(name, size, OptimizerKind.ADAMW, 0f, false, beta1, beta2, 0.9f, eps, l1, l2, decay, Clip.NONE);
    }

    /** This update with its gradient clipped. */
    public Update clipped(Clip c) {
        return new Update(name, size, kind, momentum, nesterov, beta1, beta2, rho, eps, l1, l2, decay, c);
    }

    /** Floats in the hyper buffer: the four the host writes, and the squared gradient norm {@link GradNorm} writes. */
    public static final int HYPER = 5;

    /** The buffers of one update's kernel, in order. */
    static final List<String> ARGS = List.of("hyper", "param", "grad", "state1", "state2");

    public List<String> args() { return ARGS; }

    /** The hyper buffer for step {@code t} (from 1) at rate {@code lr}: lr, t, Adam's step size and √(1 − β2^t). */
    public float[] hyper(double lr, long t) {
        if (!kind.moments()) return rateOnly(lr, t);
        return new float[] {(float) lr, t, (float) (lr / (1 - Math.pow(beta1, t))), (float) Math.sqrt(1 - Math.pow(beta2, t)), 0};
    }

    /** The hyper buffer of a rule without bias corrections (and of a model with nothing to update). */
    public static float[] rateOnly(double lr, long t) { return new float[] {(float) lr, t, (float) lr, 1, 0}; }

    public void reference(int batch, int step, float[][] bufs) {
        float[] hyper = bufs[0], param = bufs[1], grad = bufs[2], state1 = bufs[3], state2 = bufs[4];
        float lr = hyper[0], stepSize = hyper[2], rootBc2 = hyper[3], scale = clip.byNorm() ? clipScale(hyper[4]) : 1;
        ParallelFor.chunks(Math.toIntExact(size), 8, (from, to) -> {
            switch (kind) {
                case SGD -> {
                    for (int i = from; i < to; i++) {
                        float w = param[i], g = decayed(grad[i], w, scale);
                        if (momentum == 0) {
                            param[i] = w - lr * g;
                            continue;
                        }
                        float v = momentum * state1[i] + g;
                        state1[i] = v;
                        param[i] = nesterov ? w - lr * (g + momentum * v) : w - lr * v;
                    }
                }
                case ADAGRAD -> {
                    for (int i = from; i < to; i++) {
                        float w = param[i], g = decayed(grad[i], w, scale);
                        float s = state1[i] + g * g;
                        state1[i] = s;
                        param[i] = w - lr * g / ((float) Math.sqrt(s) + eps);
                    }
                }
                case RMSPROP -> {
                    for (int i = from; i < to; i++) {
                        float w = param[i], g = decayed(grad[i], w, scale);
                        float s = rho * state1[i] + (1 - rho) * g * g;
                        state1[i] = s;
                        param[i] = w - lr * g / ((float) Math.sqrt(s) + eps);
                    }
                }
                case ADAM, ADAMW -> {
                    float shrink = 1 - lr * decay;
                    for (int i = from; i < to; i++) {
                        float g = decayed(grad[i], param[i], scale), w = kind == OptimizerKind.ADAMW ? param[i] * shrink : param[i];
                        float m = beta1 * state1[i] + (1 - beta1) * g, v = beta2 * state2[i] + (1 - beta2) * g * g;
                        state1[i] = m;
                        state2[i] = v;
                        param[i] = w - stepSize * m / ((float) Math.sqrt(v) / rootBc2 + eps);
                    }
                }
            }
        });
    }

    /** The gradient with weight decay added: l2·w (PyTorch's weight_decay) and l1·sign(w), then clipped. */
    private float decayed(float g, float w, float scale) {
        g = regularized(g, w, l1, l2);
        if (clip.byValue()) g = Math.max(-clip.max(), Math.min(clip.max(), g));
        return g * scale;
    }

    /** The gradient with the regularizers' terms added: l2·w and l1·sign(w). */
    static float regularized(float g, float w, float l1, float l2) {
        if (l2 != 0) g += l2 * w;
        if (l1 != 0) g += l1 * Math.signum(w);
        return g;
    }

    /** clip_grad_norm_'s factor min(1, max/(‖g‖ + 1e-6)) for the squared norm {@code squares}, in float as PyTorch. */
    private float clipScale(float squares) { return Math.min(1f, clip.max() / ((float) Math.sqrt(squares) + 1e-6f)); }

    /**
     * Sixteen elements per work-item as float16 (vload16/vstore16), the last work-item taking the 1 to 15
     * elements left over one at a time: PoCL did not vectorize the one-element form, and the update
     * was half of a small model's training step. A model's updates run as one {@link UpdateGroup}.
     */
    public void opencl(C out) {
        // restrict: the five buffers are distinct (an unused state is never touched), which lets the
        // compiler load the hyper values once, not per element.
        out.kernel(name, "const restrict hyper", "restrict param", "const restrict grad", "restrict state1", "restrict state2");
        out.line("const int q = get_global_id(0);");
        body(out, "q", a -> a);
        out.line("}");
    }

    /** How many state buffers the rule uses: none for plain SGD, two for Adam, one otherwise. */
    public int states() {
        if (kind.moments()) return 2;
        return kind == OptimizerKind.SGD && momentum == 0 ? 0 : 1;
    }

    /** PyTorch's name for state buffer {@code s} (1 or 2) of this rule: `momentum_buffer`, `sum`, `square_avg`, `exp_avg`, `exp_avg_sq`. */
    public String stateName(int s) {
        return switch (kind) {
            case SGD -> "momentum_buffer";
            case ADAGRAD -> "sum";
            case RMSPROP -> "square_avg";
            case ADAM, ADAMW -> s == 1 ? "exp_avg" : "exp_avg_sq";
        };
    }

    /** Work-items: one per four elements, the last also taking the remainder. */
    long items() { return (size + W - 1) / W; }

    /**
     * Elements a work-item updates at once, as one float16: on PoCL's AVX-512 device the fashion MLP's
     * Adam step took 0.18–0.20 ms against 0.38–0.43 with float4 (0.23–0.32 with float8), LeNet-5's
     * 0.17–0.20 against 0.28–0.31.
     */
    static final int W = 16;

    /**
     * The statements that update this parameter for work-item {@code q} (of {@link #items}), its
     * buffers param, grad, state1 and state2 named by {@code buffer}; hyper is shared.
     */
    void body(C out, String q, Function<String, String> buffer) {
        long full = size / W;
        // Adam reads its bias-corrected step size instead of the rate.
        if (kind.moments()) out.line("const float step_size = hyper[2], root_bc2 = hyper[3];");
        if (kind != OptimizerKind.ADAM) out.line("const float lr = hyper[0];");
        if (clip.byNorm()) out.line("const float clip_scale = fmin(1.0f, %s / (sqrt(hyper[4]) + 1e-6f));", C.f(clip.max()));
        if (full > 0) {
            out.line("if (%s < %d) {", q, full);
            rule(out, "float" + W, a -> "vload" + W + "(" + q + ", " + buffer.apply(a) + ")", (a, v) -> "vstore" + W + "(" + v + ", " + q + ", " + buffer.apply(a) + ");");
            out.line("}");
        }
        if (size % W != 0) {
            out.line("if (%s == %d) {", q, full);
            out.line("for (int i = %d; i < %d; i++) {", full * W, size);
            rule(out, "float", a -> buffer.apply(a) + "[i]", (a, v) -> buffer.apply(a) + "[i] = " + v + ";");
            out.line("}");
            out.line("}");
        }
    }

    /** The rule for elements of {@code type}, read by {@code load} and written by {@code store}. */
    private void rule(C out, String type, Function<String, String> load, BiFunction<String, String, String> store) {
        out.line("const %s w = %s;", type, load.apply("param"));
        out.line("%s g = %s;", type, load.apply("grad"));
        if (l2 != 0) out.line("g += %s * w;", C.f(l2));
        if (l1 != 0) out.line("g += %s * sign(w);", C.f(l1));
        if (clip.byValue()) out.line("g = clamp(g, %s, %s);", C.f(-clip.max()), C.f(clip.max()));
        if (clip.byNorm()) out.line("g *= clip_scale;");
        switch (kind) {
            case SGD -> {
                if (momentum == 0) {
                    out.line(store.apply("param", "w - lr * g"));
                } else {
                    out.line("const %s v = %s * %s + g;", type, C.f(momentum), load.apply("state1"));
                    out.line(store.apply("state1", "v"));
                    out.line(store.apply("param", nesterov ? "w - lr * (g + " + C.f(momentum) + " * v)" : "w - lr * v"));
                }
            }
            case ADAGRAD -> {
                out.line("const %s s = %s + g * g;", type, load.apply("state1"));
                out.line(store.apply("state1", "s"));
                out.line(store.apply("param", "w - lr * g / (sqrt(s) + " + C.f(eps) + ")"));
            }
            case RMSPROP -> {
                out.line("const %s s = %s * %s + %s * g * g;", type, C.f(rho), load.apply("state1"), C.f(1 - rho));
                out.line(store.apply("state1", "s"));
                out.line(store.apply("param", "w - lr * g / (sqrt(s) + " + C.f(eps) + ")"));
            }
            case ADAM, ADAMW -> {
                out.line("const %s m = %s * %s + %s * g;", type, C.f(beta1), load.apply("state1"), C.f(1 - beta1));
                out.line("const %s v = %s * %s + %s * g * g;", type, C.f(beta2), load.apply("state2"), C.f(1 - beta2));
                out.line(store.apply("state1", "m"));
                out.line(store.apply("state2", "v"));
                // AdamW shrinks the weight before its step, as PyTorch's param.mul_(1 - lr * weight_decay)
                String shrunk = kind == OptimizerKind.ADAMW ? "w * (1.0f - lr * " + C.f(decay) + ")" : "w";
                out.line(store.apply("param", shrunk + " - step_size * m / (sqrt(v) / root_bc2 + " + C.f(eps) + ")"));
            }
        }
    }


    public long[] global(int batch) { return new long[] {items()}; }

    public long[] local() { return WorkGroups.items(); }
}
