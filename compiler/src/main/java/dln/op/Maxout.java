package dln.op;

import dln.net.ArgSpec;
import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import dln.ir.Node;
import dln.ir.Operand;
import dln.kernel.Act;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.net.ArgSpec.Kind;
import java.util.List;

/**
 * `maxout(units, pieces, init?)`: the maximum of {@code pieces} affine maps per unit, [in] -> [units];
 * weight [units * pieces, in] (row u * pieces + k), bias [units * pieces]. Lowered as a dense node
 * of units·pieces outputs and a max over each group of pieces.
 */
public record Maxout(long units, long pieces) implements Op {
    static final List<Signature> SIGNATURES = List.of(
            Signature.of("maxout", "The maximum of `pieces` affine maps per unit: [in] -> [units]; weight [units·pieces, in].", 2, a -> new Maxout(a.count("units"), a.count("pieces")),
                    Signature.UNITS, ArgSpec.required("pieces", Kind.COUNT), Signature.INIT));

    public String kind() { return "maxout"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (x.rank() != 1) {
            var report = p.report(Diag.WrongInputRank, "maxout", "a 1-D", x);
            report.help("insert `-> flatten` before `" + p.call() + "`");
            return null;
        }
        return Shape.of(units);
    }

    public List<ParamSpec> params(List<Shape> in) {
        long rows = multiplyExact(units, pieces);
        return List.of(ParamSpec.trained("weight", rows, in.get(0).dim(0)), ParamSpec.trained("bias", rows));
    }

    public long flops(List<Shape> in, Shape out) {
        return multiplyExact(multiplyExact(2 * units, pieces), in.get(0).dim(0));
    }

    public void lower(Lowerer.Context c) {
        Operand y = c.y();
        Operand z = c.hidden(".affine", units * pieces);
        c.add(new Node.Dense(c.name() + ".affine", c.x(), z, 1, c.inShape().size(), units * pieces, c.param("weight"), c.param("bias"), Act.LINEAR, 0f));
        c.add(new Node.Maxout(c.name(), z, y, units, pieces));
    }
}
