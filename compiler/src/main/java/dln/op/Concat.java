package dln.op;

import static java.lang.Math.addExact;

import dln.diag.Diag;
import dln.ir.Node;
import dln.net.Shape;
import java.util.List;

/** `concat(a, b, ...)`: joins tensors along the first axis; the other axes must agree. */
public record Concat() implements Op {
    static final List<Signature> SIGNATURES = List.of(Signature.joining("concat", "Joins two or more tensors along axis 0; all other axes must be equal.", a -> new Concat()));

    public String kind() { return "concat"; }

    public Shape infer(List<Shape> in, Problems p) {
        Shape first = in.get(0);
        long total = 0;
        for (Shape s : in) {
            if (s.rank() != first.rank() || !s.drop(1).equals(first.drop(1))) {
                var report = p.report(Diag.ConcatShapeMismatch, Shape.listed(in));
                if (in.stream().allMatch(t -> t.rank() >= 1)) report.help("flatten the inputs first to join them as vectors");
                return null;
            }
            total = addExact(total, s.dim(0));
        }
        return first.with(0, total);
    }

    public long flops(List<Shape> in, Shape out) { return 0; }

    public void lower(Lowerer.Context c) { c.add(new Node.Concat(c.name(), c.inputs(), c.y())); }
}
