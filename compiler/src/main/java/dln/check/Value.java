package dln.check;

import dln.net.DType;
import dln.net.Shape;
import java.util.List;
import java.util.stream.Collectors;

/** What an expression evaluates to while a model is checked. */
sealed interface Value {

    /** A number; integers are whole doubles (exact up to 2^53). */
    record Num(double value) implements Value {
        boolean isWhole() { return value == Math.rint(value) && Math.abs(value) <= 9.007199254740992E15; }
    }

    record Str(String value) implements Value {}

    /** A name that is bound to nothing: an option word such as `xavier`, `true` or `horizontal`. */
    record Sym(String name) implements Value {}

    record ListV(List<Value> items) implements Value {}

    /** A call that is not a layer, such as `normal(0.01)` as an initializer. */
    record CallV(String name, List<Value> positional, java.util.Map<String, Value> named) implements Value {}

    /** The output of a layer or a model input: value number {@code id} of the network. */
    record Tensor(int id, Shape shape, DType dtype) implements Value {}

    /**
     * The result of something already reported as an error; checks that need it are skipped.
     * {@code tensor} tells whether a tensor was meant (a layer that failed), so that it still
     * counts as a layer input.
     */
    record Poison(boolean tensor) implements Value {}

    Poison POISON = new Poison(false);
    Poison BROKEN_TENSOR = new Poison(true);

    /** Words for a value in a message: `the number 2.5`, `a tensor of shape [16]`. */
    static String describe(Value v) {
        if (v instanceof Num n) return "the number " + format(n.value());
        if (v instanceof Str s) return "the string \"" + s.value() + "\"";
        if (v instanceof Sym s) return "`" + s.name() + "`";
        if (v instanceof ListV l) return "a list of " + l.items().size() + (l.items().size() == 1 ? " value" : " values");
        if (v instanceof CallV c) return "a call of `" + c.name() + "`";
        if (v instanceof Tensor t) return "a tensor of shape " + (t.dtype() == DType.INT ? "int" : "") + t.shape();
        return "an erroneous value";
    }

    /** Numbers as people write them: 16, 0.5, 1.0E-4. */
    static String format(double v) {
        return dln.net.Training.Call.format(v);
    }

    static String list(List<?> items) {
        return items.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
