package dln.op;

import dln.diag.Diag;
import dln.ir.Node;
import dln.net.Shape;
import java.util.List;

/** `global_maxpool`, `global_avgpool`: max or average over every spatial position, [C, S...] -> [C]. */
public record GlobalPool(boolean max) implements Op {
    static final List<Signature> SIGNATURES = List.of(
            Signature.of("global_avgpool", "Average over every spatial position: [C, ...] -> [C].", 0, a -> new GlobalPool(false)),
            Signature.of("global_maxpool", "Maximum over every spatial position: [C, ...] -> [C].", 0, a -> new GlobalPool(true)));

    public String kind() { return max ? "global_maxpool" : "global_avgpool"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape x = in.get(0);
        if (x.rank() < 2) {
            p.report(Diag.WrongInputRank, kind(), "a [channels, ...] (2-D or more)", x);
            return null;
        }
        return Shape.of(x.dim(0));
    }

    public long flops(List<Shape> in, Shape out) { return in.get(0).size(); }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        c.add(new Node.GlobalPool(c.name(), c.x(), c.y(), in.dim(0), in.size() / in.dim(0), max));
    }
}
