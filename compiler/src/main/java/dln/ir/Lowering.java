package dln.ir;

import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;

/** Where nodes append their forward launches. */
public final class Lowering {
    private final Plan plan;
    private final List<Launch> launches = new ArrayList<>();
    private final java.util.Set<String> outputs;
    private final java.util.Map<String, String> aliases = new java.util.HashMap<>();

    /** {@code outputs}: the buffers the host reads after a run, which must hold their own values. */
    Lowering(Plan plan, java.util.Set<String> outputs) {
        this.plan = plan;
        this.outputs = outputs;
    }

    public Plan plan() { return plan; }

    public String kernel(Node node, String what) { return plan.kernel(node.name(), what); }

    public void launch(Kernel k, String comment, String... buffers) {
        launches.add(new Launch(k, resolved(buffers), false, comment));
    }

    /** A launch that takes the training step counter. */
    public void launchCounted(Kernel k, String comment, String... buffers) {
        launches.add(new Launch(k, resolved(buffers), true, comment));
    }

    /**
     * Makes later launches read {@code to} wherever they name {@code value}: a layer that is the
     * identity in this pass (dropout at inference) then costs no launch and no copy. Refused (false)
     * when the host reads {@code value} itself; the caller copies instead.
     */
    public boolean alias(String value, String to) {
        if (outputs.contains(value)) return false;
        aliases.put(value, aliases.getOrDefault(to, to));
        return true;
    }

    private List<String> resolved(String[] buffers) {
        List<String> out = new ArrayList<>(buffers.length);
        for (String b : buffers) out.add(aliases.getOrDefault(b, b));
        return List.copyOf(out);
    }

    List<Launch> launches() { return launches; }
}
