package dln.check;

import dln.net.Training;
import dln.net.ArgSpec;
import dln.op.Op;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A read-only view of what the checker accepts, for tools such as the language server: the
 * built-in layers and the train block's function-like values with their arguments, and the train
 * settings and their word values. It reads the checker's own tables, so it never drifts from them.
 */
public final class Signatures {
    private Signatures() {}

    /**
     * One argument: its name, what it accepts (in words), its default as written (null: none),
     * whether it is required, and the bare words it takes when it takes words (`true`, `xavier`).
     */
    public record Arg(String name, String accepts, String defaultValue, boolean required, List<String> choices) {}

    /** A layer or function: its name, its arguments, how many leading ones may be given by position, and one line on it (layers; null for others). */
    public record Signature(String name, List<Arg> args, int positional, String doc) {
        /** `conv2d(filters, kernel, stride = 1, ..., init?, name?)`: positional ones bare, optional ones with their defaults. */
        public String text() {
            StringBuilder out = new StringBuilder(name).append('(');
            for (int i = 0; i < args.size(); i++) {
                Arg a = args.get(i);
                if (i > 0) out.append(", ");
                out.append(a.name());
                if (a.defaultValue() != null) out.append(" = ").append(a.defaultValue());
                else if (!a.required()) out.append('?');
            }
            return out.append(')').toString();
        }

        public Arg arg(String argName) {
            return args.stream().filter(a -> a.name().equals(argName)).findFirst().orElse(null);
        }
    }

    /** Every built-in layer and activation, by name in alphabetical order. */
    public static Map<String, Signature> layers() {
        Map<String, Signature> out = new TreeMap<>();
        Op.signatures().forEach((name, def) -> out.put(name, new Signature(name, args(def.args()), def.positional(), def.doc())));
        return out;
    }

    /** The train settings, in the order the reference lists them. */
    public static List<String> trainSettings() { return TrainChecker.SETTINGS; }

    public static List<String> losses() { return List.copyOf(new java.util.TreeSet<>(TrainChecker.LOSSES)); }

    public static List<String> metrics() { return List.copyOf(new java.util.TreeSet<>(TrainChecker.METRICS)); }

    public static List<String> initializers() { return List.of("zeros", "normal", "uniform", "xavier", "he_normal", "he_uniform"); }

    public static Map<String, Signature> optimizers() { return functions(TrainChecker.OPTIMIZERS); }

    public static Map<String, Signature> schedules() { return functions(TrainChecker.SCHEDULES); }

    public static Map<String, Signature> clips() { return functions(TrainChecker.CLIPS); }

    public static Map<String, Signature> regularizers() { return functions(TrainChecker.REGULARIZERS); }

    public static Map<String, Signature> augmentations() { return functions(TrainChecker.AUGMENTS); }

    /** The data sources of `data` and `test`. */
    public static Map<String, Signature> sources() { return functions(TrainChecker.SOURCES); }

    /** The labeled values of `early_stop` and `split`, as if each setting were a function of them. */
    public static Map<String, Signature> labeledSettings() {
        Map<String, Signature> out = new TreeMap<>(functions(TrainChecker.EARLY_STOP));
        out.putAll(functions(TrainChecker.SPLIT));
        return out;
    }

    private static Map<String, Signature> functions(Map<String, TrainChecker.Fn> table) {
        Map<String, Signature> out = new TreeMap<>();
        table.forEach((name, fn) -> out.put(name, new Signature(name, args(fn.args()), fn.positional(), null)));
        return out;
    }

    private static List<Arg> args(List<ArgSpec> specs) {
        return specs.stream().map(s -> new Arg(s.name(), s.expectation(), show(s.defaultValue()), s.required(), choices(s))).toList();
    }

    private static List<String> choices(ArgSpec spec) {
        return switch (spec.kind()) {
            case WORD -> List.copyOf(new java.util.TreeSet<>(spec.words()));
            case BOOL -> List.of("true", "false");
            case INIT -> initializers();
            default -> List.of();
        };
    }

    private static String show(Object v) {
        if (v == null) return null;
        if (v instanceof Double d) return Training.Call.format(d);
        if (v instanceof long[] sizes) {
            boolean same = java.util.Arrays.stream(sizes).allMatch(x -> x == sizes[0]);
            return same && sizes.length > 0 ? Long.toString(sizes[0]) : java.util.Arrays.toString(sizes);
        }
        return String.valueOf(v);
    }
}
