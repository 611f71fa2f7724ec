package dln.op;

import dln.diag.Diag;
import dln.ir.Gradients;
import dln.ir.Lowering;
import dln.ir.Node;
import dln.ir.Operand;
import dln.kernel.AxisMean;
import dln.net.ArgSpec.Kind;
import dln.net.ArgSpec;
import dln.net.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * `mean(axis = 0)`: the mean over one axis of the example, which the result drops, as PyTorch's
 * x.mean(dim=axis + 1) on a batch: [T, D] -> [D] over the time axis of a sequence (how a
 * transformer encoder pools its steps for classification).
 */
public record Mean(long axis) implements Op {
    static final List<Signature> SIGNATURES = List.of(Signature.of("mean",
            "Mean over one axis, which the result drops (axes count from 0, the batch not counted): [T, D] -> [D] with axis 0.",
            1, a -> new Mean(a.count("axis")), ArgSpec.optional("axis", Kind.NONNEG_INT, 0L)));

    public String kind() { return "mean"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (x.rank() < 2) {
            p.report(Diag.WrongInputRank, kind(), "a 2-D or larger", x);
            return null;
        }
        if (axis >= x.rank()) {
            p.report(Diag.ArgumentsDoNotFitInput, "`" + p.call() + "`", "averages over axis " + axis + " (axes count from 0)", x)
                    .help("its input has axes 0 to " + (x.rank() - 1));
            return null;
        }
        long[] dims = x.dims();
        long[] out = new long[dims.length - 1];
        for (int i = 0, j = 0; i < dims.length; i++) if (i != axis) out[j++] = dims[i];
        return Shape.of(out);
    }

    public long flops(List<Shape> in, Shape out) { return in.get(0).size(); }

    public void lower(Lowerer.Context c) {
        long[] dims = c.inShape().dims();
        int a = (int) axis;
        long outer = Arrays.stream(dims, 0, a).reduce(1, Math::multiplyExact), inner = Arrays.stream(dims, a + 1, dims.length).reduce(1, Math::multiplyExact);
        c.add(new Node.Layer(c.name(), List.of(c.x()), c.y(), new Lowered(c.x(), c.y(), outer, dims[a], inner)));
    }

    /** x viewed as [outer, length, inner]. */
    record Lowered(Operand x, Operand y, long outer, long length, long inner) implements Node.Rules {
        public void forward(Node.Layer node, Lowering out, boolean training) {
            out.launch(new AxisMean.Forward(out.kernel(node, "fwd"), outer, length, inner), node.name(), x.buffer(), y.buffer());
        }

        public void backward(Node.Layer node, Gradients g) {
            if (g.needs(x)) g.write(node, x, dx -> g.launch(new AxisMean.Backward(g.kernel(node, "dx"), outer, length, inner), "dx = dy / " + length, g.dy(y), dx));
        }
    }
}
