package dln.ir;

import dln.net.Init;
import dln.net.Layers;
import dln.net.Network;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.net.Training;
import dln.runtime.Slot;
import dln.runtime.kernel.Act;
import dln.runtime.kernel.ConvGeom;
import dln.runtime.kernel.PoolGeom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Lowers a checked {@link Network} to a {@link Graph}. Takes a network that passed every check (so
 * no shape can fail here); guarantees one node per layer except that flatten becomes a view of its
 * input, maxout becomes a dense node and a max node, and an elementwise activation is fused into the dense or convolution layer before it when
 * nothing else reads that layer's output. Declares every parameter with its initializer.
 */
public final class Lowerer {
    private final Network net;
    private final Training training;
    private final Plan plan = new Plan();
    private final Map<Integer, Value> values = new HashMap<>();
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
            Value v = new Value(plan.declare(Slot.work("input:" + in.name(), Slot.Role.INPUT, in.shape().size(), true)), in.shape().size());
            values.put(in.value(), v);
            inputs.add(new Graph.Port(in.name(), v, in.shape().dims(), in.dtype() == dln.net.DType.INT));
        }
        for (Network.Layer layer : net.layers()) lower(layer);
        List<Graph.Port> outputs = new ArrayList<>();
        for (Network.Output o : net.outputs()) outputs.add(new Graph.Port(o.name(), values.get(o.value()), net.shapeOf(o.value()).dims(), false));
        return new Graph(net.name(), inputs, outputs, nodes, needsGradient, training, plan);
    }

    private void lower(Network.Layer layer) {
        List<Value> in = new ArrayList<>();
        for (int v : layer.inputs()) in.add(values.get(v));
        Shape inShape = net.shapeOf(layer.inputs().get(0));
        if (layer.op() instanceof Layers.Flatten) {
            values.put(layer.value(), in.get(0));
            return;
        }
        if (layer.op() instanceof Layers.Activation a && fuses(layer, a)) {
            Node last = nodes.remove(nodes.size() - 1);
            Act act = act(a.fn());
            nodes.add(last instanceof Nodes.Dense d ? d.withAct(act, (float) a.alpha()) : ((Nodes.Conv) last).withAct(act, (float) a.alpha()));
            values.put(layer.value(), in.get(0));
            return;
        }
        Value y = new Value(plan.work("out:" + layer.name(), layer.shape().size()), layer.shape().size());
        values.put(layer.value(), y);
        Map<String, String> p = declareParams(layer, inShape);
        Node node = node(layer, layer.op(), in, y, inShape, p);
        nodes.add(node);
        boolean trains = layer.trainableCount() > 0;
        for (Value v : in) trains |= needsGradient.contains(v.buffer());
        if (trains) needsGradient.add(y.buffer());
    }

    private Node node(Network.Layer layer, dln.net.Op op, List<Value> in, Value y, Shape inShape, Map<String, String> p) {
        String name = layer.name();
        Value x = in.get(0);
        if (op instanceof Layers.Dense d) return new Nodes.Dense(name, x, y, inShape.size(), d.units(), p.get("weight"), p.get("bias"), Act.LINEAR, 0f);
        if (op instanceof Layers.Conv c) {
            ConvGeom geom = ConvGeom.of(inShape.dim(0), c.filters(), inShape.drop(1).dims(), c.kernel(), c.stride(), c.padding(), c.dilation());
            return new Nodes.Conv(name, x, y, geom, p.get("weight"), p.get("bias"), Act.LINEAR, 0f);
        }
        if (op instanceof Layers.Pool pool) {
            return new Nodes.Pool(name, x, y, PoolGeom.of(inShape.dim(0), inShape.drop(1).dims(), pool.size(), pool.stride(), pool.padding()), pool.max());
        }
        if (op instanceof Layers.GlobalPool g) return new Nodes.GlobalPool(name, x, y, inShape.dim(0), inShape.size() / inShape.dim(0), g.max());
        if (op instanceof Layers.Dropout d) return new Nodes.DropoutNode(name, x, y, (float) d.rate(), seed() + nodes.size());
        if (op instanceof Layers.BatchNorm b) {
            return new Nodes.BatchNorm(name, x, y, inShape.dim(0), inShape.size() / inShape.dim(0), (float) b.momentum(), (float) b.eps(),
                    p.get("weight"), p.get("bias"), p.get("running_mean"), p.get("running_var"));
        }
        if (op instanceof Layers.Embedding e) return new Nodes.Embedding(name, x, y, inShape.size(), e.vocab(), e.dim(), p.get("weight"));
        if (op instanceof Layers.Recurrent r) {
            Act act = r.lstm() || r.activation() == null ? Act.TANH : act(r.activation());
            return new Nodes.Recurrent(name, x, y, r.lstm(), inShape.dim(0), inShape.dim(1), r.units(), act, r.sequences(),
                    p.get("weight_ih"), p.get("weight_hh"), p.get("bias_ih"), p.get("bias_hh"));
        }
        if (op instanceof Layers.Maxout m) return maxout(layer, x, y, m, inShape, p);
        if (op instanceof Layers.Add) return new Nodes.Add(name, in, y);
        if (op instanceof Layers.Concat) return new Nodes.Concat(name, in, y);
        Layers.Activation a = (Layers.Activation) op;
        return switch (a.fn()) {
            case SOFTMAX -> new Nodes.SoftmaxNode(name, x, y, inShape.dim(inShape.rank() - 1));
            case PRELU -> new Nodes.Prelu(name, x, y, inShape.dim(0), inShape.size() / inShape.dim(0), p.get("weight"));
            default -> new Nodes.Activation(name, x, y, act(a.fn()), (float) a.alpha());
        };
    }

    /** Maxout is a dense layer of units·pieces outputs followed by a max over each group of pieces. */
    private Node maxout(Network.Layer layer, Value x, Value y, Layers.Maxout m, Shape inShape, Map<String, String> p) {
        Value z = new Value(plan.work("out:" + layer.name() + ".affine", m.units() * m.pieces()), m.units() * m.pieces());
        nodes.add(new Nodes.Dense(layer.name() + ".affine", x, z, inShape.size(), m.units() * m.pieces(), p.get("weight"), p.get("bias"), Act.LINEAR, 0f));
        needsGradient.add(z.buffer());
        return new Nodes.Maxout(layer.name(), z, y, m.units(), m.pieces());
    }

    /**
     * An activation fuses into the layer before it when that layer is a dense or convolution layer
     * whose output nothing else reads, and the activation is elementwise with a gradient computable
     * from its output. The output step of a perceptron stays separate: its rule skips the step.
     */
    private boolean fuses(Network.Layer layer, Layers.Activation a) {
        if (a.fn() == Layers.Activation.Fn.SOFTMAX || a.fn() == Layers.Activation.Fn.PRELU) return false;
        if (a.fn() == Layers.Activation.Fn.STEP && perceptron()) return false;
        int v = layer.inputs().get(0);
        if (uses[v] != 1 || nodes.isEmpty()) return false;
        Node last = nodes.get(nodes.size() - 1);
        Network.Layer producer = net.producer(v);
        return producer != null && (last instanceof Nodes.Dense || last instanceof Nodes.Conv) && last.name().equals(producer.name())
                && last.output().equals(values.get(v)) && (last instanceof Nodes.Dense d ? d.act() == Act.LINEAR : ((Nodes.Conv) last).act() == Act.LINEAR);
    }

    private boolean perceptron() {
        return training != null && training.optimizer() != null && training.optimizer().name().equals("perceptron");
    }

    private long seed() { return training != null ? training.seed() : 0; }

    private Map<String, String> declareParams(Network.Layer layer, Shape in) {
        Map<String, String> names = new HashMap<>();
        for (ParamSpec spec : layer.params()) {
            String name = layer.name() + "." + spec.name();
            long[] shape = spec.shape().dims();
            Slot.Role role = spec.trainable() ? Slot.Role.PARAM : Slot.Role.STATE;
            plan.declare(Slot.param(name, role, shape, init(layer, spec.name(), shape)));
            names.put(spec.name(), name);
        }
        return names;
    }

    /** PyTorch's defaults unless the layer or the train block names an initializer; biases of explicitly initialized layers start at zero. */
    private dln.runtime.Init init(Network.Layer layer, String param, long[] shape) {
        long fanIn = 1, fanOut = shape[0];
        for (int i = 1; i < shape.length; i++) fanIn *= shape[i];
        for (int i = 2; i < shape.length; i++) fanOut *= shape[i];
        if (layer.op() instanceof Layers.BatchNorm) {
            return new dln.runtime.Init(param.equals("weight") || param.equals("running_var") ? "ones" : "zeros", 0, 0, 0);
        }
        if (layer.op() instanceof Layers.Activation) return new dln.runtime.Init("constant", 0.25, 0, 0);
        if (layer.op() instanceof Layers.Embedding) return new dln.runtime.Init("normal", 1, 0, 0);
        if (layer.op() instanceof Layers.Recurrent r) return new dln.runtime.Init("uniform", 1 / Math.sqrt(r.units()), 0, 0);
        Init chosen = layer.init() != null ? layer.init() : training != null && training.init() != null ? training.init() : Init.DEFAULT;
        if (param.equals("bias")) {
            if (!chosen.kind().equals("default")) return new dln.runtime.Init("zeros", 0, 0, 0);
            long weightFanIn = net.shapeOf(layer.inputs().get(0)).dim(0);
            if (layer.op() instanceof Layers.Dense) weightFanIn = net.shapeOf(layer.inputs().get(0)).size();
            if (layer.op() instanceof Layers.Maxout) weightFanIn = net.shapeOf(layer.inputs().get(0)).size();
            if (layer.op() instanceof Layers.Conv c) for (long k : c.kernel()) weightFanIn *= k;
            return new dln.runtime.Init("torch", 0, weightFanIn, 0);
        }
        return new dln.runtime.Init(chosen.kind().equals("default") ? "torch" : chosen.kind(), chosen.scale(), fanIn, fanOut);
    }

    static Act act(Layers.Activation.Fn fn) {
        return switch (fn) {
            case LINEAR -> Act.LINEAR;
            case STEP -> Act.STEP;
            case SIGMOID -> Act.SIGMOID;
            case TANH -> Act.TANH;
            case RELU -> Act.RELU;
            case LEAKY_RELU -> Act.LEAKY_RELU;
            case ELU -> Act.ELU;
            case PRELU, SOFTMAX -> throw new IllegalArgumentException(fn + " is not elementwise");
        };
    }
}
