package dln.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import dln.Compiler;
import dln.diag.Diag;
import dln.diag.Diagnostic;
import dln.diag.Source;
import dln.net.ParamSpec;
import dln.net.Shape;
import dln.op.Network;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Shape inference per layer, the window formula and its warning, parameter names, sizes, blocks. */
class ShapeCheckerTest {

    static Compiler.Result check(String text) {
        return Compiler.check(Source.of("test.dln", text));
    }

    /** The one model's network in {@code text}, which must check without errors. */
    static Network net(String text) {
        Compiler.Result r = check(text);
        assertThat(r.diagnostics().all()).filteredOn(Diagnostic::isError).isEmpty();
        return r.networks().values().iterator().next();
    }

    /** The output shape of `x -> LAYER` for an input of shape INPUT. */
    static Shape shape(String input, String layer) {
        Network n = net("model M {\n input x: " + input + "\n output y = x -> " + layer + "\n}\n");
        return n.shapeOf(n.outputs().get(0).value());
    }

    static List<Diagnostic> diagnostics(String text) {
        return check(text).diagnostics().all();
    }

    static List<Diagnostic> diagnosticsOf(String input, String layer) {
        return diagnostics("model M {\n input x: " + input + "\n output y = x -> " + layer + "\n}\n");
    }

    static Map<String, String> params(Network n) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Network.Layer l : n.layers()) for (ParamSpec p : l.params()) out.put(l.name() + "." + p.name(), p.shape().toString());
        return out;
    }

    @Test
    void workedExampleFiveByFiveKernelThreePaddingOneStrideTwoGivesThree() {
        assertThat(shape("[1, 5, 5]", "conv2d(1, kernel: 3, padding: 1, stride: 2)")).isEqualTo(Shape.of(1, 3, 3));
    }

    @Test
    void twoByTwoMaxPoolingHalvesFourByFour() {
        assertThat(shape("[1, 4, 4]", "maxpool2d(2)")).isEqualTo(Shape.of(1, 2, 2));
        assertThat(diagnosticsOf("[1, 4, 4]", "maxpool2d(2)")).isEmpty();
    }

    @ParameterizedTest(name = "{0} -> {1} = {2}")
    @CsvSource(delimiter = ';', value = {
        "[3, 32, 32]; conv2d(8, kernel: 3, stride: 2, padding: 1); [8, 16, 16]",
        "[8, 16, 16]; conv2d(8, kernel: 3, dilation: 2, padding: 2); [8, 16, 16]",
        "[1, 7, 7]; conv2d(4, kernel: 3, dilation: 2); [4, 3, 3]",
        "[2, 10, 12]; conv2d(5, kernel: [3, 5]); [5, 8, 8]",
        "[2, 10, 12]; conv2d(5, kernel: 3, stride: [1, 2], padding: [0, 1]); [5, 8, 6]",
        "[2, 64]; conv1d(4, kernel: 5, padding: 2); [4, 64]",
        "[2, 64]; conv1d(4, 5, stride: 3); [4, 20]",
        "[1, 8, 16, 16]; conv3d(2, kernel: 3, padding: 1); [2, 8, 16, 16]",
        "[2, 8, 16, 16]; maxpool3d(2); [2, 4, 8, 8]",
        "[4, 64]; maxpool1d(2); [4, 32]",
        "[4, 16, 16]; avgpool2d(2); [4, 8, 8]",
        "[4, 16, 16]; avgpool2d(3, stride: 1, padding: 1); [4, 16, 16]",
        "[16, 7, 7]; global_avgpool; [16]",
        "[16, 7, 7, 3]; global_maxpool; [16]",
        "[16, 5, 5]; flatten; [400]",
        "[10]; dropout(0.5); [10]",
        "[8, 4, 4]; batchnorm; [8, 4, 4]",
        "[30, 3]; rnn(16, sequences: true); [30, 16]",
        "[30, 3]; lstm(8); [8]",
        "[16]; maxout(4, pieces: 3); [4]",
        "[16]; dense(3); [3]",
        "[2, 3]; softmax; [2, 3]",
        "[5]; leaky_relu(0.1); [5]",
        "[6, 2]; prelu; [6, 2]",
        "[3, 5]; upsample(2); [3, 10]",
        "[4, 7, 7]; upsample(2); [4, 14, 14]",
        "[1, 2, 3, 4]; upsample(scale: 3); [1, 6, 9, 12]",
        "[2, 3]; gelu; [2, 3]",
        "[5]; silu; [5]",
    })
    void layerShapes(String input, String layer, String expected) {
        assertThat(shape(input, layer).toString()).isEqualTo(expected);
    }

    @Test
    void embeddingMapsIdsToVectors() {
        Network n = net("model M {\n input t: int[20]\n output y = t -> embedding(1000, dim: 16)\n}\n");
        assertThat(n.shapeOf(n.outputs().get(0).value())).isEqualTo(Shape.of(20, 16));
        assertThat(params(n)).containsExactly(Map.entry("embedding_1.weight", "[1000, 16]"));
    }

    @Test
    void parameterShapesFollowPyTorch() {
        Network n = net("""
                model M {
                    input image: [3, 8, 8]
                    input seq: [10, 4]
                    a = image -> conv2d(6, kernel: [3, 2]) -> batchnorm -> prelu -> flatten
                    b = seq -> lstm(5) -> dense(7, bias: false)
                    c = seq -> rnn(3)
                    output y = concat(a, b, c) -> maxout(2, pieces: 3)
                }
                """);
        assertThat(params(n)).containsExactly(
                Map.entry("conv2d_1.weight", "[6, 3, 3, 2]"), Map.entry("conv2d_1.bias", "[6]"),
                Map.entry("batchnorm_1.weight", "[6]"), Map.entry("batchnorm_1.bias", "[6]"),
                Map.entry("batchnorm_1.running_mean", "[6]"), Map.entry("batchnorm_1.running_var", "[6]"),
                Map.entry("prelu_1.weight", "[6]"),
                Map.entry("lstm_1.weight_ih", "[20, 4]"), Map.entry("lstm_1.weight_hh", "[20, 5]"),
                Map.entry("lstm_1.bias_ih", "[20]"), Map.entry("lstm_1.bias_hh", "[20]"),
                Map.entry("dense_1.weight", "[7, 5]"),
                Map.entry("rnn_1.weight_ih", "[3, 4]"), Map.entry("rnn_1.weight_hh", "[3, 3]"),
                Map.entry("rnn_1.bias_ih", "[3]"), Map.entry("rnn_1.bias_hh", "[3]"),
                Map.entry("maxout_1.weight", "[6, 262]"), Map.entry("maxout_1.bias", "[6]"));
        assertThat(n.paramCount() - n.trainableCount()).isEqualTo(12);
    }

    @Test
    void flopsCountAMultiplyAddAsTwo() {
        Network n = net("model M {\n input x: [100]\n output y = x -> dense(10, bias: false)\n}\n");
        assertThat(n.layers().get(0).flops()).isEqualTo(2 * 100 * 10);
        Network c = net("model M {\n input x: [3, 8, 8]\n output y = x -> conv2d(4, kernel: 3, bias: false)\n}\n");
        assertThat(c.layers().get(0).flops()).isEqualTo(2L * 3 * 9 * 4 * 6 * 6);
    }

    @Test
    void emptyOutputPrintsTheFormulaWithNumbers() {
        List<Diagnostic> ds = diagnosticsOf("[1, 3, 3]", "conv2d(1, kernel: 5, stride: 2)");
        assertThat(ds).singleElement().satisfies(d -> {
            assertThat(d.diag()).isEqualTo(Diag.EmptyOutput);
            assertThat(d.message()).contains("(W - F + 2P) / S + 1 = (3 - 5 + 0) / 2 + 1 = 0 along height and width");
        });
    }

    @Test
    void dilationIsSpelledOutInTheFormula() {
        List<Diagnostic> ds = diagnosticsOf("[1, 4, 9]", "conv2d(1, kernel: 3, dilation: 2)");
        assertThat(ds).singleElement().satisfies(d -> assertThat(d.message())
                .contains("(W - F_eff + 2P) / S + 1 = (4 - 5 + 0) / 1 + 1 = 0 with F_eff = D(F - 1) + 1 = 2(3 - 1) + 1 = 5 along height"));
    }

    @Test
    void windowsThatMissTheLastRowsWarn() {
        List<Diagnostic> ds = diagnosticsOf("[6, 5, 5]", "maxpool2d(2)");
        assertThat(ds).singleElement().satisfies(d -> {
            assertThat(d.diag()).isEqualTo(Diag.IgnoredInputEdge);
            assertThat(d.isError()).isFalse();
            assertThat(d.message()).startsWith("maxpool2d ignores the last 1 row and 1 column of its [6, 5, 5] input");
        });
        assertThat(check("model M {\n input x: [6, 5, 5]\n output y = x -> maxpool2d(2)\n}\n").ok()).isTrue();
        List<Diagnostic> conv = diagnosticsOf("[1, 6, 7]", "conv2d(1, kernel: 3, stride: 2)");
        assertThat(conv).singleElement().satisfies(d -> assertThat(d.message()).contains("ignores the last 1 row of"));
    }

    @Test
    void stridedWindowsSmallerThanTheStrideSkipByDesignAndDoNotWarn() {
        assertThat(diagnosticsOf("[4, 28, 28]", "conv2d(8, kernel: 1, stride: 2)")).isEmpty();
    }

    @Test
    void poolPaddingIsAtMostHalfTheWindow() {
        assertThat(diagnosticsOf("[1, 8, 8]", "maxpool2d(2, padding: 2)")).singleElement()
                .satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.ArgumentOutOfRange));
    }

    @Test
    void wrongRankSuggestsTheFix() {
        assertThat(diagnosticsOf("[28, 28]", "conv2d(4, kernel: 3)")).singleElement().satisfies(d -> {
            assertThat(d.diag()).isEqualTo(Diag.WrongInputRank);
            assertThat(d.helps()).containsExactly("add a channel axis to the input: [1, 28, 28]");
        });
    }

    @Test
    void aDenseLayerPerStepMapsTheLastAxisWithOneWeightForAllSteps() {
        assertThat(shape("[7, 5]", "dense(3, per_step: true)")).isEqualTo(Shape.of(7, 3));
        Network n = net("model M {\n input x: [7, 5]\n output y = x -> dense(3, per_step: true)\n}\n");
        assertThat(params(n)).containsExactly(entry("dense_1.weight", "[3, 5]"), entry("dense_1.bias", "[3]"));
        assertThat(n.layers().get(0).flops()).isEqualTo(7 * 2 * 3 * 5);
    }

    @Test
    void aSequenceIntoDenseIsAnErrorUnlessPerStepIsSaid() {
        assertThat(diagnosticsOf("[7, 5]", "dense(3)")).singleElement().satisfies(d -> {
            assertThat(d.diag()).isEqualTo(Diag.WrongInputRank);
            assertThat(d.helps()).containsExactly("insert `-> flatten` before `dense(3)`, or write `per_step: true` to apply it to every step (the last axis)");
        });
        assertThat(diagnosticsOf("[2, 7, 5]", "dense(3)")).singleElement()
                .satisfies(d -> assertThat(d.helps()).containsExactly("insert `-> flatten` before `dense(3)`"));
    }

    @Test
    void perStepTakesOnlyASequence() {
        assertThat(diagnosticsOf("[5]", "dense(3, per_step: true)")).singleElement().satisfies(d -> {
            assertThat(d.diag()).isEqualTo(Diag.WrongInputRank);
            assertThat(d.message()).isEqualTo("dense with `per_step: true` expects a 2-D [steps, features] input, but its input has shape [5]");
            assertThat(d.helps()).containsExactly("a 1-D input is one step: drop `per_step: true`");
        });
        assertThat(diagnosticsOf("[2, 7, 5]", "dense(3, per_step: true)")).singleElement().satisfies(d ->
                assertThat(d.helps()).containsExactly("insert `-> flatten` before `dense(3, per_step: true)` and drop `per_step: true`"));
    }

    @Test
    void upsamplingTakesOneToThreeSpatialAxes() {
        assertThat(diagnosticsOf("[28]", "upsample(2)")).singleElement().satisfies(d -> {
            assertThat(d.diag()).isEqualTo(Diag.WrongInputRank);
            assertThat(d.helps()).containsExactly("add a channel axis to the input: [1, 28]");
        });
        assertThat(diagnosticsOf("[1, 2, 3, 4, 5]", "upsample(2)")).singleElement()
                .satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.WrongInputRank));
        assertThat(diagnosticsOf("[1, 4, 4]", "upsample(0)")).singleElement()
                .satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.ArgumentOutOfRange));
    }

    @Test
    void integerIdsGoOnlyIntoEmbeddings() {
        assertThat(diagnostics("model M {\n input t: int[4]\n output y = t -> dense(2)\n}\n"))
                .singleElement().satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.WrongInputType));
        assertThat(diagnostics("model M {\n input t: [4]\n output y = t -> embedding(10, 2)\n}\n"))
                .singleElement().satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.WrongInputType));
    }

    @Test
    void hugeModelsReportTheirTrueParameterCount() {
        // Each weight fits in one tensor (at most 2^31 - 1 values); together they pass 2^31.
        Network n = net("model M {\n input x: [40000]\n output y = x -> dense(40000) -> dense(40000)\n}\n");
        assertThat(n.paramCount()).isEqualTo(2 * (40_000L * 40_000L + 40_000L));
    }

    @Test
    void sizesBeyondSixtyFourBitsAreErrorsNotOverflows() {
        assertThat(diagnostics("model M {\n input x: [1e15, 1e15]\n output y = x -> flatten\n}\n"))
                .singleElement().satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.TooLarge));
        assertThat(diagnostics("model M {\n input x: [4000000000]\n output y = x -> dense(4000000000) -> dense(4000000000)\n}\n"))
                .extracting(Diagnostic::diag).contains(Diag.TooLarge);
    }

    @Test
    void blocksExpandPerUseAndPrefixTheirParameters() {
        Network n = net("""
                block unit(x, filters: int, stride: int = 1) {
                    return x -> conv2d(filters, kernel: 3, stride: stride, padding: 1) -> batchnorm -> relu
                }
                model M {
                    input image: [3, 16, 16]
                    a = image -> unit(8) -> unit(8, stride: 2)
                    output y = a -> unit(4, name: last) -> global_avgpool -> dense(2, name: head)
                }
                """);
        assertThat(params(n).keySet()).contains("unit_1.conv2d_1.weight", "unit_2.conv2d_1.weight",
                "unit_2.batchnorm_1.running_var", "last.conv2d_1.weight", "head.weight");
        assertThat(n.layers()).extracting(l -> l.name() + " " + l.shape())
                .contains("unit_2.conv2d_1 [8, 8, 8]", "last.relu_1 [4, 8, 8]", "head [2]");
    }

    @Test
    void errorsInsideBlocksShowTheChainOfCalls() {
        List<Diagnostic> ds = diagnostics("""
                block inner(x) {
                    return x -> dense(4)
                }
                block outer(x) {
                    return x -> inner
                }
                model M {
                    input image: [3, 4, 4]
                    output y = image -> outer
                }
                """);
        assertThat(ds).singleElement().satisfies(d -> {
            assertThat(d.diag()).isEqualTo(Diag.WrongInputRank);
            assertThat(d.span().line()).isEqualTo(2);
            assertThat(d.notes()).containsExactly("in block inner, called at test.dln:5:17", "in block outer, called at test.dln:9:25");
        });
    }

    @Test
    void recursiveBlocksAreRejected() {
        List<Diagnostic> ds = diagnostics("""
                block a(x) {
                    return x -> b
                }
                block b(x) {
                    return x -> a
                }
                model M {
                    input x: [4]
                    output y = x -> a
                }
                """);
        assertThat(ds).extracting(Diagnostic::diag).contains(Diag.BlockCallsItself);
        assertThat(ds).filteredOn(d -> d.diag() == Diag.BlockCallsItself).first()
                .satisfies(d -> assertThat(d.message()).isEqualTo("block `a` calls itself: a -> b -> a"));
    }

    @Test
    void rebindingMakesANewValueAndUnusedValuesWarn() {
        Compiler.Result r = check("""
                model M {
                    input x: [4]
                    h = x -> dense(3)
                    h = x -> dense(2)
                    unused = h -> relu
                    output y = h -> sigmoid
                }
                """);
        assertThat(r.ok()).isTrue();
        assertThat(r.diagnostics().all()).extracting(d -> d.code() + " " + d.span().line())
                .containsExactly("DLN017 3", "DLN017 5");
    }

    @Test
    void constantsFoldAndDivisionByZeroIsAnError() {
        assertThat(shape("[8]", "dense(8 * 2 / 4 + (1 - 1))")).isEqualTo(Shape.of(4));
        assertThat(diagnostics("const a = 1 / (2 - 2)\nmodel M {\n input x: [2]\n output y = x -> dense(a)\n}\n"))
                .singleElement().satisfies(d -> assertThat(d.diag()).isEqualTo(Diag.DivisionByZero));
    }
}
