package dln.ir;

import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;

/** Where nodes append their forward launches. */
public final class Lowering {
    private final Plan plan;
    private final List<Launch> launches = new ArrayList<>();

    Lowering(Plan plan) { this.plan = plan; }

    public Plan plan() { return plan; }

    public String kernel(Node node, String what) { return plan.kernel(node.name(), what); }

    public void launch(Kernel k, String comment, String... buffers) {
        launches.add(new Launch(k, List.of(buffers), false, comment));
    }

    /** A launch that takes the training step counter. */
    public void launchCounted(Kernel k, String comment, String... buffers) {
        launches.add(new Launch(k, List.of(buffers), true, comment));
    }

    List<Launch> launches() { return launches; }
}
