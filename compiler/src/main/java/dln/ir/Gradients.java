package dln.ir;

import dln.kernel.Axpy;
import dln.kernel.Dim;
import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where gradient rules append their launches. The gradient of a value used by several nodes is
 * the sum of their contributions: the first writes the value's gradient buffer, later ones add to
 * it ({@link #accumulates}) or write a scratch buffer that is then added ({@link #write}).
 */
public final class Gradients {
    private final Plan plan;
    private final Set<String> needed;
    private final Set<String> started = new HashSet<>();
    private final List<Launch> launches = new ArrayList<>();
    private final List<String> trained = new ArrayList<>();

    Gradients(Plan plan, Set<String> needed) {
        this.plan = plan;
        this.needed = needed;
    }

    public Plan plan() { return plan; }

    public String kernel(Node node, String what) { return plan.kernel(node.name(), what); }

    /** Whether the gradient of {@code v} is needed (it depends on a trained parameter). */
    public boolean needs(Operand v) { return needed.contains(v.buffer()); }

    /** The gradient buffer of {@code v}. */
    public String dy(Operand v) { return plan.work("grad." + v.buffer(), v.size()); }

    /** Marks that the caller writes dy(v) with a kernel that can add: true when it must add (beta 1). */
    public boolean accumulates(Operand v) {
        dy(v);
        return !started.add(v.buffer());
    }

    /** Calls {@code emit} with the buffer to overwrite: dy(v) the first time, else a scratch buffer then added to dy(v). */
    public void write(Node node, Operand v, Consumer<String> emit) {
        String target = dy(v);
        if (started.add(v.buffer())) {
            emit.accept(target);
            return;
        }
        String scratch = plan.work("grad.tmp." + v.buffer(), v.size());
        emit.accept(scratch);
        launch(new Axpy(plan.kernel(node.name(), "add_" + v.buffer().replaceAll("[^A-Za-z0-9_]", "_")), Dim.batch(v.size()), 1f, 1f),
                "adds this path's gradient", scratch, target);
    }

    /** Whether some node has written the gradient of {@code v}. */
    public boolean started(Operand v) { return started.contains(v.buffer()); }

    /** The gradient buffer of a trained parameter; the optimizer updates the parameter from it. */
    public String param(String name) {
        if (!trained.contains(name)) trained.add(name);
        return plan.fixed("grad." + name, plan.slot(name).per());
    }

    public void launch(Kernel k, String comment, String... buffers) {
        launches.add(new Launch(k, List.of(buffers), false, comment));
    }

    public void launchCounted(Kernel k, String comment, String... buffers) {
        launches.add(new Launch(k, List.of(buffers), true, comment));
    }

    List<Launch> launches() { return launches; }

    List<String> trained() { return trained; }
}
