package dln.check;

import static dln.check.ArgSpec.optional;
import static dln.check.ArgSpec.required;
import static dln.check.ArgSpec.sizes;

import dln.check.ArgSpec.Kind;
import dln.net.Init;
import dln.net.Layers;
import dln.net.Layers.Activation.Fn;
import dln.net.Op;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The table of built-in layers: for each name, its arguments (the first {@code positional} may be
 * given by position) and how to build the {@link Op} from checked arguments. Every layer also takes
 * `name:`, and layers with weights take `init:`.
 */
final class Builtins {
    private Builtins() {}

    record LayerDef(String name, List<ArgSpec> args, int positional, Function<Binder.Bound, Op> build) {
        /** add and concat join two or more tensors; every other layer takes one. */
        int minInputs() { return joins() ? 2 : 1; }

        int maxInputs() { return joins() ? Integer.MAX_VALUE : 1; }

        private boolean joins() { return name.equals("add") || name.equals("concat"); }
    }

    static final Map<String, LayerDef> LAYERS = table();

    private static Map<String, LayerDef> table() {
        Map<String, LayerDef> t = new LinkedHashMap<>();
        ArgSpec units = required("units", Kind.COUNT);
        ArgSpec bias = optional("bias", Kind.BOOL, true);
        ArgSpec init = optional("init", Kind.INIT, null);

        add(t, "dense", 1, b -> new Layers.Dense(b.count("units"), b.flag("bias")), units, init, bias);
        for (int dims = 1; dims <= 3; dims++) {
            int d = dims;
            add(t, "conv" + d + "d", 2,
                    b -> new Layers.Conv(d, b.count("filters"), b.sizes("kernel"), b.sizes("stride"), b.sizes("padding"),
                            b.sizes("dilation"), b.flag("bias")),
                    required("filters", Kind.COUNT), sizes("kernel", Kind.SIZES, d, null, true),
                    sizes("stride", Kind.SIZES, d, fill(d, 1), false), sizes("padding", Kind.PADDING, d, fill(d, 0), false),
                    sizes("dilation", Kind.SIZES, d, fill(d, 1), false), bias, init);
            for (boolean max : new boolean[] {true, false}) {
                add(t, (max ? "maxpool" : "avgpool") + d + "d", 1,
                        b -> new Layers.Pool(max, d, b.sizes("size"), b.has("stride") ? b.sizes("stride") : b.sizes("size"),
                                b.sizes("padding")),
                        sizes("size", Kind.SIZES, d, null, true), sizes("stride", Kind.SIZES, d, null, false),
                        sizes("padding", Kind.PADDING, d, fill(d, 0), false));
            }
        }
        add(t, "global_avgpool", 0, b -> new Layers.GlobalPool(false));
        add(t, "global_maxpool", 0, b -> new Layers.GlobalPool(true));
        add(t, "flatten", 0, b -> new Layers.Flatten());
        add(t, "dropout", 1, b -> new Layers.Dropout(b.real("rate")), required("rate", Kind.RATE));
        add(t, "batchnorm", 0, b -> new Layers.BatchNorm(b.real("momentum"), b.real("eps")),
                optional("momentum", Kind.UNIT, 0.1), optional("eps", Kind.POSITIVE, 1e-5));
        add(t, "embedding", 2, b -> new Layers.Embedding(b.count("vocab"), b.count("dim")),
                required("vocab", Kind.COUNT), required("dim", Kind.COUNT), init);
        add(t, "rnn", 1, b -> new Layers.Recurrent(false, b.count("units"), b.flag("sequences"), Fn.valueOf(b.word("activation").toUpperCase(Locale.ROOT))),
                units, optional("sequences", Kind.BOOL, false), ArgSpec.word("activation", "tanh", "tanh", "relu", "sigmoid", "linear"), init);
        add(t, "lstm", 1, b -> new Layers.Recurrent(true, b.count("units"), b.flag("sequences"), Fn.TANH),
                units, optional("sequences", Kind.BOOL, false), init);
        add(t, "maxout", 2, b -> new Layers.Maxout(b.count("units"), b.count("pieces")),
                units, required("pieces", Kind.COUNT), init);
        add(t, "add", 0, b -> new Layers.Add());
        add(t, "concat", 0, b -> new Layers.Concat());
        for (Fn fn : Fn.values()) {
            switch (fn) {
                case LEAKY_RELU -> add(t, fn.keyword(), 1, b -> new Layers.Activation(fn, b.real("alpha")),
                        optional("alpha", Kind.NONNEG, 0.01));
                case ELU -> add(t, fn.keyword(), 1, b -> new Layers.Activation(fn, b.real("alpha")),
                        optional("alpha", Kind.POSITIVE, 1.0));
                case PRELU -> add(t, fn.keyword(), 0, b -> new Layers.Activation(fn, 0.25), init);
                default -> add(t, fn.keyword(), 0, b -> new Layers.Activation(fn, 0));
            }
        }
        return Map.copyOf(t);
    }

    private static void add(Map<String, LayerDef> t, String name, int positional, Function<Binder.Bound, Op> build, ArgSpec... args) {
        List<ArgSpec> all = new ArrayList<>(List.of(args));
        all.add(optional("name", Kind.NAME, null));
        t.put(name, new LayerDef(name, List.copyOf(all), positional, build));
    }

    private static long[] fill(int n, long v) {
        long[] out = new long[n];
        java.util.Arrays.fill(out, v);
        return out;
    }

    static Init init(Binder.Bound b) {
        return b.values.containsKey("init") ? b.init("init") : null;
    }
}
