package dln.op;

import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import dln.ir.Node;
import dln.kernel.Act;
import dln.net.ArgSpec;
import dln.net.ArgSpec.Kind;
import dln.net.ParamSpec;
import dln.net.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * `dense(units, init?, bias = true, per_step = false)`: fully connected, [in] -> [units]; weight
 * [units, in], bias [units]. With {@code per_step}, the same layer on every step of a sequence,
 * [T, in] -> [T, units], as nn.Linear on [N, T, in]: a transformer's feed-forward network.
 */
public record Dense(long units, boolean bias, boolean perStep) implements Op {
    static final List<Signature> SIGNATURES = List.of(
            Signature.of("dense", "Fully connected layer: [in] -> [units], or with `per_step: true` the same layer on every step, [T, in] -> [T, units]. Weight [units, in], bias [units]. FLOPs 2·units·in per step.",
                    1, a -> new Dense(a.count("units"), a.flag("bias"), a.flag("per_step")),
                    Signature.UNITS, Signature.INIT, Signature.BIAS, ArgSpec.optional("per_step", Kind.BOOL, false)));

    public String kind() { return "dense"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (perStep) {
            if (x.rank() == 2) return Shape.of(x.dim(0), units);
            p.report(Diag.WrongInputRank, "dense with `per_step: true`", "a 2-D [steps, features]", x)
                    .help(x.rank() == 1 ? "a 1-D input is one step: drop `per_step: true`" : "insert `-> flatten` before `" + p.call() + "` and drop `per_step: true`");
            return null;
        }
        if (x.rank() != 1) {
            var report = p.report(Diag.WrongInputRank, "dense", "a 1-D", x);
            if (x.rank() == 2) report.help("insert `-> flatten` before `" + p.call() + "`, or write `per_step: true` to apply it to every step (the last axis)");
            else if (x.rank() > 2) report.help("insert `-> flatten` before `" + p.call() + "`");
            return null;
        }
        return Shape.of(units);
    }

    public List<ParamSpec> params(List<Shape> in) {
        List<ParamSpec> out = new ArrayList<>(List.of(ParamSpec.trained("weight", units, features(in.get(0)))));
        if (bias) out.add(ParamSpec.trained("bias", units));
        return out;
    }

    public long flops(List<Shape> in, Shape out) {
        return multiplyExact(steps(in.get(0)), multiplyExact(2 * units, features(in.get(0))));
    }

    public void lower(Lowerer.Context c) {
        Shape x = c.inShape();
        c.add(new Node.Dense(c.name(), c.x(), c.y(), steps(x), features(x), units, c.param("weight"), c.param("bias"), Act.LINEAR, 0f));
    }

    /** The rows the layer applies to: the steps of a per-step layer, else one. */
    private long steps(Shape x) { return perStep ? x.dim(0) : 1; }

    /** The width of one row: the last axis. */
    private long features(Shape x) { return x.dim(x.rank() - 1); }
}
