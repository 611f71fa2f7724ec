package dln.ir;

import dln.runtime.kernel.Kernel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a graph into a {@link Schedule}: the inference launches, and for a trainable model the
 * training forward pass, loss, backward pass and update. Kernels that the lists share (a layer's
 * forward kernel runs in inference and in training) appear once.
 */
public final class Scheduler {
    private final Graph graph;

    public Scheduler(Graph graph) { this.graph = graph; }

    public Schedule schedule() {
        List<Launch> predict = forward(false);
        if (graph.training() == null) {
            var buffers = BufferPlanner.plan(graph.plan().slots(), List.of(predict), outputs());
            return new Schedule(graph, buffers.physical(), buffers.storage(), kernels(List.of(predict)), predict, List.of(), List.of(), List.of(), List.of(),
                    null, null, 0, false);
        }
        List<Launch> lowered = forward(true);
        Differentiator.Result d = new Differentiator(graph).differentiate();
        List<Launch> train = lowered.stream().filter(l -> !l.kernel().name().equals(d.foldedForward())).toList();
        var t = graph.training();
        String loss = t.optimizer().name().equals("perceptron") ? "perceptron" : t.loss();
        // inference first: its launches may read a buffer where training reads another (an aliased
        // dropout), so both runs' lifetimes must hold
        var buffers = BufferPlanner.plan(graph.plan().slots(), List.of(predict, train, d.loss(), d.backward(), d.update()), outputs());
        return new Schedule(graph, buffers.physical(), buffers.storage(), kernels(List.of(predict, train, d.loss(), d.backward(), d.update())),
                predict, train, d.loss(), d.backward(), d.update(), loss, t.optimizer().toString(), t.optimizer().real("lr"), d.labels());
    }

    private java.util.Set<String> outputs() {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (Graph.Port p : graph.outputs()) out.add(p.value().buffer());
        return out;
    }

    private List<Launch> forward(boolean training) {
        Lowering out = new Lowering(graph.plan(), outputs());
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
