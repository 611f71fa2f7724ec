package dln.op;

import dln.ir.Node;
import dln.kernel.Act;
import dln.net.ArgSpec.Kind;
import dln.net.ArgSpec;
import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.runtime.Init;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import static java.lang.Math.multiplyExact;

/**
 * An activation used as a layer: `relu`, `leaky_relu(alpha = 0.01)`, `elu(alpha = 1.0)`, `prelu(init?)`,
 * `softmax` (over the last axis), ... Elementwise ones fuse into the dense or convolution layer
 * before them, but for gelu and silu, whose gradient needs their input (which a fused layer does not keep). PReLU learns one negative slope per channel (axis 0), weight [C].
 */
public record Activation(Fn fn, double alpha) implements Op {
    public enum Fn {
        LINEAR("Activation: the identity. Output shape = input shape."),
        STEP("Activation: Heaviside step (for the perceptron). Output shape = input shape."),
        SIGMOID("Activation: 1 / (1 + e^-x). Output shape = input shape."),
        TANH("Activation: hyperbolic tangent. Output shape = input shape."),
        RELU("Activation: max(0, x). Output shape = input shape."),
        LEAKY_RELU("Activation: x if x > 0, else alpha·x (alpha ≥ 0, default 0.01). Output shape = input shape."),
        PRELU("Activation: like leaky_relu with a learned slope per channel (axis 0); weight [C]."),
        ELU("Activation: x if x > 0, else alpha·(e^x - 1) (alpha > 0, default 1.0). Output shape = input shape."),
        GELU("Activation: x·Φ(x) = x/2·(1 + erf(x/√2)), the exact form (PyTorch's default). Output shape = input shape."),
        SILU("Activation: x·sigmoid(x) (swish). Output shape = input shape."),
        SOFTMAX("Activation: softmax over the last axis. Output shape = input shape.");

        /** One line for people: the language server's hover. */
        public final String doc;

        Fn(String doc) { this.doc = doc; }

        public String keyword() { return name().toLowerCase(Locale.ROOT); }

        /** The kernels' elementwise function; softmax and PReLU are not elementwise. */
        public Act act() {
            return switch (this) {
                case LINEAR -> Act.LINEAR;
                case STEP -> Act.STEP;
                case SIGMOID -> Act.SIGMOID;
                case TANH -> Act.TANH;
                case RELU -> Act.RELU;
                case LEAKY_RELU -> Act.LEAKY_RELU;
                case ELU -> Act.ELU;
                case GELU -> Act.GELU;
                case SILU -> Act.SILU;
                case PRELU, SOFTMAX -> throw new IllegalArgumentException(this + " is not elementwise");
            };
        }
    }

    static final List<Signature> SIGNATURES = signatures();

    private static List<Signature> signatures() {
        List<Signature> out = new ArrayList<>();
        for (Fn fn : Fn.values()) {
            out.add(switch (fn) {
                case LEAKY_RELU -> Signature.of(fn.keyword(), fn.doc, 1, a -> new Activation(fn, a.real("alpha")), ArgSpec.optional("alpha", Kind.NONNEG, 0.01));
                case ELU -> Signature.of(fn.keyword(), fn.doc, 1, a -> new Activation(fn, a.real("alpha")), ArgSpec.optional("alpha", Kind.POSITIVE, 1.0));
                case PRELU -> Signature.of(fn.keyword(), fn.doc, 0, a -> new Activation(fn, 0.25), Signature.INIT);
                default -> Signature.of(fn.keyword(), fn.doc, 0, a -> new Activation(fn, 0));
            });
        }
        return List.copyOf(out);
    }

    public String kind() { return fn.keyword(); }

    public Shape infer(List<Shape> in, Problems p) { return in.get(0); }

    public List<ParamSpec> params(List<Shape> in) {
        return fn == Fn.PRELU ? List.of(ParamSpec.trained("weight", in.get(0).dim(0))) : List.of();
    }

    /** PReLU's slopes start at 0.25, as PyTorch's, unless the layer names an initializer (the train block's default leaves them). */
    public Init init(ParamSpec param, List<ParamSpec> all, Initializer own, Initializer fallback) {
        return own != null ? Inits.weights(param, all, own) : Inits.constant("constant", 0.25);
    }

    public long flops(List<Shape> in, Shape out) {
        return switch (fn) {
            case LINEAR -> 0;
            case SOFTMAX -> multiplyExact(3, out.size());
            default -> out.size();
        };
    }

    public void lower(Lowerer.Context c) {
        Shape in = c.inShape();
        switch (fn) {
            case SOFTMAX -> c.add(new Node.SoftmaxNode(c.name(), c.x(), c.y(), in.dim(in.rank() - 1)));
            case PRELU -> c.add(new Node.Prelu(c.name(), c.x(), c.y(), in.dim(0), in.size() / in.dim(0), c.param("weight")));
            default -> {
                // the output step of a perceptron stays a node: its rule skips the step
                boolean fusable = !(fn == Fn.STEP && c.perceptron());
                if (fusable && c.fuse(fn.act(), (float) alpha)) return;
                c.add(new Node.Activation(c.name(), c.x(), c.y(), fn.act(), (float) alpha));
            }
        }
    }
}
