package dln.op;

import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import dln.ir.Node;
import dln.kernel.Act;
import dln.net.ParamSpec;
import dln.net.Shape;
import java.util.ArrayList;
import java.util.List;

/** `dense(units, init?, bias = true)`: fully connected, [in] -> [units]; weight [units, in], bias [units]. */
public record Dense(long units, boolean bias) implements Op {
    static final List<Signature> SIGNATURES = List.of(
            Signature.of("dense", "Fully connected layer: [in] -> [units]; weight [units, in], bias [units]. FLOPs 2·units·in.", 1, a -> new Dense(a.count("units"), a.flag("bias")), Signature.UNITS, Signature.INIT, Signature.BIAS));

    public String kind() { return "dense"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (x.rank() != 1) {
            var report = p.report(Diag.WrongInputRank, "dense", "a 1-D", x);
            if (x.rank() > 1) report.help("insert `-> flatten` before `" + p.call() + "`");
            return null;
        }
        return Shape.of(units);
    }

    public List<ParamSpec> params(List<Shape> in) {
        List<ParamSpec> out = new ArrayList<>(List.of(ParamSpec.trained("weight", units, in.get(0).dim(0))));
        if (bias) out.add(ParamSpec.trained("bias", units));
        return out;
    }

    public long flops(List<Shape> in, Shape out) {
        return multiplyExact(2 * units, in.get(0).dim(0));
    }

    public void lower(Lowerer.Context c) {
        c.add(new Node.Dense(c.name(), c.x(), c.y(), c.inShape().size(), units, c.param("weight"), c.param("bias"), Act.LINEAR, 0f));
    }
}
