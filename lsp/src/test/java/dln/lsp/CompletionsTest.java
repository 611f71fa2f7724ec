package dln.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.eclipse.lsp4j.CompletionItem;
import org.junit.jupiter.api.Test;

/** Completion without a server: the text up to the `|` decides what is offered. */
class CompletionsTest {

    /** The labels offered at the `|` of {@code marked}. */
    static List<String> at(String marked) {
        int offset = marked.indexOf('|');
        String text = marked.substring(0, offset) + marked.substring(offset + 1);
        return Completions.at(text, offset).stream().map(CompletionItem::getLabel).toList();
    }

    static String model(String body) {
        return "model M {\n    input x: [1, 28, 28]\n" + body + "\n}\n";
    }

    @Test void namedArgumentsLeaveOutTheGivenOnes() {
        assertThat(at(model("    y = x -> conv2d(16, kernel: 5, |)")))
                .contains("stride", "padding", "dilation", "bias", "init", "name")
                .doesNotContain("filters", "kernel");
        assertThat(at(model("    y = x -> conv2d(|)"))).contains("filters", "kernel").doesNotContain("dense");
        assertThat(at(model("    y = x -> dense(10, b|"))).contains("bias", "init").doesNotContain("units");
    }

    @Test void argumentValuesAreTheWordsTheArgumentTakes() {
        assertThat(at(model("    y = x -> conv2d(8, kernel: 3, init: |)")))
                .containsExactly("zeros", "normal", "uniform", "xavier", "he_normal", "he_uniform");
        assertThat(at(model("    y = x -> rnn(4, activation: |"))).containsExactly("linear", "relu", "sigmoid", "tanh");
        assertThat(at(model("    y = x -> dense(4, bias: f|"))).containsExactly("true", "false");
    }

    @Test void pipeTargetsAreLayersAndBlocksDeclaredAnywhere() {
        String text = model("    y = x -> |") + "block stem(t, width: int) {\n    return t -> conv2d(width, kernel: 3)\n}\n";
        assertThat(at(text)).contains("stem", "conv2d", "relu", "global_avgpool", "maxout").doesNotContain("x", "input");
        String call = model("    y = x -> stem(|)") + "block stem(t, width: int) {\n    return t\n}\n";
        assertThat(at(call)).contains("width");
    }

    @Test void callArgumentsThatAreTensorsOfferTheBindings() {
        assertThat(at(model("    h = x -> relu\n    y = add(h, |)"))).contains("h", "x", "flatten", "name");
    }

    @Test void statementsAndDeclarations() {
        assertThat(at(model("    |"))).containsExactly("input", "output");
        assertThat(at("block b(x) {\n    |\n}")).containsExactly("return");
        assertThat(at("|")).containsExactly("import", "const", "block", "model", "train");
        assertThat(at("model Net {\n    input x: [2]\n    output y = x -> relu\n}\ntrain |")).containsExactly("Net");
        assertThat(at("model |")).isEmpty();
    }

    @Test void trainSettingsAndTheirValues() {
        String head = "train M {\n";
        assertThat(at(head + "    |")).startsWith("data", "test", "validation", "split", "loss", "loss_weights", "optimizer");
        assertThat(at(head + "    loss mse\n    |")).doesNotContain("loss").contains("optimizer");
        assertThat(at(head + "    loss mse opt|")).contains("optimizer");
        assertThat(at(head + "    schedule |")).contains("step", "exponential", "cosine", "plateau");
        assertThat(at(head + "    schedule step(|)")).startsWith("every", "factor");
        assertThat(at(head + "    augment shift(2), |")).contains("shift", "flip", "noise");
        assertThat(at(head + "    augment flip(|)")).contains("horizontal", "vertical", "axis");
        assertThat(at(head + "    data |")).contains("idx", "csv", "npy", "inline");
        assertThat(at(head + "    data idx(images: \"a\", |")).contains("labels", "scale").doesNotContain("images");
        assertThat(at(head + "    early_stop |")).containsExactly("monitor", "patience", "min_delta");
        assertThat(at(head + "    metrics |")).contains("accuracy", "loss");
        assertThat(at(head + "    init |")).contains("xavier", "he_normal");
        assertThat(at(head + "    loss\n    optimizer |")).contains("adam", "sgd");
    }

    @Test void nothingInsideCommentsStringsAndNumbers() {
        assertThat(at(model("    // y = x -> |"))).isEmpty();
        assertThat(at(model("    /* y = x -> | */"))).isEmpty();
        assertThat(at(model("    y = x -> dense(12|"))).isEmpty();
        assertThat(at("import \"bl|")).isEmpty();
        assertThat(at(model("    /* a comment */ y = x -> |"))).contains("dense");
    }
}
