package dln.op;

import static java.lang.Math.multiplyExact;

import dln.ir.Gradients;
import dln.ir.Lowering;
import dln.ir.Node;
import dln.ir.Operand;
import dln.kernel.Dim;
import dln.kernel.LayerNormKernels;
import dln.net.ArgSpec.Kind;
import dln.net.ArgSpec;
import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.runtime.Init;
import java.util.List;

/**
 * `layernorm(eps = 1e-5)`: normalizes over the last axis, as PyTorch's nn.LayerNorm(last, eps):
 * [..., D] -> [..., D]; weight [D] (starting at one) and bias [D] (at zero).
 */
public record LayerNorm(double eps) implements Op {
    static final List<Signature> SIGNATURES = List.of(Signature.of("layernorm",
            "Layer normalization over the last axis: [..., D] -> [..., D], y = (x - mean) / sqrt(var + eps) · weight + bias; weight and bias [D].",
            0, a -> new LayerNorm(a.real("eps")), ArgSpec.optional("eps", Kind.POSITIVE, 1e-5)));

    public String kind() { return "layernorm"; }

    public Shape infer(List<Shape> in, Problems p) { return in.get(0); }

    public List<ParamSpec> params(List<Shape> in) {
        long d = last(in.get(0));
        return List.of(ParamSpec.trained("weight", d), ParamSpec.trained("bias", d));
    }

    public Init init(ParamSpec param, List<ParamSpec> all, Initializer own, Initializer fallback) {
        return Inits.constant(param.name().equals("weight") ? "ones" : "zeros", 0);
    }

    public long flops(List<Shape> in, Shape out) { return multiplyExact(5, out.size()); }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        long width = last(in);
        Lowered rules = new Lowered(c.name(), c.x(), c.y(), in.size() / width, width, (float) eps, c.param("weight"), c.param("bias"));
        c.add(new Node.Layer(c.name(), List.of(c.x()), c.y(), rules));
    }

    private static long last(Shape s) { return s.dim(s.rank() - 1); }

    /** The forward and gradient launches; {@code rows} rows of {@code width} per example, with their μ and invstd saved between passes. */
    record Lowered(String name, Operand x, Operand y, long rows, long width, float eps, String weight, String bias) implements Node.Rules {
        public void forward(Node.Layer node, Lowering out, boolean training) {
            String[] saved = saved(out.plan());
            out.launch(new LayerNormKernels.Forward(out.kernel(node, "fwd"), Dim.batch(rows), width, eps), name,
                    x.buffer(), weight, bias, y.buffer(), saved[0], saved[1]);
        }

        public void backward(Node.Layer node, Gradients g) {
            String[] saved = saved(g.plan());
            g.launch(new LayerNormKernels.BackwardParams(g.kernel(node, "dparams"), Dim.batch(rows), width), "dW = Σ dy·x̂, db = Σ dy",
                    x.buffer(), saved[0], saved[1], g.dy(y), g.param(weight), g.param(bias));
            if (g.needs(x)) {
                g.write(node, x, dx -> g.launch(new LayerNormKernels.BackwardData(g.kernel(node, "dx"), Dim.batch(rows), width), "dx",
                        x.buffer(), weight, saved[0], saved[1], g.dy(y), dx));
            }
        }

        private String[] saved(dln.ir.Plan plan) {
            return new String[] {plan.work("saved.mean:" + name, rows), plan.work("saved.invstd:" + name, rows)};
        }
    }
}
