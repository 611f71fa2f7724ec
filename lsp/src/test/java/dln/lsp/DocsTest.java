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
    }

    @Test void signaturesReadLikeTheReference() {
        assertThat(Signatures.layers().get("conv2d").text())
                .isEqualTo("conv2d(filters, kernel, stride = 1, padding = 0, dilation = 1, bias = true, init?, name?)");
        assertThat(Signatures.optimizers().get("adam").text()).isEqualTo("adam(lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8)");
        assertThat(Signatures.layers().get("maxpool2d").text()).isEqualTo("maxpool2d(size, stride?, padding = 0, name?)");
    }

    /** The editor's highlighting names every layer of the checker's table, and no other: a new layer is added to both. */
    @Test void highlightingNamesEveryLayer() throws java.io.IOException {
        String grammar = java.nio.file.Files.readString(java.nio.file.Path.of("../editors/vscode/syntaxes/dln.tmLanguage.json"));
        int from = grammar.indexOf("\"layers\": {");
        String layers = grammar.substring(from, grammar.indexOf(']', from));
        java.util.Set<String> highlighted = new java.util.TreeSet<>();
        var m = java.util.regex.Pattern.compile("\\(\\?:([a-z0-9_|]+)\\)").matcher(layers);
        while (m.find()) highlighted.addAll(java.util.List.of(m.group(1).split("\\|")));
        assertThat(highlighted).isEqualTo(new java.util.TreeSet<>(Signatures.layers().keySet()));
    }
}
