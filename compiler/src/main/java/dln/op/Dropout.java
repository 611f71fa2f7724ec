package dln.op;

import dln.net.ArgSpec;
import dln.ir.Node;
import dln.net.Shape;
import dln.net.ArgSpec.Kind;
import java.util.List;

/** `dropout(rate)`: drops a fraction {@code rate} of the units while training; the identity at inference. */
public record Dropout(double rate) implements Op {
    static final List<Signature> SIGNATURES = List.of(
            Signature.of("dropout", "Drops a fraction `rate` of the units while training; identity at inference. Output shape = input shape.", 1, a -> new Dropout(a.real("rate")), ArgSpec.required("rate", Kind.RATE)));

    public String kind() { return "dropout"; }

    public Shape infer(List<Shape> in, Problems p) { return in.get(0); }

    public long flops(List<Shape> in, Shape out) { return 0; }

    public void lower(Lowerer.Context c) {
        c.add(new Node.DropoutNode(c.name(), c.x(), c.y(), (float) rate, c.seed()));
    }
}
