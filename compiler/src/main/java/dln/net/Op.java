package dln.net;

import java.util.List;

/**
 * A built-in layer with its configuration. Each op knows its output shape (or reports why there is
 * none), its parameters in PyTorch layout and its forward FLOPs per example (a multiply-add counts 2).
 * Sizes use checked 64-bit arithmetic; the checker turns an overflow into a diagnostic.
 */
public sealed interface Op permits Layers.Dense, Layers.Conv, Layers.Pool, Layers.GlobalPool, Layers.Flatten,
        Layers.Dropout, Layers.BatchNorm, Layers.Embedding, Layers.Recurrent, Layers.Maxout, Layers.Add,
        Layers.Concat, Layers.Activation {

    /** The name the op is called by in .dln files, and the stem of its parameter names: `conv2d`. */
    String kind();

    /** The output shape for these input shapes, or null after reporting why there is none. */
    Shape infer(List<Shape> in, Problems problems);

    default List<ParamSpec> params(List<Shape> in) { return List.of(); }

    long flops(List<Shape> in, Shape out);

    /** Only an embedding reads integer ids. */
    default boolean takesIntInput() { return false; }
}
