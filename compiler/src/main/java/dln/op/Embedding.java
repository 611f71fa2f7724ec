package dln.op;

import dln.ir.Node;
import dln.net.ArgSpec.Kind;
import dln.net.ArgSpec;
import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.runtime.Init;
import java.util.List;

/** `embedding(vocab, dim, init?)`: integer ids [T...] -> vectors [T..., dim]; weight [vocab, dim]. */
public record Embedding(long vocab, long dim) implements Op {
    static final List<Signature> SIGNATURES = List.of(
            Signature.of("embedding", "Maps integer ids to learned vectors: int[T...] -> [T..., dim]; weight [vocab, dim].", 2, a -> new Embedding(a.count("vocab"), a.count("dim")),
                    ArgSpec.required("vocab", Kind.COUNT), ArgSpec.required("dim", Kind.COUNT), Signature.INIT));

    public String kind() { return "embedding"; }

    public Shape infer(List<Shape> in, Problems p) { return in.get(0).append(dim); }

    public List<ParamSpec> params(List<Shape> in) { return List.of(ParamSpec.trained("weight", vocab, dim)); }

    /** As PyTorch's nn.Embedding, N(0, 1), unless the layer names an initializer (the train block's default leaves it). */
    public Init init(ParamSpec param, List<ParamSpec> all, Initializer own, Initializer fallback) {
        return own != null ? Inits.weights(param, all, own) : Inits.constant("normal", 1);
    }

    public long flops(List<Shape> in, Shape out) { return 0; }

    public boolean takesIntInput() { return true; }

    public void lower(Lowerer.Context c) {
        c.add(new Node.Embedding(c.name(), c.x(), c.y(), c.inShape().size(), vocab, dim, c.param("weight")));
    }
}
