package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;

/**
 * The squared L2 norm of every parameter's regularized gradient g = grad + l2·w + l1·sign(w) (what
 * PyTorch's clip_grad_norm_ measures when the penalty is part of the loss), into hyper[4], where the
 * {@link Update} kernels of a `clip norm(max)` step read it: the norm stays on the device, and the
 * step waits for nothing. A model whose parameters take more buffers than one launch may have runs
 * several: the {@code first} writes the sum, the others add to it.
 *
 * <p>Buffers: {@code hyper}, then each part's gradient and parameter. OpenCL runs one work-group,
 * work-item i taking elements i, i + 256, ... of each part, and a {@link WorkGroups} tree adds the
 * partial sums; the reference adds in double, in order.
 */
public record GradNorm(String name, List<Part> parts, boolean first) implements Kernel {

    /** One parameter: its size and the regularization its update adds. */
    public record Part(long size, float l1, float l2) {}

    /** Buffers per launch at most, as for {@link UpdateGroup}. */
    public static final int MAX_BUFFERS = UpdateGroup.MAX_BUFFERS;

    public GradNorm {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) throw new IllegalArgumentException("a gradient norm needs a parameter");
        if (1 + 2 * parts.size() > MAX_BUFFERS) throw new IllegalArgumentException(1 + 2 * parts.size() + " buffers, more than " + MAX_BUFFERS);
    }

    public List<String> args() {
        List<String> out = new ArrayList<>(List.of("hyper"));
        for (int i = 0; i < parts.size(); i++) {
            out.add("grad_" + i);
            out.add("param_" + i);
        }
        return out;
    }

    public void reference(int batch, int step, float[][] bufs) {
        double sum = 0;
        for (int p = 0; p < parts.size(); p++) {
            Part part = parts.get(p);
            float[] grad = bufs[1 + 2 * p], param = bufs[2 + 2 * p];
            for (int i = 0; i < part.size(); i++) {
                float g = Update.regularized(grad[i], param[i], part.l1(), part.l2());
                sum += (double) g * g;
            }
        }
        bufs[0][4] = first ? (float) sum : bufs[0][4] + (float) sum;
    }

    public void opencl(C out) {
        List<String> params = new ArrayList<>(List.of("hyper"));
        for (int i = 0; i < parts.size(); i++) {
            params.add("const grad_" + i);
            params.add("const param_" + i);
        }
        out.line("// the squared norm of the regularized gradients into hyper[4], which the update reads; one work-group.");
        out.kernel(name, params.toArray(String[]::new));
        WorkGroups.declare(out, "squares");
        out.line("const int lid = get_local_id(0);");
        out.line("float part = 0.0f;");
        for (int p = 0; p < parts.size(); p++) {
            Part part = parts.get(p);
            out.line("for (int i = lid; i < %d; i += %d) {", part.size(), WorkGroups.REDUCE);
            out.line("float g = grad_%d[i];", p);
            if (part.l2() != 0) out.line("g += %s * param_%d[i];", C.f(part.l2()), p);
            if (part.l1() != 0) out.line("g += %s * sign(param_%d[i]);", C.f(part.l1()), p);
            out.line("part += g * g;");
            out.line("}");
        }
        WorkGroups.sum(out, "squares", "part");
        out.line(first ? "if (lid == 0) hyper[4] = squares;" : "if (lid == 0) hyper[4] += squares;");
        out.line("}");
    }

    public long[] global(int batch) { return new long[] {WorkGroups.REDUCE}; }

    public long[] local() { return WorkGroups.reduce(); }
}
