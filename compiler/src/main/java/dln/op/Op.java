package dln.op;

import dln.net.Initializer;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.runtime.Init;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A built-in layer with its checked arguments: one record per layer, in one file that holds the
 * whole op: its {@link Signature} (arguments, defaults, how many by position), its shape rule, its
 * parameters in PyTorch layout with their initial values, its forward FLOPs per example (a
 * multiply-add counts 2) and its lowering to IR nodes, whose launches carry the gradient rule,
 * the Java reference and the OpenCL kernel. Sizes use checked 64-bit arithmetic; the checker turns
 * an overflow into a diagnostic.
 *
 * <p>The interface is sealed and every rule abstract, so a new op is complete or does not
 * compile; {@link #signatures()} is the one table the checker, the summary, the language server and
 * the docs read. docs/ARCHITECTURE.md walks through adding one.
 */
public sealed interface Op permits Dense, Conv, ConvTranspose, Pool, GlobalPool, Upsample, Flatten, Dropout, BatchNorm, LayerNorm,
        Embedding, Recurrent, Attention, Positional, Mean, Maxout, Add, Concat, Activation {

    /** The name the op is called by in .dln files, and the stem of its layers' names: `conv2d`. */
    String kind();

    /** The output shape for these input shapes, or null after reporting why there is none. */
    Shape infer(List<Shape> in, Problems problems);

    /** The parameters, named and laid out as PyTorch's module for this layer names them. */
    default List<ParamSpec> params(List<Shape> in) { return List.of(); }

    long flops(List<Shape> in, Shape out);

    /** Only an embedding reads integer ids. */
    default boolean takesIntInput() { return false; }

    /**
     * How parameter {@code param} starts: PyTorch's default for this layer unless an initializer was
     * chosen: {@code own} by the layer's `init:` (null if none), else {@code fallback} by the train
     * block's `init` ({@link Initializer#DEFAULT} if none).
     */
    default Init init(ParamSpec param, List<ParamSpec> all, Initializer own, Initializer fallback) {
        return Inits.weights(param, all, own != null ? own : fallback);
    }

    /** Appends this layer's IR nodes (or makes its output a view of its input). */
    void lower(Lowerer.Context c);

    /** Every built-in layer and activation, by name, in the order of the language reference. */
    static Map<String, Signature> signatures() { return Table.SIGNATURES; }

    /** The table behind {@link #signatures()}: one line per op. */
    final class Table {
        private Table() {}

        private static final Map<String, Signature> SIGNATURES = of(
                Dense.SIGNATURES, Conv.SIGNATURES, ConvTranspose.SIGNATURES, Pool.SIGNATURES, GlobalPool.SIGNATURES, Upsample.SIGNATURES,
                Flatten.SIGNATURES, Dropout.SIGNATURES, BatchNorm.SIGNATURES, LayerNorm.SIGNATURES, Embedding.SIGNATURES, Recurrent.SIGNATURES,
                Attention.SIGNATURES, Positional.SIGNATURES, Mean.SIGNATURES, Maxout.SIGNATURES,
                Add.SIGNATURES, Concat.SIGNATURES, Activation.SIGNATURES);

        @SafeVarargs
        private static Map<String, Signature> of(List<Signature>... groups) {
            Map<String, Signature> out = new LinkedHashMap<>();
            for (List<Signature> group : groups) {
                for (Signature s : group) {
                    if (out.put(s.name(), s) != null) throw new IllegalStateException("two layers named " + s.name());
                }
            }
            return java.util.Collections.unmodifiableMap(out);
        }
    }
}
