package dln.op;

import dln.net.Shape;
import java.util.List;

/** `flatten`: [S...] -> [size], a view of the same values (no node, no copy). */
public record Flatten() implements Op {
    static final List<Signature> SIGNATURES = List.of(Signature.of("flatten", "Flattens any input to one axis: [d1, d2, ...] -> [d1·d2·...].", 0, a -> new Flatten()));

    public String kind() { return "flatten"; }

    public Shape infer(List<Shape> in, Problems p) { return Shape.of(in.get(0).size()); }

    public long flops(List<Shape> in, Shape out) { return 0; }

    public void lower(Lowerer.Context c) { c.view(c.x()); }
}
