package dln.ir;

import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a graph and its passes into a {@link Schedule}: plans the buffers (those with disjoint
 * lifetimes share memory) and lists every distinct kernel once. Takes the forward launches
 * ({@link #forward}) and, for a trainable model, the differentiated loss, backward pass and update;
 * a layer's forward kernel that runs in inference and in training appears once.
 */
public final class Scheduler {
    private final Graph graph;

    public Scheduler(Graph graph) { this.graph = graph; }

    /** The forward launches of inference and, for a trainable model, of a training step. */
    public record Forward(List<Launch> predict, List<Launch> train) {}

    /** Lowers every node's forward rule: inference, then (with a train block) training. */
    public static Forward forward(Graph graph) {
        List<Launch> predict = Fuser.inference(forward(graph, false), outputs(graph), graph.plan());
        return new Forward(predict, graph.training() == null ? List.of() : Fuser.training(forward(graph, true), graph.plan()));
    }

    /** {@code backward} is null for a model without a train block. */
    public Schedule schedule(Forward forward, Differentiator.Result backward) {
        List<Launch> predict = forward.predict();
        if (backward == null) {
            var buffers = BufferPlanner.plan(graph.plan().slots(), List.of(predict), outputs());
            return new Schedule(graph, buffers.physical(), buffers.storage(), kernels(List.of(predict)), predict, List.of(), List.of(), List.of(), List.of(),
                    null, null, 0, false);
        }
        Differentiator.Result d = backward;
        List<Launch> train = forward.train().stream().filter(l -> !d.foldedForward().contains(l.kernel().name())).toList();
        var t = graph.training();
        String loss = t.optimizer() instanceof dln.net.Optimizer.Perceptron ? "perceptron" : t.loss();
        // inference first: its launches may read a buffer where training reads another (an aliased
        // dropout), so both runs' lifetimes must hold
        var buffers = BufferPlanner.plan(graph.plan().slots(), List.of(predict, train, d.loss(), d.backward(), d.update()), outputs());
        return new Schedule(graph, buffers.physical(), buffers.storage(), kernels(List.of(predict, train, d.loss(), d.backward(), d.update())),
                predict, train, d.loss(), d.backward(), d.update(), loss, t.optimizer().toString(), t.optimizer().lr(), d.labels());
    }

    private java.util.Set<String> outputs() { return outputs(graph); }

    /** The buffers the host reads after a run. */
    private static java.util.Set<String> outputs(Graph graph) {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (Graph.Port p : graph.outputs()) out.add(p.value().buffer());
        return out;
    }

    private static List<Launch> forward(Graph graph, boolean training) {
        Lowering out = new Lowering(graph.plan(), outputs(graph));
        for (Node n : graph.nodes()) n.forward(out, training);
        return out.launches();
    }

    private static String source(Kernel k) {
        dln.runtime.kernel.C c = new dln.runtime.kernel.C();
        k.opencl(c);
        return c.toString();
    }

    private static List<Kernel> kernels(List<List<Launch>> lists) {
        Map<String, Kernel> out = new LinkedHashMap<>();
        for (List<Launch> list : lists) {
            for (Launch l : list) {
                Kernel old = out.putIfAbsent(l.kernel().name(), l.kernel());
                if (old != null && !source(old).equals(source(l.kernel()))) throw new IllegalStateException("two different kernels named " + old.name());
            }
        }
        return new ArrayList<>(out.values());
    }
}
