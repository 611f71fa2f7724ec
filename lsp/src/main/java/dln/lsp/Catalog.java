package dln.lsp;

import dln.check.Signatures;
import dln.check.Signatures.Arg;
import dln.check.Signatures.Signature;
import java.util.List;
import java.util.Map;

/** The built-in names the editor offers and explains, grouped as the language uses them. */
final class Catalog {
    private Catalog() {}

    static final Map<String, Signature> LAYERS = Signatures.layers();

    /**
     * The values a train setting takes: names documented under {@code kind} in docs.properties,
     * function-like ones with their signatures.
     */
    record Values(String kind, Map<String, Signature> functions, List<String> words) {
        List<String> names() {
            return functions.isEmpty() ? words : List.copyOf(functions.keySet());
        }
    }

    /** The values of {@code setting}, or null when they are not names (numbers, strings). */
    static Values valuesOf(String setting) {
        if (setting == null) return null;
        return switch (setting) {
            case "loss" -> new Values("loss", Map.of(), Signatures.losses());
            case "optimizer" -> new Values("optimizer", Signatures.optimizers(), List.of());
            case "schedule" -> new Values("schedule", Signatures.schedules(), List.of());
            case "clip" -> new Values("clip", Signatures.clips(), List.of());
            case "regularize" -> new Values("regularizer", Signatures.regularizers(), List.of());
            case "augment" -> new Values("augment", Signatures.augmentations(), List.of());
            case "data", "test" -> new Values("source", Signatures.sources(), List.of());
            case "metrics" -> new Values("metric", Map.of(), Signatures.metrics());
            case "init" -> new Values("init", Map.of(), Signatures.initializers());
            case "shuffle" -> new Values("", Map.of(), List.of("true", "false"));
            case "batch" -> new Values("", Map.of(), List.of("all"));
            case "targets" -> new Values("", Map.of(), List.of("inputs"));
            default -> null;
        };
    }

    /** The labeled values of `early_stop` and `split`, as a signature; null for other settings. */
    static Signature labeled(String setting) {
        return setting == null ? null : Signatures.labeledSettings().get(setting);
    }

    /** The signature of function {@code name} as a value of {@code setting}, or null. */
    static Signature function(String setting, String name) {
        Values values = valuesOf(setting);
        return values == null ? null : values.functions().get(name);
    }

    /** `kernel`: what it accepts, and its default or that it is required. */
    static String describe(Arg arg) {
        String when = arg.required() ? "required" : arg.defaultValue() != null ? "default " + arg.defaultValue() : "optional";
        return arg.accepts() + "; " + when;
    }

    /** The documentation of a layer or function: its line and its signature. */
    static String markdown(String kind, Signature sig) {
        StringBuilder out = new StringBuilder("```dln\n").append(sig.text()).append("\n```\n");
        String line = Docs.line(kind, sig.name());
        if (line != null) out.append(line).append('\n');
        if (sig.positional() > 0) {
            out.append("\nBy position: ").append(String.join(", ", sig.args().subList(0, Math.min(sig.positional(), sig.args().size()))
                    .stream().map(a -> "`" + a.name() + "`").toList())).append('\n');
        }
        return out.toString();
    }
}
