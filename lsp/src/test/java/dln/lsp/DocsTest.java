package dln.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import dln.check.Signatures;
import org.junit.jupiter.api.Test;

/** Every built-in name the checker knows has a documentation line, so that completion and hover never come up empty. */
class DocsTest {
    @Test void everyLayerHasALine() {
        assertThat(Signatures.layers().keySet()).isNotEmpty().allSatisfy(name -> assertThat(Docs.line("layer", name)).as(name).isNotBlank());
    }

    @Test void everyTrainSettingAndValueHasALine() {
        Signatures.trainSettings().forEach(k -> assertThat(Docs.line("setting", k)).as(k).isNotBlank());
        Signatures.losses().forEach(k -> assertThat(Docs.line("loss", k)).as(k).isNotBlank());
        Signatures.metrics().forEach(k -> assertThat(Docs.line("metric", k)).as(k).isNotBlank());
        Signatures.initializers().forEach(k -> assertThat(Docs.line("init", k)).as(k).isNotBlank());
        Signatures.optimizers().keySet().forEach(k -> assertThat(Docs.line("optimizer", k)).as(k).isNotBlank());
        Signatures.schedules().keySet().forEach(k -> assertThat(Docs.line("schedule", k)).as(k).isNotBlank());
        Signatures.augmentations().keySet().forEach(k -> assertThat(Docs.line("augment", k)).as(k).isNotBlank());
        Signatures.sources().keySet().forEach(k -> assertThat(Docs.line("source", k)).as(k).isNotBlank());
        Signatures.regularizers().keySet().forEach(k -> assertThat(Docs.line("regularizer", k)).as(k).isNotBlank());
        Signatures.clips().keySet().forEach(k -> assertThat(Docs.line("clip", k)).as(k).isNotBlank());
    }

    @Test void signaturesReadLikeTheReference() {
        assertThat(Signatures.layers().get("conv2d").text())
                .isEqualTo("conv2d(filters, kernel, stride = 1, padding = 0, dilation = 1, bias = true, init?, name?)");
        assertThat(Signatures.optimizers().get("adam").text()).isEqualTo("adam(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8)");
        assertThat(Signatures.layers().get("maxpool2d").text()).isEqualTo("maxpool2d(size, stride?, padding = 0, name?)");
    }

    /**
     * The editor's highlighting names every layer of the checker's table, and no other: the list is
     * derived from the table. With -Dhighlighting.update=true the test rewrites it (a new layer).
     */
    @Test void highlightingNamesEveryLayer() throws java.io.IOException {
        java.nio.file.Path path = java.nio.file.Path.of("../editors/vscode/syntaxes/dln.tmLanguage.json");
        String grammar = java.nio.file.Files.readString(path);
        java.util.List<String> activations = java.util.Arrays.stream(dln.op.Activation.Fn.values()).map(dln.op.Activation.Fn::keyword).toList();
        java.util.List<String> layers = dln.op.Op.signatures().keySet().stream().filter(n -> !activations.contains(n)).toList();
        int from = grammar.indexOf("\"layers\": {");
        int to = grammar.indexOf(']', from);
        String section = grammar.substring(from, to);
        var group = java.util.regex.Pattern.compile("\\(\\?:([a-z0-9_|]+)\\)");
        if (Boolean.getBoolean("highlighting.update")) {
            var m = group.matcher(section);
            StringBuilder updated = new StringBuilder();
            int which = 0;
            while (m.find()) m.appendReplacement(updated, "(?:" + String.join("|", which++ == 0 ? layers : activations) + ")");
            m.appendTail(updated);
            java.nio.file.Files.writeString(path, grammar.substring(0, from) + updated + grammar.substring(to));
            return;
        }
        java.util.Set<String> highlighted = new java.util.TreeSet<>();
        var m = group.matcher(section);
        while (m.find()) highlighted.addAll(java.util.List.of(m.group(1).split("\\|")));
        assertThat(highlighted).as("the layers in %s (rewrite it with -Dhighlighting.update=true)", path)
                .isEqualTo(new java.util.TreeSet<>(Signatures.layers().keySet()));
    }
}
