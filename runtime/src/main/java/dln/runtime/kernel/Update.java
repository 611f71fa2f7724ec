package dln.runtime.kernel;

import java.util.List;

/**
 * One optimizer step over a parameter of {@code size} elements, in place, one work-item per element.
 * {@code hyper[0]} is the learning rate and {@code hyper[1]} the step count t, counted from 1 (for
 * Adam's bias correction): they are read from a buffer so that a schedule changes the rate without
 * recompiling. The regularized gradient is g = grad + l2·w + l1·sign(w), so {@code l2} is PyTorch's
 * weight_decay (the penalty (l2/2)·‖w‖²) and sign(0) = 0. The rules follow PyTorch's formulation:
 * <ul>
 * <li>SGD: w −= lr·g; with momentum μ, v = μ·v + g (state1) and w −= lr·v, or w −= lr·(g + μ·v) with Nesterov.
 * <li>ADAGRAD: s += g² (state1); w −= lr·g/(√s + eps).
 * <li>RMSPROP: s = ρ·s + (1 − ρ)·g² (state1); w −= lr·g/(√s + eps).
 * <li>ADAM: m = β1·m + (1 − β1)·g (state1), v = β2·v + (1 − β2)·g² (state2);
 *     w −= (lr/(1 − β1^t))·m/(√v/√(1 − β2^t) + eps), eps outside the square root.
 * </ul>
 * A state buffer the rule does not use is never touched and may be a 1-element dummy.
 */
public record Update(String name, long size, OptimizerKind kind, float momentum, boolean nesterov,
        float beta1, float beta2, float rho, float eps, float l1, float l2) implements Kernel {

    public Update {
        if (size < 0) throw new IllegalArgumentException("parameter size must not be negative, not " + size);
    }

    public List<String> args() { return List.of("hyper", "param", "grad", "state1", "state2"); }

    public void reference(int batch, int step, float[][] bufs) {
        float[] hyper = bufs[0], param = bufs[1], grad = bufs[2], state1 = bufs[3], state2 = bufs[4];
        float lr = hyper[0], t = hyper[1];
        float bc1 = 1 - (float) Math.pow(beta1, t), bc2 = 1 - (float) Math.pow(beta2, t);
        ParallelFor.range(Math.toIntExact(size), 8, i -> {
            float w = param[i], g = grad[i];
            if (l2 != 0) g += l2 * w;
            if (l1 != 0) g += l1 * Math.signum(w);
            param[i] = switch (kind) {
                case SGD -> {
                    if (momentum == 0) yield w - lr * g;
                    float v = momentum * state1[i] + g;
                    state1[i] = v;
                    yield nesterov ? w - lr * (g + momentum * v) : w - lr * v;
                }
                case ADAGRAD -> {
                    float s = state1[i] + g * g;
                    state1[i] = s;
                    yield w - lr * g / ((float) Math.sqrt(s) + eps);
                }
                case RMSPROP -> {
                    float s = rho * state1[i] + (1 - rho) * g * g;
                    state1[i] = s;
                    yield w - lr * g / ((float) Math.sqrt(s) + eps);
                }
                case ADAM -> {
                    float m = beta1 * state1[i] + (1 - beta1) * g, v = beta2 * state2[i] + (1 - beta2) * g * g;
                    state1[i] = m;
                    state2[i] = v;
                    yield w - lr / bc1 * m / ((float) Math.sqrt(v) / (float) Math.sqrt(bc2) + eps);
                }
            };
        });
    }

    public void opencl(C out) {
        out.kernel(name, "const hyper", "param", "const grad", "state1", "state2");
        out.line("const int i = get_global_id(0);");
        out.line("if (i >= %d) return;", size);
        out.line("const float lr = hyper[0];");
        out.line("const float w = param[i];");
        out.line("float g = grad[i];");
        if (l2 != 0) out.line("g += %s * w;", C.f(l2));
        if (l1 != 0) out.line("g += %s * sign(w);", C.f(l1));
        switch (kind) {
            case SGD -> sgd(out);
            case ADAGRAD -> out.line("const float s = state1[i] + g * g;").line("state1[i] = s;")
                    .line("param[i] = w - lr * g / (sqrt(s) + %s);", C.f(eps));
            case RMSPROP -> out.line("const float s = %s * state1[i] + %s * g * g;", C.f(rho), C.f(1 - rho))
                    .line("state1[i] = s;")
                    .line("param[i] = w - lr * g / (sqrt(s) + %s);", C.f(eps));
            case ADAM -> adam(out);
        }
        out.line("}");
    }

    private void sgd(C out) {
        if (momentum == 0) {
            out.line("param[i] = w - lr * g;");
            return;
        }
        out.line("const float v = %s * state1[i] + g;", C.f(momentum));
        out.line("state1[i] = v;");
        out.line(nesterov ? "param[i] = w - lr * (g + %s * v);" : "param[i] = w - lr * v;", C.f(momentum));
    }

    private void adam(C out) {
        out.line("const float t = hyper[1];");
        // β^t as exp(t·ln β) with ln β a literal: pow per element made this kernel the slowest of a training step.
        out.line("const float bc1 = %s, bc2 = %s;", correction(beta1), correction(beta2));
        out.line("const float m = %s * state1[i] + %s * g;", C.f(beta1), C.f(1 - beta1));
        out.line("const float v = %s * state2[i] + %s * g * g;", C.f(beta2), C.f(1 - beta2));
        out.line("state1[i] = m;");
        out.line("state2[i] = v;");
        out.line("param[i] = w - lr / bc1 * m / (sqrt(v) / sqrt(bc2) + %s);", C.f(eps));
    }

    /** 1 − β^t as C; β = 0 (allowed) makes it 1. */
    private static String correction(float beta) {
        return beta == 0 ? "1.0f" : "1.0f - exp(t * " + C.f(Math.log(beta)) + ")";
    }

    public long[] global(int batch) { return new long[] {size}; }

    public long[] local() { return WorkGroups.items(); }
}
