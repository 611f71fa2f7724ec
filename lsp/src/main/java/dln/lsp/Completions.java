package dln.lsp;

import dln.check.Signatures.Arg;
import dln.check.Signatures.Signature;
import dln.grammar.DlnLexer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.lsp4j.CompletionItem;
import org.eclipse.lsp4j.CompletionItemKind;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MarkupKind;

/**
 * What may be written at an offset ({@link Context}): layers and blocks after `->`, a call's named
 * arguments (`kernel:`) at the start of an argument, the words an argument takes after its label,
 * the keys of a train block and the values of each setting (losses, optimizers, ...). Items come
 * unfiltered by the typed prefix; editors filter and rank them.
 */
final class Completions {
    private Completions() {}

    static List<CompletionItem> at(String text, int offset) {
        Context c = Context.at(text, offset);
        Context.Declarations decls = Context.declarations(text);
        List<CompletionItem> out = new ArrayList<>();
        switch (c.slot()) {
            case DECLARATION -> {
                if (c.previous() == DlnLexer.TRAIN) decls.models().forEach(m -> out.add(item(m, CompletionItemKind.Class, "model", "1")));
                else if (!isDeclKeyword(c.previous())) keywords(out, "import", "const", "block", "model", "train");
            }
            case STATEMENT -> {
                if (c.scope() == Context.Scope.MODEL) keywords(out, "input", "output");
                else keywords(out, "return");
            }
            case PIPE_TARGET -> layers(out, decls);
            case EXPRESSION -> values(out, c, decls, true);
            case ARGUMENT -> arguments(out, c, decls);
            case ARGUMENT_VALUE -> argumentValues(out, c, decls);
            case SETTING_KEY -> settingKeys(out, c);
            case SETTING_VALUE -> settingValues(out, c, decls);
            case NONE -> { }
        }
        return out;
    }

    private static void layers(List<CompletionItem> out, Context.Declarations decls) {
        Catalog.LAYERS.forEach((name, sig) -> out.add(function(name, "layer", sig, "1")));
        decls.blocks().forEach((name, params) -> {
            CompletionItem item = item(name, CompletionItemKind.Module, "block " + name + "(" + String.join(", ", params) + ")", "0");
            out.add(item);
        });
    }

    /** Names a value may be: bindings and constants, and (in a model or block) layers and blocks. */
    private static void values(List<CompletionItem> out, Context c, Context.Declarations decls, boolean layers) {
        c.bindings().forEach(b -> out.add(item(b, CompletionItemKind.Variable, "binding", "0")));
        decls.constants().forEach(k -> out.add(item(k, CompletionItemKind.Constant, "constant", "0")));
        if (layers && (c.scope() == Context.Scope.MODEL || c.scope() == Context.Scope.BLOCK)) layers(out, decls);
    }

    private static void arguments(List<CompletionItem> out, Context c, Context.Declarations decls) {
        Context.Call call = c.call();
        Signature sig = c.scope() == Context.Scope.TRAIN ? Catalog.function(c.setting(), call.callee()) : Catalog.LAYERS.get(call.callee());
        if (sig != null) {
            List<Arg> args = sig.args();
            if (call.positionals() < sig.positional() && call.labels().isEmpty()) {
                // the next argument may be given by position: offer its words (`flip(horizontal)`)
                args.get(call.positionals()).choices().forEach(w -> out.add(word(w, args.get(call.positionals()).name().equals("init") ? "init" : "")));
            }
            for (int i = 0; i < args.size(); i++) {
                Arg a = args.get(i);
                if (call.labels().contains(a.name()) || i < Math.min(call.positionals(), sig.positional())) continue;
                out.add(argument(a, String.format("0%02d", i)));
            }
        } else if (decls.blocks().containsKey(call.callee())) {
            List<String> params = decls.blocks().get(call.callee());
            for (int i = 0; i < params.size(); i++) {
                if (call.labels().contains(params.get(i)) || i < call.positionals()) continue;
                CompletionItem item = item(params.get(i), CompletionItemKind.Property, "parameter of block " + call.callee(), String.format("0%02d", i));
                item.setInsertText(params.get(i) + ": ");
                out.add(item);
            }
        }
        if (c.scope() == Context.Scope.TRAIN) return;
        boolean takesTensors = sig == null || sig.positional() == 0 || Set.of("add", "concat").contains(call.callee());
        values(out, c, decls, takesTensors);
    }

    private static void argumentValues(List<CompletionItem> out, Context c, Context.Declarations decls) {
        Signature sig = c.scope() == Context.Scope.TRAIN ? Catalog.function(c.setting(), c.call().callee()) : Catalog.LAYERS.get(c.call().callee());
        Arg arg = sig == null ? null : sig.arg(c.label());
        if (arg != null && !arg.choices().isEmpty()) {
            String kind = arg.name().equals("init") ? "init" : "";
            arg.choices().forEach(w -> out.add(word(w, kind)));
            return;
        }
        if (c.scope() != Context.Scope.TRAIN) values(out, c, decls, false);
        else decls.constants().forEach(k -> out.add(item(k, CompletionItemKind.Constant, "constant", "0")));
    }

    private static void settingKeys(List<CompletionItem> out, Context c) {
        for (String key : dln.check.Signatures.trainSettings()) {
            if (c.settings().contains(key)) continue;
            CompletionItem item = item(key, CompletionItemKind.Property, Docs.line("setting", key), "0");
            item.setInsertText(key + " ");
            out.add(item);
        }
    }

    private static void settingValues(List<CompletionItem> out, Context c, Context.Declarations decls) {
        Signature labeled = Catalog.labeled(c.setting());
        if (labeled != null) {
            if (c.label() != null) {
                Arg arg = labeled.arg(c.label());
                if (arg != null) arg.choices().forEach(w -> out.add(word(w, "")));
                return;
            }
            for (int i = 0; i < labeled.args().size(); i++) out.add(argument(labeled.args().get(i), String.format("0%02d", i)));
            return;
        }
        Catalog.Values values = Catalog.valuesOf(c.setting());
        if (values != null) {
            if (!values.functions().isEmpty()) values.functions().forEach((name, sig) -> out.add(function(name, values.kind(), sig, "0")));
            else values.words().forEach(w -> out.add(word(w, values.kind())));
        }
        decls.constants().forEach(k -> out.add(item(k, CompletionItemKind.Constant, "constant", "1")));
    }

    private static CompletionItem function(String name, String kind, Signature sig, String rank) {
        CompletionItem item = item(name, CompletionItemKind.Function, sig.text(), rank);
        item.setDocumentation(new MarkupContent(MarkupKind.MARKDOWN, Catalog.markdown(kind, sig)));
        return item;
    }

    private static CompletionItem argument(Arg arg, String rank) {
        CompletionItem item = item(arg.name(), CompletionItemKind.Property, Catalog.describe(arg), rank);
        item.setInsertText(arg.name() + ": ");
        item.setFilterText(arg.name());
        return item;
    }

    private static CompletionItem word(String w, String kind) {
        String line = kind.isEmpty() ? null : Docs.line(kind, w);
        return item(w, CompletionItemKind.EnumMember, line, "0");
    }

    private static void keywords(List<CompletionItem> out, String... words) {
        for (String w : words) out.add(item(w, CompletionItemKind.Keyword, null, "0"));
    }

    private static CompletionItem item(String label, CompletionItemKind kind, String detail, String rank) {
        CompletionItem item = new CompletionItem(label);
        item.setKind(kind);
        if (detail != null) item.setDetail(detail);
        item.setSortText(rank + label);
        return item;
    }

    private static boolean isDeclKeyword(int type) {
        return type == DlnLexer.IMPORT || type == DlnLexer.CONST || type == DlnLexer.BLOCK || type == DlnLexer.MODEL;
    }
}
