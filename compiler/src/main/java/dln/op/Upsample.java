package dln.op;

import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import dln.ir.Gradients;
import dln.ir.Lowering;
import dln.ir.Node;
import dln.ir.Operand;
import dln.kernel.UpsampleKernels;
import dln.net.ArgSpec.Kind;
import dln.net.ArgSpec;
import dln.net.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * `upsample(scale)`: nearest-neighbour upsampling by a whole factor, the same on every spatial axis,
 * as PyTorch's nn.Upsample(scale_factor=scale, mode='nearest'): [C, S...] -> [C, S·scale...] for 1
 * to 3 spatial axes. One factor, not a list per axis: the layer takes any number of spatial axes,
 * and a list would have to match it. No parameters.
 */
public record Upsample(long scale) implements Op {
    static final List<Signature> SIGNATURES = List.of(Signature.of("upsample",
            "Nearest-neighbour upsampling: [C, S...] -> [C, S·scale...], each value repeated scale times along every spatial axis (1 to 3 of them).",
            1, a -> new Upsample(a.count("scale")), ArgSpec.required("scale", Kind.COUNT)));

    public String kind() { return "upsample"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (x.rank() < 2 || x.rank() > 4) {
            var report = p.report(Diag.WrongInputRank, kind(), "a [channels, length], [channels, height, width] or [channels, depth, height, width]", x);
            if (x.rank() == 1) report.help("add a channel axis to the input: [1, " + x.dim(0) + "]");
            return null;
        }
        long[] out = x.dims();
        for (int i = 1; i < out.length; i++) out[i] = multiplyExact(out[i], scale);
        return Shape.of(out);
    }

    /** One copy per output value. */
    public long flops(List<Shape> in, Shape out) { return out.size(); }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        UpsampleKernels.Geometry g = new UpsampleKernels.Geometry(in.dim(0), Arrays.stream(in.drop(1).dims()).boxed().toList(), scale);
        c.add(new Node.Layer(c.name(), List.of(c.x()), c.y(), new Lowered(c.name(), c.x(), c.y(), g)));
    }

    /** The forward copy and the gradient's sum over the copies. */
    record Lowered(String name, Operand x, Operand y, UpsampleKernels.Geometry g) implements Node.Rules {
        public void forward(Node.Layer node, Lowering out, boolean training) {
            out.launch(new UpsampleKernels.Forward(out.kernel(node, "fwd"), g), name + ": " + g.in() + " -> " + g.out(), x.buffer(), y.buffer());
        }

        public void backward(Node.Layer node, Gradients g) {
            if (g.needs(x)) g.write(node, x, dx -> g.launch(new UpsampleKernels.Backward(g.kernel(node, "dx"), this.g), "dx = Σ dy over the copies", g.dy(y), dx));
        }
    }
}
