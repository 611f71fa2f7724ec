package dln.kernel;

import dln.runtime.kernel.C;
import dln.runtime.kernel.OptimizerStep;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * The optimizer step of several parameters in one launch (what PyTorch calls a multi-tensor apply):
 * the parameters' work-items laid end to end, each running its {@link Update}'s rule on its own
 * buffers. A model's update was one launch per parameter, and on PoCL the launches, not the
 * arithmetic, took the time (LeNet-5: 10 launches of about 0.17 ms for 62k elements in all).
 *
 * <p>Buffers: {@code hyper} (shared), then per part its param, grad and the states its rule uses
 * ({@link Update#states}), in part order. The results are those of the parts' own kernels, bit for bit.
 */
public record UpdateGroup(String name, List<Update> parts) implements OptimizerStep {
    /** Buffers per launch at most: OpenCL guarantees 1024 bytes of kernel arguments, 8 per buffer. */
    public static final int MAX_BUFFERS = 96;

    public UpdateGroup {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) throw new IllegalArgumentException("an update group needs a parameter");
        if (parts.stream().filter(u -> u.kind().moments()).map(u -> List.of(u.beta1(), u.beta2())).distinct().count() > 1) {
            throw new IllegalArgumentException("Adam parts of one group share the hyper buffer, so their betas must agree");
        }
        if (buffers(parts) > MAX_BUFFERS) throw new IllegalArgumentException(buffers(parts) + " buffers, more than " + MAX_BUFFERS);
    }

    /** The buffers a group of these parts takes. */
    public static int buffers(List<Update> parts) {
        int n = 1;
        for (Update u : parts) n += 2 + u.states();
        return n;
    }

    /** The hyper buffer for step {@code t} at rate {@code lr} ({@link Update#hyper}), from an Adam part when there is one. */
    public float[] hyper(double lr, long t) {
        return parts.stream().filter(u -> u.kind().moments()).findFirst().orElse(parts.get(0)).hyper(lr, t);
    }

    /**
     * hyper, then each part's buffers named after its parameter, as the part's name (`dense_1_weight_update`)
     * gives it: `dense_1_weight`, `dense_1_weight_grad` and the states by PyTorch's names
     * (`dense_1_weight_exp_avg`); `param_0`, `grad_0`, `state1_0`... when those names are not distinct.
     */
    public List<String> args() {
        List<String> named = args(this::named);
        return named.size() == Set.copyOf(named).size() && Collections.disjoint(named, LOCALS) ? named : args(UpdateGroup::numbered);
    }

    /** The identifiers the kernel's body declares, which no buffer may take. */
    private static final Set<String> LOCALS = Set.of("q", "i", "lr", "step_size", "root_bc2", "clip_scale", "w", "g", "v", "m", "s", "batch", "step");

    private List<String> args(BiFunction<Integer, String, String> name) {
        List<String> out = new ArrayList<>(List.of("hyper"));
        for (int i = 0; i < parts.size(); i++) {
            out.add(name.apply(i, "param"));
            out.add(name.apply(i, "grad"));
            for (int s = 1; s <= parts.get(i).states(); s++) out.add(name.apply(i, "state" + s));
        }
        return out;
    }

    private String named(int part, String buffer) {
        Update u = parts.get(part);
        String stem = u.name().endsWith("_update") ? u.name().substring(0, u.name().length() - "_update".length()) : u.name();
        return switch (buffer) {
            case "param" -> stem;
            case "grad" -> stem + "_grad";
            default -> stem + "_" + u.stateName(buffer.charAt(buffer.length() - 1) - '0');
        };
    }

    private static String numbered(int part, String buffer) { return buffer + "_" + part; }

    public void reference(int batch, int step, float[][] bufs) {
        int at = 1;
        for (Update u : parts) {
            float[][] own = {bufs[0], bufs[at], bufs[at + 1], new float[0], new float[0]};
            for (int s = 1; s <= u.states(); s++) own[2 + s] = bufs[at + 1 + s];
            u.reference(batch, step, own);
            at += 2 + u.states();
        }
    }

    public void opencl(C out) {
        // restrict: every buffer is a different parameter, gradient or state.
        List<String> args = args(), params = new ArrayList<>(List.of("const restrict hyper"));
        for (int i = 0, at = 1; i < parts.size(); at += 2 + parts.get(i).states(), i++) {
            params.add("restrict " + args.get(at));
            params.add("const restrict " + args.get(at + 1));
            for (int s = 1; s <= parts.get(i).states(); s++) params.add("restrict " + args.get(at + 1 + s));
        }
        out.kernel(name, params.toArray(String[]::new));
        out.line("const int q = get_global_id(0);");
        long start = 0;
        for (int i = 0, at = 1; i < parts.size(); at += 2 + parts.get(i).states(), i++) {
            Update u = parts.get(i);
            long end = start + u.items();
            out.line("if (q < %d) {", end);
            out.line("// %s: %d element%s", u.name(), u.size(), u.size() == 1 ? "" : "s");
            out.line("const int q%d = q - %d;", i, start);
            int first = at;
            u.body(out, "q" + i, b -> args.get(first + Update.ARGS.indexOf(b) - 1));
            out.line("return;");
            out.line("}");
            start = end;
        }
        out.line("}");
    }

    public long[] global(int batch) {
        long n = 0;
        for (Update u : parts) n += u.items();
        return new long[] {n};
    }

    public long[] local() { return WorkGroups.items(); }
}
