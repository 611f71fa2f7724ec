package dln.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server end to end over JSON-RPC on piped streams: diagnostics, completion and hover as an editor sees them. */
class DlnLanguageServerTest {
    static final String LENET = """
            model LeNet5 {
                input image: [1, 28, 28]

                features = image
                    -> conv2d(6, kernel: 5, padding: 2) -> relu
                    -> maxpool2d(2)
                    -> conv2d(16, kernel: 5) -> relu
                    -> maxpool2d(2)

                output probs = features
                    -> flatten
                    -> dense(120) -> relu
                    -> dense(84) -> relu
                    -> dense(10) -> softmax
            }
            """;

    static final String BROKEN = """
            model Broken {
                input image: [1, 28, 28]
                output probs = image
                    -> conv2d(6, kernel: 5, padding: 2) -> relu -> maxpool2d(2)
                    -> conv2d(16, kernel: 5) -> relu -> maxpool2d(2)
                    -> dense(120) -> relu
                    -> dense(10) -> softmax
            }
            """;

    @TempDir Path dir;
    TestClient client;
    String uri;

    @BeforeEach void start() throws Exception {
        client = new TestClient();
        uri = dir.resolve("net.dln").toUri().toString();
    }

    @AfterEach void stop() throws Exception {
        client.close();
        assertThat(client.logs).as("internal errors logged").isEmpty();
    }

    @Test void advertisesFullSyncCompletionAndHover() {
        var caps = client.initialized.getCapabilities();
        assertThat(caps.getTextDocumentSync().getRight().getChange()).hasToString("Full");
        assertThat(caps.getCompletionProvider()).isNotNull();
        assertThat(caps.getHoverProvider().getLeft()).isTrue();
    }

    @Test void shapeErrorIsPublishedAtItsSpanAndClearedWhenFixed() throws Exception {
        client.open(uri, BROKEN);
        PublishDiagnosticsParams published = client.awaitDiagnostics(uri, p -> !p.getDiagnostics().isEmpty());
        assertThat(published.getDiagnostics()).hasSize(1);
        Diagnostic d = published.getDiagnostics().get(0);
        assertThat(d.getCode().getLeft()).isEqualTo("DLN041");
        assertThat(d.getSeverity()).isEqualTo(DiagnosticSeverity.Error);
        assertThat(d.getSource()).isEqualTo("dlnc");
        assertThat(d.getMessage()).startsWith("dense expects a 1-D input, but its input has shape [16, 5, 5]")
                .contains("help: insert `-> flatten` before `dense(120)`");
        // `dense(120)` on line 6 (0-based 5), columns 11 to 21
        assertThat(d.getRange()).isEqualTo(new Range(new Position(5, 11), new Position(5, 21)));

        client.change(uri, BROKEN.replace("-> dense(120)", "-> flatten -> dense(120)"));
        PublishDiagnosticsParams fixed = client.awaitDiagnostics(uri, p -> p.getDiagnostics().isEmpty());
        assertThat(fixed.getVersion()).isEqualTo(2);
    }

    @Test void notesOfBlockErrorsPointAtTheCall() throws Exception {
        String text = """
                block twice(x, n: int) {
                    return x -> dense(n) -> dense(n)
                }
                model M {
                    input v: [4, 4]
                    output y = v -> twice(3)
                }
                """;
        client.open(uri, text);
        Diagnostic d = client.awaitDiagnostics(uri, p -> !p.getDiagnostics().isEmpty()).getDiagnostics().get(0);
        assertThat(d.getCode().getLeft()).isEqualTo("DLN041");
        assertThat(d.getRange().getStart()).isEqualTo(new Position(1, 16));
        assertThat(d.getRelatedInformation()).singleElement().satisfies(r -> {
            assertThat(r.getMessage()).startsWith("in block twice, called at");
            assertThat(r.getLocation().getUri()).isEqualTo(uri);
            assertThat(r.getLocation().getRange().getStart()).isEqualTo(new Position(5, 20));
        });
    }

    @Test void rangesCountUtf16UnitsAfterCharactersOutsideTheBmp() throws Exception {
        // The emoji is one code point (one column for dlnc) but two UTF-16 units for LSP.
        String text = "model M {\n    input v: [4, 4]\n    output y = v /* \uD83D\uDE00 */ -> dense(3)\n}\n";
        client.open(uri, text);
        Diagnostic d = client.awaitDiagnostics(uri, p -> !p.getDiagnostics().isEmpty()).getDiagnostics().get(0);
        int start = text.indexOf("dense(3)") - text.indexOf("    output");
        assertThat(d.getRange()).isEqualTo(new Range(new Position(2, start), new Position(2, start + "dense(3)".length())));
    }

    @Test void importedFilesAreCheckedFromDisk() throws Exception {
        Files.writeString(dir.resolve("common.dln"), "block head(x, n: int) {\n    return x -> dense(n) -> softmax\n}\n");
        client.open(uri, "import \"common.dln\"\nmodel M {\n    input v: [8]\n    output y = v -> head(3)\n}\n");
        assertThat(client.awaitDiagnostics(uri, p -> true).getDiagnostics()).isEmpty();
        client.change(uri, "import \"missing.dln\"\nmodel M {\n    input v: [8]\n    output y = v -> head(3)\n}\n");
        assertThat(client.awaitDiagnostics(uri, p -> !p.getDiagnostics().isEmpty()).getDiagnostics())
                .extracting(x -> x.getCode().getLeft()).contains("DLN010");
    }

    @Test void completesNamedArgumentsInsideACall() throws Exception {
        String text = LENET.replace("-> conv2d(16, kernel: 5)", "-> conv2d(16, ");
        client.open(uri, text);
        var items = client.completeAfter(uri, text, "conv2d(16, ");
        assertThat(TestClient.labels(items)).contains("kernel", "stride", "padding", "dilation", "bias", "init", "name")
                .doesNotContain("filters", "dense");
        var kernel = items.stream().filter(i -> i.getLabel().equals("kernel")).findFirst().orElseThrow();
        assertThat(kernel.getInsertText()).isEqualTo("kernel: ");
        assertThat(kernel.getDetail()).contains("required");
    }

    @Test void completesLayersAfterAnArrowWithTheirSignatures() throws Exception {
        String text = LENET.replace("-> dense(84) -> relu", "-> de");
        client.open(uri, text);
        var items = client.completeAfter(uri, text, "-> de");
        assertThat(TestClient.labels(items)).contains("dense", "conv2d", "relu", "softmax", "flatten", "lstm");
        var dense = items.stream().filter(i -> i.getLabel().equals("dense")).findFirst().orElseThrow();
        assertThat(dense.getDetail()).isEqualTo("dense(units, init?, bias = true, per_step = false, name?)");
        assertThat(dense.getDocumentation().getRight().getValue()).contains("Fully connected");
    }

    @Test void completesTrainSettingsAndTheirValues() throws Exception {
        String text = LENET + "train LeNet5 {\n    loss \n    optimizer adam()\n    ba\n}\n";
        client.open(uri, text);
        assertThat(TestClient.labels(client.completeAfter(uri, text, "loss "))).contains("cross_entropy", "mse", "hinge");
        assertThat(TestClient.labels(client.completeAfter(uri, text, "adam("))).containsExactly("lr", "beta1", "beta2", "eps");
        assertThat(TestClient.labels(client.completeAfter(uri, text, "    ba"))).contains("batch", "epochs", "schedule")
                .doesNotContain("loss", "optimizer");
        String optimizers = LENET + "train LeNet5 {\n    optimizer \n}\n";
        client.change(uri, optimizers);
        assertThat(TestClient.labels(client.completeAfter(uri, optimizers, "optimizer "))).contains("adam", "sgd", "perceptron");
    }

    @Test void hoverOnALayerShowsItsShapeParametersAndFlops() throws Exception {
        client.open(uri, LENET);
        Position at = TestClient.positionOf(LENET, LENET.indexOf("dense(120)") + 7);
        Hover hover = client.hover(uri, at);
        String md = hover.getContents().getRight().getValue();
        assertThat(md).contains("**dense_1** (dense): `[400]` → `[120]`", "`dense_1.weight` | `[120, 400]`",
                "`dense_1.bias` | `[120]`", "48,120 parameters", "96,000 FLOPs");
        Position start = TestClient.positionOf(LENET, LENET.indexOf("dense(120)"));
        assertThat(hover.getRange()).isEqualTo(new Range(start, new Position(start.getLine(), start.getCharacter() + 10)));
    }

    @Test void hoverKeepsTheLastGoodShapesWhileTheFileHasErrors() throws Exception {
        client.open(uri, LENET);
        client.awaitDiagnostics(uri, p -> p.getDiagnostics().isEmpty());
        String broken = LENET.replace("input image: [1, 28, 28]", "input image: [1, 28, 28]\n    oops = ");
        client.change(uri, broken);
        client.awaitDiagnostics(uri, p -> !p.getDiagnostics().isEmpty());
        Hover hover = client.hover(uri, TestClient.positionOf(broken, broken.indexOf("dense(84)") + 1));
        assertThat(hover.getContents().getRight().getValue()).contains("**dense_2** (dense): `[120]` → `[84]`");
    }

    @Test void hoverOnBuiltinNamesShowsTheirDocumentation() throws Exception {
        String text = LENET + "train LeNet5 {\n    loss cross_entropy\n    optimizer adam\n}\n";
        client.open(uri, text);
        Hover relu = client.hover(uri, TestClient.positionOf(text, text.indexOf("relu") + 1));
        assertThat(relu.getContents().getRight().getValue()).contains("`[6, 28, 28]`", "max(0, x)");
        Hover loss = client.hover(uri, TestClient.positionOf(text, text.indexOf("cross_entropy") + 2));
        assertThat(loss.getContents().getRight().getValue()).contains("softmax");
        Hover key = client.hover(uri, TestClient.positionOf(text, text.indexOf("optimizer") + 2));
        assertThat(key.getContents().getRight().getValue()).startsWith("**optimizer**");
        assertThat(client.hover(uri, TestClient.positionOf(text, text.indexOf("LeNet5") + 1))).isNull();
    }

    @Test void badInputNeverBreaksTheServer() throws Exception {
        client.open(uri, "model { ( [ -> \"unterminated \u0000 /* ");
        client.awaitDiagnostics(uri, p -> !p.getDiagnostics().isEmpty());
        client.change(uri, "(".repeat(5000));
        client.awaitDiagnostics(uri, p -> !p.getDiagnostics().isEmpty());
        assertThat(client.complete(uri, 0, 2500)).isNotNull();
        assertThat(client.complete(uri, 99, 99)).isNotNull();
        assertThat(client.hover(uri, new Position(-1, 1_000_000))).isNull();
        assertThat(client.complete("file:///nowhere/else.dln", 0, 0)).isEmpty();
        assertThat(client.hover("file:///nowhere/else.dln", new Position(0, 0))).isNull();
        client.change(uri, LENET);
        assertThat(client.awaitDiagnostics(uri, p -> p.getDiagnostics().isEmpty()).getDiagnostics()).isEmpty();
    }

    @Test void closingADocumentClearsItsDiagnostics() throws Exception {
        client.open(uri, BROKEN);
        client.awaitDiagnostics(uri, p -> !p.getDiagnostics().isEmpty());
        client.close(uri);
        client.awaitDiagnostics(uri, p -> p.getDiagnostics().isEmpty());
    }
}
