package dln.op;

import dln.net.Args;
import dln.net.ArgSpec;
import static dln.net.ArgSpec.optional;

import dln.net.ArgSpec.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How a layer is called: its name, one line of documentation (the language server's hover), its
 * arguments (the first {@code positional} may be given by position; every layer also takes
 * `name:`), how many tensors it reads, and how its op is built from checked arguments.
 */
public record Signature(String name, String doc, List<ArgSpec> args, int positional, int minInputs, int maxInputs, Function<Args, Op> build) {

    /** A layer of one input. */
    static Signature of(String name, String doc, int positional, Function<Args, Op> build, ArgSpec... args) {
        return new Signature(name, doc, withName(args), positional, 1, 1, build);
    }

    /** A layer that joins two or more inputs (add, concat). */
    static Signature joining(String name, String doc, Function<Args, Op> build) {
        return new Signature(name, doc, withName(), 0, 2, Integer.MAX_VALUE, build);
    }

    /** The arguments every layer with weights shares. */
    static final ArgSpec UNITS = ArgSpec.required("units", Kind.COUNT);
    static final ArgSpec BIAS = optional("bias", Kind.BOOL, true);
    static final ArgSpec INIT = optional("init", Kind.INIT, null);

    private static List<ArgSpec> withName(ArgSpec... args) {
        List<ArgSpec> all = new ArrayList<>(List.of(args));
        all.add(optional("name", Kind.NAME, null));
        return List.copyOf(all);
    }

    /** {@code n} copies of {@code v}: the default of a per-axis argument. */
    static long[] fill(int n, long v) {
        long[] out = new long[n];
        java.util.Arrays.fill(out, v);
        return out;
    }
}
