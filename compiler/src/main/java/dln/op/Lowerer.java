package dln.op;

import dln.ir.Graph;
import dln.ir.Node;
import dln.ir.Operand;
import dln.ir.Plan;
import dln.kernel.Act;
import dln.net.DType;
import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.net.Training;
import dln.runtime.Slot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers a checked {@link Network} to a {@link Graph}: each layer's op appends its nodes
 * ({@link Op#lower}). Takes a network that passed every check (so no shape can fail here);
 * guarantees one node per layer except where an op says otherwise (flatten is a view of its input,
 * maxout a dense node and a max node), and that an elementwise activation is fused into the dense
 * or convolution node before it when nothing else reads that node's output. Declares every
 * parameter with its initializer.
 */
public final class Lowerer {
    private final Network net;
    private final Training training;
    private final Plan plan = new Plan();
    private final Map<Integer, Operand> values = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Set<String> needsGradient = new HashSet<>();
    private final int[] uses;

    public Lowerer(Network net, Training training) {
        this.net = net;
        this.training = training;
        this.uses = new int[net.inputs().size() + net.layers().size()];
        for (Network.Layer l : net.layers()) for (int v : l.inputs()) uses[v]++;
        for (Network.Output o : net.outputs()) uses[o.value()] += 2;
    }

    public Graph lower() {
        List<Graph.Port> inputs = new ArrayList<>();
        for (Network.Input in : net.inputs()) {
            Operand v = new Operand(plan.declare(Slot.work("input:" + in.name(), Slot.Role.INPUT, in.shape().size(), true)), in.shape().size());
            values.put(in.value(), v);
            inputs.add(new Graph.Port(in.name(), v, in.shape().dims(), in.dtype() == DType.INT));
        }
        for (Network.Layer layer : net.layers()) {
            Context c = new Context(layer);
            layer.op().lower(c);
            c.finish();
        }
        List<Graph.Port> outputs = new ArrayList<>();
        for (Network.Output o : net.outputs()) outputs.add(new Graph.Port(o.name(), values.get(o.value()), net.shapeOf(o.value()).dims(), false));
        return new Graph(net.name(), inputs, outputs, nodes, needsGradient, training, plan);
    }

    /**
     * What an op lowers with: its layer's inputs, its output and parameters (declared on first
     * use: the output, then the parameters in order), and where its nodes go.
     */
    public final class Context {
        private final Network.Layer layer;
        private final List<Operand> in = new ArrayList<>();
        private Operand y;
        private Map<String, String> params;
        private boolean produced;

        private Context(Network.Layer layer) {
            this.layer = layer;
            for (int v : layer.inputs()) in.add(values.get(v));
        }

        /** The layer's full name: `dense_1`, `residual_1.conv2d_1`. */
        public String name() { return layer.name(); }

        public Operand x() { return in.get(0); }

        public List<Operand> inputs() { return List.copyOf(in); }

        /** The shape of the first input, per example. */
        public Shape inShape() { return net.shapeOf(layer.inputs().get(0)); }

        /** The layer's output, a fresh batched buffer. */
        public Operand y() {
            declare();
            return y;
        }

        /** The buffer name of parameter {@code name} (relative to the layer: `weight`), or null if the layer has none of that name. */
        public String param(String name) {
            declare();
            return params.get(name);
        }

        /** A value between two nodes of this layer that training differentiates through: `out:maxout_1.affine`. */
        public Operand hidden(String suffix, long size) {
            Operand v = new Operand(plan.work("out:" + layer.name() + suffix, size), size);
            needsGradient.add(v.buffer());
            return v;
        }

        public void add(Node node) {
            declare();
            nodes.add(node);
            produced = true;
        }

        /** Makes the layer's output the very value {@code v} (flatten: same buffer, other shape). */
        public void view(Operand v) { values.put(layer.value(), v); }

        /** The seed of random ops: the train block's, offset by the position of the node. */
        public long seed() { return (training != null ? training.seed() : 0) + nodes.size(); }

        /** Whether the model trains with the perceptron rule (whose output step stays a node of its own). */
        public boolean perceptron() {
            return training != null && training.optimizer() instanceof dln.net.Optimizer.Perceptron;
        }

        /**
         * Fuses activation {@code act} into the node before it when that is a dense or convolution
         * node with no activation yet, producing this layer's input, which nothing else reads; then
         * this layer's output is that node's. Returns whether it did. gelu and silu never fuse: their
         * gradient needs the pre-activation, which the fused node overwrites.
         */
        public boolean fuse(Act act, float alpha) {
            int v = layer.inputs().get(0);
            if (uses[v] != 1 || nodes.isEmpty() || !act.gradFromOutput()) return false;
            Node last = nodes.get(nodes.size() - 1);
            Network.Layer producer = net.producer(v);
            if (!(last instanceof Node.Fusable f) || f.act() != Act.LINEAR || producer == null
                    || !last.name().equals(producer.name()) || !last.output().equals(values.get(v))) {
                return false;
            }
            nodes.set(nodes.size() - 1, f.withAct(act, alpha));
            view(in.get(0));
            return true;
        }

        private void declare() {
            if (params != null) return;
            y = new Operand(plan.work("out:" + layer.name(), layer.shape().size()), layer.shape().size());
            values.put(layer.value(), y);
            params = new HashMap<>();
            Initializer fallback = training != null && training.init() != null ? training.init() : Initializer.DEFAULT;
            for (ParamSpec spec : layer.params()) {
                String name = layer.name() + "." + spec.name();
                Slot.Role role = spec.trainable() ? Slot.Role.PARAM : Slot.Role.STATE;
                plan.declare(Slot.param(name, role, spec.shape().dims(), layer.op().init(spec, layer.params(), layer.init(), fallback)));
                params.put(spec.name(), name);
            }
        }

        /** Marks the output as needing a gradient when the layer trains or reads a value that does. */
        private void finish() {
            if (!produced) return;
            boolean trains = layer.trainableCount() > 0;
            for (Operand v : in) trains |= needsGradient.contains(v.buffer());
            if (trains) needsGradient.add(y.buffer());
        }
    }
}
