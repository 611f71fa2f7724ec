package dln.lsp;

import dln.check.Signatures.Arg;
import dln.check.Signatures.Signature;
import dln.diag.Source;
import dln.net.ParamSpec;
import dln.op.Network;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;

/**
 * What hover shows. Over a layer call in a model or block: the layer's input and output shapes,
 * its parameters with their shapes, its parameter count and FLOPs, from the last check that built
 * the model ({@link Analysis}). Over a built-in name: its documentation line (and over an argument's
 * label, what the argument accepts).
 */
final class Hovers {
    /** A call inside a block expands once per use of the block; show this many instances. */
    static final int MAX_INSTANCES = 3;

    private Hovers() {}

    static Hover at(Document doc, Analysis analysis, Position position) {
        Source source = doc.source();
        String text = doc.text();
        int offset = Positions.offset(source, position);
        List<Analysis.Found> layers = analysis.layersAt(text, offset);
        int start = offset;
        while (start > 0 && isWordChar(text.charAt(start - 1))) start--;
        int end = offset;
        while (end < text.length() && isWordChar(text.charAt(end))) end++;
        String word = text.substring(start, end);

        StringBuilder md = new StringBuilder();
        Range range = null;
        if (!layers.isEmpty()) {
            md.append(describe(layers));
            Analysis.Found first = layers.get(0);
            range = new Range(Positions.position(source, first.start()), Positions.position(source, first.end()));
        }
        String docs = word.isEmpty() || Character.isDigit(word.charAt(0)) ? null : builtin(Context.at(text, start), word);
        if (docs != null) {
            if (md.length() > 0) md.append("\n---\n\n");
            md.append(docs);
            if (range == null) range = new Range(Positions.position(source, start), Positions.position(source, end));
        }
        if (md.length() == 0) return null;
        return new Hover(new MarkupContent(MarkupKind.MARKDOWN, md.toString()), range);
    }

    /** `dense_1` (dense): `[400]` -> `[120]`, its parameters, their count and the FLOPs. */
    static String describe(List<Analysis.Found> layers) {
        StringBuilder out = new StringBuilder();
        boolean severalModels = layers.stream().map(f -> f.network().name()).distinct().count() > 1;
        for (Analysis.Found f : layers.subList(0, Math.min(layers.size(), MAX_INSTANCES))) {
            Network.Layer l = f.layer();
            String inputs = l.inputs().stream().map(v -> "`" + f.network().shapeOf(v) + "`").collect(Collectors.joining(", "));
            out.append("**").append(l.name()).append("** (").append(l.op().kind()).append(')');
            if (severalModels) out.append(" in model ").append(f.network().name());
            out.append(": ").append(inputs).append(" → `").append(l.shape()).append("`\n\n");
            if (!l.params().isEmpty()) {
                out.append("| parameter | shape |\n|---|---|\n");
                for (ParamSpec p : l.params()) {
                    out.append("| `").append(l.name()).append('.').append(p.name()).append("` | `").append(p.shape()).append('`')
                       .append(p.trainable() ? "" : " (buffer)").append(" |\n");
                }
                out.append('\n');
            }
            out.append(number(l.paramCount())).append(" parameters · ").append(number(l.flops())).append(" FLOPs per example\n\n");
        }
        if (layers.size() > MAX_INSTANCES) {
            out.append("… and ").append(layers.size() - MAX_INSTANCES).append(" more instances\n\n");
        }
        return out.toString();
    }

    /** The documentation of a built-in {@code word} where {@code c} places it, or null. */
    static String builtin(Context c, String word) {
        if (c.scope() == Context.Scope.TRAIN) return trainBuiltin(c, word);
        if (c.slot() == Context.Slot.ARGUMENT || c.slot() == Context.Slot.ARGUMENT_VALUE) {
            Signature sig = Catalog.LAYERS.get(c.call().callee());
            if (c.slot() == Context.Slot.ARGUMENT && sig != null && sig.arg(word) != null) return argument(sig, sig.arg(word));
            if (c.slot() == Context.Slot.ARGUMENT_VALUE && "init".equals(c.label())) return Docs.line("init", word);
        }
        if (c.scope() == Context.Scope.TOP || c.slot() == Context.Slot.NONE) return null;
        Signature layer = Catalog.LAYERS.get(word);
        return layer == null ? null : Catalog.markdown("layer", layer);
    }

    private static String trainBuiltin(Context c, String word) {
        switch (c.slot()) {
            case SETTING_KEY -> {
                String line = Docs.line("setting", word);
                return line == null ? null : "**" + word + "**: " + line;
            }
            case SETTING_VALUE -> {
                Catalog.Values values = Catalog.valuesOf(c.setting());
                if (values == null || values.kind().isEmpty()) return null;
                Signature sig = values.functions().get(word);
                if (sig != null) return Catalog.markdown(values.kind(), sig);
                String line = values.words().contains(word) ? Docs.line(values.kind(), word) : null;
                return line == null ? null : "**" + word + "**: " + line;
            }
            case ARGUMENT -> {
                Signature sig = Catalog.function(c.setting(), c.call().callee());
                return sig == null || sig.arg(word) == null ? null : argument(sig, sig.arg(word));
            }
            default -> {
                return null;
            }
        }
    }

    private static String argument(Signature sig, Arg arg) {
        return "`" + arg.name() + "` of " + sig.name() + ": " + Catalog.describe(arg);
    }

    private static String number(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) && c < 128 || c == '_';
    }
}
