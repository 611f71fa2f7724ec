package dln.op;

import dln.ir.Node;
import dln.net.ArgSpec.Kind;
import dln.net.ArgSpec;
import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.runtime.Init;
import java.util.List;
import static java.lang.Math.multiplyExact;

/**
 * `batchnorm(momentum = 0.1, eps = 1e-5)`: normalizes per channel ([C, ...]) or per feature ([F]),
 * both axis 0 of the example; weight and bias [C], buffers running_mean and running_var [C].
 */
public record BatchNorm(double momentum, double eps) implements Op {
    static final List<Signature> SIGNATURES = List.of(
            Signature.of("batchnorm", "Batch normalization per channel (axis 0); weight and bias [C], buffers running_mean and running_var [C].", 0, a -> new BatchNorm(a.real("momentum"), a.real("eps")),
                    ArgSpec.optional("momentum", Kind.UNIT, 0.1), ArgSpec.optional("eps", Kind.POSITIVE, 1e-5)));

    public String kind() { return "batchnorm"; }

    public Shape infer(List<Shape> in, Problems p) { return in.get(0); }

    public List<ParamSpec> params(List<Shape> in) {
        long c = in.get(0).dim(0);
        return List.of(ParamSpec.trained("weight", c), ParamSpec.trained("bias", c),
                ParamSpec.buffer("running_mean", c), ParamSpec.buffer("running_var", c));
    }

    /** As PyTorch: weight and running variance at one, bias and running mean at zero. */
    public Init init(ParamSpec param, List<ParamSpec> all, Initializer own, Initializer fallback) {
        boolean one = param.name().equals("weight") || param.name().equals("running_var");
        return Inits.constant(one ? "ones" : "zeros", 0);
    }

    public long flops(List<Shape> in, Shape out) { return multiplyExact(2, out.size()); }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        c.add(new Node.BatchNorm(c.name(), c.x(), c.y(), in.dim(0), in.size() / in.dim(0), (float) momentum, (float) eps,
                c.param("weight"), c.param("bias"), c.param("running_mean"), c.param("running_var")));
    }
}
