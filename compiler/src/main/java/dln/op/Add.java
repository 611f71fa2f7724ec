package dln.op;

import static java.lang.Math.multiplyExact;

import dln.diag.Diag;
import dln.ir.Node;
import dln.net.Shape;
import java.util.List;

/** `add(a, b, ...)`: the elementwise sum of two or more tensors of equal shape (residual connections). */
public record Add() implements Op {
    static final List<Signature> SIGNATURES = List.of(Signature.joining("add", "Element-wise sum of two or more tensors of equal shape: add(a, b) or a -> add(b).", a -> new Add()));

    public String kind() { return "add"; }

    public Shape infer(List<Shape> in, Problems p) {
        if (in.stream().distinct().count() > 1) {
            p.report(Diag.AddShapeMismatch, Shape.listed(in));
            return null;
        }
        return in.get(0);
    }

    public long flops(List<Shape> in, Shape out) { return multiplyExact(in.size() - 1L, out.size()); }

    public void lower(Lowerer.Context c) { c.add(new Node.Add(c.name(), c.inputs(), c.y())); }
}
