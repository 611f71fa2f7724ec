package dln.op;

import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import dln.ir.Gradients;
import dln.ir.Lowering;
import dln.ir.Node;
import dln.ir.Operand;
import dln.kernel.Act;
import dln.kernel.Axpy;
import dln.kernel.BiasAct;
import dln.kernel.Dim;
import dln.kernel.PositionalGrad;
import dln.net.ArgSpec.Kind;
import dln.net.ArgSpec;
import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.runtime.Init;
import java.util.List;

/**
 * `positional(max_len)`: a learned position embedding added to a sequence [T, D] -> [T, D]:
 * y[t] = x[t] + weight[t], weight [max_len, D], as PyTorch code writes it with
 * x + nn.Embedding(max_len, D)(torch.arange(T)); T may not exceed max_len.
 */
public record Positional(long maxLen) implements Op {
    static final List<Signature> SIGNATURES = List.of(Signature.of("positional",
            "Learned position embedding added to a sequence: [T, D] -> [T, D], y[t] = x[t] + weight[t]; weight [max_len, D], T ≤ max_len.",
            1, a -> new Positional(a.count("max_len")), ArgSpec.required("max_len", Kind.COUNT), Signature.INIT));

    public String kind() { return "positional"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (x.rank() != 2) {
            p.report(Diag.WrongInputRank, kind(), "a 2-D [time, features]", x);
            return null;
        }
        if (x.dim(0) > maxLen) {
            p.report(Diag.ArgumentsDoNotFitInput, "`" + p.call() + "`", "has positions for " + maxLen + " steps", x)
                    .help("give max_len of at least the sequence's " + x.dim(0) + " steps: positional(" + x.dim(0) + ")");
            return null;
        }
        return x;
    }

    public List<ParamSpec> params(List<Shape> in) { return List.of(ParamSpec.trained("weight", maxLen, in.get(0).dim(1))); }

    /** N(0, 1), as the nn.Embedding that PyTorch code holds its learned positions in, unless the layer names an initializer. */
    public Init init(ParamSpec param, List<ParamSpec> all, Initializer own, Initializer fallback) {
        return own != null ? Inits.weights(param, all, own) : Inits.constant("normal", 1);
    }

    public long flops(List<Shape> in, Shape out) { return out.size(); }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        c.add(new Node.Layer(c.name(), List.of(c.x()), c.y(), new Lowered(c.x(), c.y(), in.size(), multiplyExact(maxLen, in.dim(1)), c.param("weight"))));
    }

    /** Forward: a copy, then the first {@code used} values of the weight added as a bias of every value; backward: its sum over the batch. */
    record Lowered(Operand x, Operand y, long used, long size, String weight) implements Node.Rules {
        public void forward(Node.Layer node, Lowering out, boolean training) {
            out.launch(new Axpy(out.kernel(node, "copy"), Dim.batch(used), 1f, 0f), node.name(), x.buffer(), y.buffer());
            out.launch(new BiasAct(out.kernel(node, "fwd"), Dim.batch(1), used, 1, true, Act.LINEAR, 0f), "+ weight[0:T]", weight, y.buffer());
        }

        public void backward(Node.Layer node, Gradients g) {
            g.launch(new PositionalGrad(g.kernel(node, "dweight"), used, size), "dW[0:T] = Σ dy", g.dy(y), g.param(weight));
            if (g.needs(x)) {
                boolean add = g.accumulates(x);
                g.launch(new Axpy(g.kernel(node, add ? "dx_add" : "dx"), Dim.batch(used), 1f, add ? 1f : 0f), "dx = dy", g.dy(y), g.dy(x));
            }
        }
    }
}
