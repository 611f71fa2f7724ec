package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * The squared L2 norm of every parameter's regularized gradient g = grad + l2·w + l1·sign(w) (what
 * PyTorch's clip_grad_norm_ measures when the penalty is part of the loss), into hyper[4], where the
 * {@link Update} kernels of a `clip norm(max)` step read it: the norm stays on the device, and the
 * step waits for nothing. A model whose parameters take more buffers than one launch may have runs
 * several: the {@code first} writes the sum, the others add to it.
 *
 * <p>Buffers: {@code hyper}, then each part's gradient and parameter. OpenCL runs one work-group,
 * work-item i taking elements i, i + 256 (the group's size), ... of each part, and a {@link WorkGroups} tree adds the
 * partial sums; the reference adds in double, in order.
 */
public record GradNorm(String name, List<Part> parts, boolean first) implements Kernel {

    /** One parameter (named as in the model, `dense_1_weight`): its size and the regularization its update adds. */
    public record Part(String name, long size, float l1, float l2) {}

    /** Buffers per launch at most, as for {@link UpdateGroup}. */
    public static final int MAX_BUFFERS = UpdateGroup.MAX_BUFFERS;

    public GradNorm {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) throw new IllegalArgumentException("a gradient norm needs a parameter");
        if (1 + 2 * parts.size() > MAX_BUFFERS) throw new IllegalArgumentException(1 + 2 * parts.size() + " buffers, more than " + MAX_BUFFERS);
    }

    /** hyper, then each part's `dense_1_weight_grad` and `dense_1_weight`; `grad_0`, `param_0`... when those names are not distinct. */
    public List<String> args() {
        List<String> named = new ArrayList<>(List.of("hyper")), numbered = new ArrayList<>(named);
        for (int i = 0; i < parts.size(); i++) {
            named.add(parts.get(i).name() + "_grad");
            named.add(parts.get(i).name());
            numbered.add("grad_" + i);
            numbered.add("param_" + i);
        }
        return named.size() == Set.copyOf(named).size() && Collections.disjoint(named, LOCALS) ? named : numbered;
    }

    /** The identifiers the kernel's body declares, which no buffer may take. */
    private static final Set<String> LOCALS = Set.of("lid", "part", "i", "g", "squares", "squares_part", "width", "batch", "step");

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
        List<String> args = args(), params = new ArrayList<>(List.of("hyper"));
        for (int i = 1; i < args.size(); i++) params.add("const " + args.get(i));
        out.line("// the squared norm of the regularized gradients into hyper[4], which the update reads; one work-group.");
        out.kernel(name, params.toArray(String[]::new));
        WorkGroups.declare(out, "squares");
        out.line("const int lid = get_local_id(0);");
        out.line("float part = 0.0f;");
        for (int p = 0; p < parts.size(); p++) {
            Part part = parts.get(p);
            out.line("for (int i = lid; i < %d; i += %s) {", part.size(), WorkGroups.SIZE);
            String grad = args.get(1 + 2 * p), param = args.get(2 + 2 * p);
            out.line("float g = %s[i];", grad);
            if (part.l2() != 0) out.line("g += %s * %s[i];", C.f(part.l2()), param);
            if (part.l1() != 0) out.line("g += %s * sign(%s[i]);", C.f(part.l1()), param);
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
